#include "runner/job_results.h"

#include <chrono>
#include <cstdio>

#include "vt/core/job_dir.h"
#include "vt/core/runner.h"

namespace vt::core {

int exit_code_for(const std::vector<sdk::TestResult>& results, bool job_interrupted) {
  int code = job_interrupted ? exit_bits::interrupted : 0;
  for (const auto& r : results) {
    if (r.status == sdk::Status::fail || r.status == sdk::Status::error)
      code |= exit_bits::tests_failed;
    if (r.status == sdk::Status::interrupted) code |= exit_bits::interrupted;
  }
  return code;
}

std::string run_log_line(const sdk::TestResult& r) {
  char duration[32];
  std::snprintf(duration, sizeof duration, "%8.2f s", r.duration.count());
  std::string line = std::string(sdk::to_string(r.status));
  line.resize(12, ' ');
  std::string attempts = r.attempts > 1 ? "  [" + std::to_string(r.attempts) + " attempts]" : "";
  return line + duration + "  " + r.id + attempts +
         (r.reason.empty() ? "" : "  (" + r.reason + ")") + "\n";
}

// Round 1 keeps DESIGN.md's layout.
std::string logdir_for(const std::string& id, int attempt, int round) {
  const std::string dir = JobDir::test_logdir(id, attempt);
  return round <= 1 ? dir : "rounds/" + std::to_string(round) + "/" + dir;
}

sdk::TestResult not_run(const TestCase& t, sdk::Status status, std::string reason, int round) {
  sdk::TestResult r;
  r.id = t.id;
  r.provider = t.provider;
  r.tags = t.tags;
  r.status = status;
  r.reason = std::move(reason);
  r.started = std::chrono::system_clock::now();
  r.logdir = logdir_for(t.id, 0, round);
  return r;
}

}  // namespace vt::core
