#include "runner/pvtest_run_log.h"

#include <cmath>
#include <ctime>
#include <sstream>

#include "vt/sdk/files.h"

namespace vt::core {

namespace fs = std::filesystem;

std::string pvtest_log_line(const char* level, const std::string& message) {
  return "[pvtest] " + std::to_string(std::time(nullptr)) + " " + level +
         " -- [vtrun]: " + message + "\n";
}

const char* pvtest_status(sdk::Status status) noexcept {
  switch (status) {
    case sdk::Status::pass:
    case sdk::Status::warn:
      return "PASSED";
    case sdk::Status::fail:
    case sdk::Status::error:
      return "FAILED";
    case sdk::Status::interrupted:
      return "ABORTED";
    case sdk::Status::skip:
    case sdk::Status::cancel:
      return "SKIPPED";
  }
  return "FAILED";
}

std::string pvtest_attempt_lines(const sdk::TestResult& attempt, const std::string& attempt_id,
                                 const fs::path& job_dir) {
  const std::string status = pvtest_status(attempt.status);
  const bool failed = status == "FAILED";
  std::string lines;
  if (attempt.status == sdk::Status::skip || attempt.status == sdk::Status::cancel)
    lines = pvtest_log_line("INFO", "'" + attempt_id + "' SKIPPED");
  else
    lines = pvtest_log_line(
        failed ? "ERROR" : "INFO",
        "'" + attempt_id + "' " + status + " (" +
            std::to_string(static_cast<long>(std::lround(attempt.duration.count()))) + " s)");
  if (!failed) return lines;
  std::string diff;
  try {
    diff = sdk::read_file(job_dir / attempt.logdir / "diff");
  } catch (const std::exception&) {
    diff = attempt.reason + "\n";  // no comparison happened: say why instead
  }
  if (!diff.empty() && diff.back() != '\n') diff += '\n';
  return lines + "--- diff: " + attempt_id + " ---\n" + diff + "--- end diff ---\n";
}

std::string pvtest_retry_line(const std::string& id, int attempt, int retries) {
  return pvtest_log_line("INFO", "retry '" + id + "' attempt " + std::to_string(attempt) + "/" +
                                     std::to_string(retries) + " after failure");
}

std::string pvtest_summary(const std::string& log) {
  const std::string banner(80, '=');
  std::string out = banner + "\nSUMMARY\n" + banner + "\n";
  std::istringstream in(log);
  bool in_diff = false;
  for (std::string line; std::getline(in, line);) {
    const bool result =
        line.find(" -- [vtrun]: '") != std::string::npos &&
        (line.find("' PASSED") != std::string::npos || line.find("' FAILED") != std::string::npos ||
         line.find("' ABORTED") != std::string::npos ||
         line.find("' SKIPPED") != std::string::npos);
    if (line.rfind("--- diff: ", 0) == 0) in_diff = true;
    if (result || in_diff) out += line + "\n";
    if (line == "--- end diff ---") in_diff = false;
  }
  return out + banner + "\n";
}

bool pvtest_failed(const std::vector<sdk::TestResult>& results) {
  for (const auto& r : results) {
    const std::string status = pvtest_status(r.status);
    if (status == "FAILED" || status == "ABORTED") return true;
  }
  return false;
}

}  // namespace vt::core
