// Verdict policies: turn what a test did into a status and a reason.
#pragma once

#include <chrono>
#include <string>

#include "vt/sdk/types.h"

namespace vt::core {

struct Verdict {
  sdk::Status status;
  std::string reason;
};

/// The exit-code policy: 0 PASS, 77 SKIP, 99 ERROR, anything else FAIL. A timeout is
/// INTERRUPTED; 255 from a command run on the testbed is the channel failing: ERROR.
Verdict exit_code_verdict(const sdk::ExecResult& result, std::chrono::seconds timeout,
                          bool ran_on_testbed);

}  // namespace vt::core
