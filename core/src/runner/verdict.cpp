#include "runner/verdict.h"

#include <cstring>

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

}  // namespace vt::core
