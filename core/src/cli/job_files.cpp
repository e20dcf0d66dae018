#include "cli/job_files.h"

#include <fstream>

#include "vt/core/ledger_sweep.h"
#include "vt/sdk/error.h"

namespace vt::core::cli {

namespace fs = std::filesystem;

fs::path find_job_dir(const std::string& spec, const fs::path& results_dir) {
  std::error_code ec;
  if (fs::is_regular_file(fs::path(spec) / "job.json", ec)) return fs::absolute(spec);
  const fs::path under = results_dir / spec;
  if (fs::is_regular_file(under / "job.json", ec)) return fs::canonical(under, ec);
  throw sdk::ConfigError("no job '" + spec + "': neither '" + spec + "' nor '" + under.string() +
                         "' is a job directory (with job.json) — `ls " + results_dir.string() +
                         "` shows the jobs; -r/--results-dir picks another results directory");
}

nlohmann::json read_job_file(const fs::path& job_dir, const char* name) {
  const fs::path file = job_dir / name;
  std::ifstream in(file);
  if (!in) throw sdk::ConfigError(file.string() + ": cannot be read");
  try {
    return nlohmann::json::parse(in);
  } catch (const std::exception& e) {
    throw sdk::ConfigError(file.string() + ": not valid JSON (" + e.what() + ")");
  }
}

int running_pid(const fs::path& job_dir) {
  nlohmann::json doc;
  try {
    doc = read_job_file(job_dir, "job.json");
  } catch (const std::exception&) {
    return 0;
  }
  if (doc.contains("exit_code") || !doc.contains("pid")) return 0;
  const int pid = doc.value("pid", 0);
  const std::uint64_t start = doc.value("pid_start", std::uint64_t{0});
  if (pid <= 0 || !is_same_process(pid, start != 0 ? std::optional(start) : std::nullopt)) return 0;
  return pid;
}

std::vector<fs::path> running_jobs(const fs::path& results_dir) {
  std::vector<fs::path> out;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(results_dir, ec)) {
    if (entry.is_symlink(ec) || !entry.is_directory(ec)) continue;
    if (running_pid(entry.path()) != 0) out.push_back(entry.path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace vt::core::cli
