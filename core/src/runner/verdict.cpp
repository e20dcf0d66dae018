#include "runner/verdict.h"

#include <cstring>

#include "runner/golden_output.h"
#include "runner/guest_status.h"
#include "vt/sdk/error.h"

namespace vt::core {

Verdict exit_code_verdict(const sdk::ExecResult& result, std::chrono::seconds timeout,
                          bool ran_on_testbed) {
  if (result.timed_out)
    return {sdk::Status::interrupted,
            "timed out after " + std::to_string(timeout.count()) + " s; process tree killed"};
  const int code = result.exit_status;
  switch (code) {
    case 0:
      return {sdk::Status::pass, ""};
    case 77:
      return {sdk::Status::skip, "exit status 77 (skip)"};
    case 99:
      return {sdk::Status::error, "exit status 99 (error)"};
    default:
      break;
  }
  if (ran_on_testbed && code == sdk::channel_failure)
    return {sdk::Status::error, "exit status 255: the channel to the testbed failed"};
  if (code > 128 && code < 128 + 65)
    return {sdk::Status::fail,
            "killed by signal " + std::to_string(code - 128) + " (" + strsignal(code - 128) + ")"};
  return {sdk::Status::fail, "exit status " + std::to_string(code)};
}

std::optional<Verdict> infrastructure_verdict(const VerdictInput& input) {
  if (input.result.timed_out ||
      (input.ran_on_testbed && input.result.exit_status == sdk::channel_failure))
    return exit_code_verdict(input.result, input.timeout, input.ran_on_testbed);
  return std::nullopt;
}

namespace {

class ExitCodePolicy final : public VerdictPolicy {
 public:
  Verdict decide(const VerdictInput& input) const override {
    return exit_code_verdict(input.result, input.timeout, input.ran_on_testbed);
  }
};

}  // namespace

std::unique_ptr<VerdictPolicy> make_verdict_policy(const std::string& name,
                                                   const sdk::Params& params) {
  if (name == "exit-code") return std::make_unique<ExitCodePolicy>();
  if (name == "golden-output") return std::make_unique<GoldenOutputPolicy>(params);
  if (name == "guest-reported") return std::make_unique<GuestStatusPolicy>(params);
  throw sdk::ConfigError("unknown verdict policy '" + name +
                         "': expected 'exit-code', 'golden-output' or 'guest-reported' — fix "
                         "the test's `verdict`");
}

}  // namespace vt::core
