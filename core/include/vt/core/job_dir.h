// The job directory (DESIGN.md "Jobs and results"):
//   <results-dir>/<job-id>/ run.log job.json results.json debug.log
//                           tests/<id>/{test.log,stdout,stderr,params.json,console.log,...}
//   <results-dir>/latest -> <job-id>
#pragma once

#include <chrono>
#include <filesystem>
#include <string>

namespace vt::core {

class JobDir {
 public:
  /// Creates a new, uniquely named job directory under `results_dir` (created if missing) and
  /// points `results_dir/latest` at it. Throws sdk::Error when it cannot.
  static JobDir create(const std::filesystem::path& results_dir,
                       std::chrono::system_clock::time_point started);

  /// Uses `dir` itself as the job directory (`run -w`): created if missing, refused (sdk::Error)
  /// when it holds anything already. The id is its file name.
  static JobDir create_at(const std::filesystem::path& dir);

  const std::string& id() const noexcept { return id_; }
  const std::filesystem::path& path() const noexcept { return path_; }

  /// "tests/<id>" (attempt 0) or "tests/<id>.<attempt>" (retries), relative to path().
  static std::string test_logdir(const std::string& test_id, int attempt = 0);

  std::filesystem::path run_log() const { return path_ / "run.log"; }
  std::filesystem::path job_json() const { return path_ / "job.json"; }
  std::filesystem::path results_json() const { return path_ / "results.json"; }
  std::filesystem::path debug_log() const { return path_ / "debug.log"; }

 private:
  JobDir(std::string id, std::filesystem::path path) : id_(std::move(id)), path_(std::move(path)) {}
  std::string id_;
  std::filesystem::path path_;
};

}  // namespace vt::core
