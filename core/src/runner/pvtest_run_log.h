// run.log in the format of Pantavisor's runner (`test.docker.sh`), for the appengine
// compatibility mode: `[pvtest] <epoch> LEVEL -- [vtrun]: '<id>' PASSED (<s> s)` per attempt,
// FAILED ones followed by their diff, retries announced, and a SUMMARY block at the end that
// repeats every result. Tools that read the reference's run.log read this one.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "vt/sdk/types.h"

namespace vt::core {

/// `[pvtest] <epoch> LEVEL -- [vtrun]: message\n`.
std::string pvtest_log_line(const char* level, const std::string& message);

/// PASSED, FAILED, ABORTED or SKIPPED: the reference's four outcomes. FAIL and ERROR are
/// FAILED (pvtest-run exits 1 for a mismatch and for a setup error alike), INTERRUPTED is
/// ABORTED (exit 2), SKIP and CANCEL are SKIPPED, PASS and WARN are PASSED.
const char* pvtest_status(sdk::Status status) noexcept;

/// The lines of one attempt: its result line under the attempt's id (`<id>.k` for retry k)
/// and, when it FAILED, `--- diff: <id> ---`, the diff (`<job>/<logdir>/diff`, else the
/// reason), `--- end diff ---`.
std::string pvtest_attempt_lines(const sdk::TestResult& attempt, const std::string& attempt_id,
                                 const std::filesystem::path& job_dir);

/// `retry '<id>' attempt k/N after failure`.
std::string pvtest_retry_line(const std::string& id, int attempt, int retries);

/// The SUMMARY block: every result line of `log` (with its diff) between `=` banners.
std::string pvtest_summary(const std::string& log);

/// Whether `results` make Pantavisor's runner exit 1: some test ended FAILED or ABORTED.
bool pvtest_failed(const std::vector<sdk::TestResult>& results);

}  // namespace vt::core
