#include "vt/core/job_dir.h"

#include <unistd.h>

#include <random>

#include "vt/core/atomic_file.h"
#include "vt/sdk/error.h"

namespace vt::core {

namespace fs = std::filesystem;

JobDir JobDir::create(const fs::path& results_dir, std::chrono::system_clock::time_point started) {
  std::error_code ec;
  fs::create_directories(results_dir, ec);
  if (ec)
    throw sdk::Error("cannot create results directory '" + results_dir.string() +
                     "': " + ec.message() + " — choose another with --results-dir");
  const std::time_t tt = std::chrono::system_clock::to_time_t(started);
  std::tm tm{};
  localtime_r(&tt, &tm);
  char stamp[32];
  std::strftime(stamp, sizeof stamp, "%Y%m%dT%H%M%S", &tm);
  std::random_device rd;
  for (int attempt = 0; attempt < 100; ++attempt) {
    char suffix[8];
    std::snprintf(suffix, sizeof suffix, "%06x", rd() & 0xffffffu);
    const std::string id = std::string("job-") + stamp + "-" + suffix;
    const fs::path dir = fs::absolute(results_dir) / id;
    if (fs::create_directory(dir, ec)) {
      fs::create_directory(dir / "tests", ec);
      replace_symlink_atomic(id, results_dir / "latest");
      return JobDir(id, dir);
    }
  }
  throw sdk::Error("cannot create a job directory in '" + results_dir.string() + "'");
}

JobDir JobDir::create_at(const fs::path& dir) {
  std::error_code ec;
  const fs::path path = fs::absolute(dir).lexically_normal();
  fs::create_directories(path, ec);
  if (ec)
    throw sdk::Error("cannot create the workspace '" + path.string() + "': " + ec.message() +
                     " — choose another with -w");
  if (!fs::is_empty(path, ec))
    throw sdk::Error("the workspace '" + path.string() +
                     "' is not empty — results must not mix with an earlier run's: give a new or "
                     "empty directory to -w");
  fs::create_directory(path / "tests", ec);
  const std::string name = path.has_filename() ? path.filename().string() : "workspace";
  return JobDir(name, path);
}

std::string JobDir::test_logdir(const std::string& test_id, int attempt) {
  return "tests/" + test_id + (attempt > 0 ? "." + std::to_string(attempt) : std::string());
}

}  // namespace vt::core
