// Avocado-VT's pre- and post-processing params for a test's machines (env_process.py): what
// happens to a testbed before the test and after it.
#pragma once

#include <chrono>

#include "vt/sdk/types.h"

namespace vt::core {

/// Before the test, from the machine's params.
struct MachineStart {
  bool start = true;     ///< `start_vm` (default yes); no: started by the test's first use
  bool restart = false;  ///< `restart_vm`: never a kept testbed, always a fresh start
};

/// After the test, from the machine's params as the `_on_error` rule leaves them.
struct MachineStop {
  bool kill = false;                 ///< `kill_vm`: stop it instead of keeping it for the next test
  bool gracefully = false;           ///< `kill_vm_gracefully`: power it off from inside first
  std::chrono::seconds timeout{60};  ///< `kill_vm_timeout`: how long a graceful stop may take
  bool breaks_testbed = false;       ///< `breaks_testbed`: revert it before it is used again
};

MachineStart start_rules(const sdk::Params& machine_params);
MachineStop stop_rules(const sdk::Params& machine_params);

/// Avocado-VT's `_on_error` rule: after a test that did not pass, every `KEY_on_error` param
/// replaces `KEY` (`kill_vm_on_error = yes` makes `kill_vm = yes`). Unchanged otherwise.
sdk::Params after_test_params(const sdk::Params& params, bool test_failed);

/// Avocado-VT's yes/no: "yes" (also "true", "1", "on") is true, anything else false.
bool param_is_yes(const sdk::Params& params, const char* key, bool fallback);

}  // namespace vt::core
