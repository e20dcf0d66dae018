// What the job loop writes about results: run.log lines, the exit bitmask, the log directory
// of an attempt, and the result of a test that never ran.
#pragma once

#include <string>
#include <vector>

#include "vt/core/test_case.h"
#include "vt/sdk/types.h"

namespace vt::core {

/// vtrun run's exit bitmask for these results (runner.h, exit_bits).
int exit_code_for(const std::vector<sdk::TestResult>& results, bool job_interrupted);

/// One line of run.log: status, duration, id, attempts, reason.
std::string run_log_line(const sdk::TestResult& r);

/// tests/<id>[.k]; round n > 1 of --loop under rounds/<n>/.
std::string logdir_for(const std::string& id, int attempt, int round);

/// The result of a test that never ran.
sdk::TestResult not_run(const TestCase& t, sdk::Status status, std::string reason, int round);

}  // namespace vt::core
