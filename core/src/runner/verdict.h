// Verdict policies: turn what a test did into a status and a reason (DESIGN.md "Running a
// test", step 4; docs/test-format.md "Verdicts"). A test names its policy (`verdict = ...`);
// each policy reads its settings from the test's params.
#pragma once

#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
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

/// What a policy may look at once the test's command has ended.
struct VerdictInput {
  sdk::ExecResult result;          ///< the command's exit status and timeout flag
  std::chrono::seconds timeout;    ///< the limit it ran under (for the reason)
  bool ran_on_testbed = false;     ///< 255 is then the channel failing
  std::filesystem::path logdir;    ///< tests/<id>/: `stdout` and `stderr` are complete here; a
                                   ///< policy may write `diff` here
  std::filesystem::path test_dir;  ///< the test's provider subdir (where `output` lives)
  bool overwrite = false;          ///< `vtrun run -o`: record the golden output instead
  /// The part of the main testbed's console this test produced so far; called again to see
  /// more while a policy waits for it. Empty when the testbed has no console.
  std::function<std::string()> console;
};

/// One way of deciding. Stateless between tests; decide() never throws (problems are ERROR).
class VerdictPolicy {
 public:
  virtual ~VerdictPolicy() = default;
  virtual Verdict decide(const VerdictInput& input) const = 0;
};

/// What every policy decides before it looks at anything else: INTERRUPTED when the command
/// timed out, ERROR when the channel to the testbed failed (255 from a command run there), with
/// exit_code_verdict's reasons; nullopt otherwise.
std::optional<Verdict> infrastructure_verdict(const VerdictInput& input);

/// The policy `name` ("exit-code", "golden-output", "guest-reported") configured from
/// `params`. Throws sdk::ConfigError for an unknown name or a bad setting (e.g. a filter that
/// is not a valid regular expression), naming the param.
std::unique_ptr<VerdictPolicy> make_verdict_policy(const std::string& name,
                                                   const sdk::Params& params);

}  // namespace vt::core
