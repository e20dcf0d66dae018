// Reading a finished or running job's files back: job.json and results.json (stop, replay).
#pragma once

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace vt::core::cli {

/// The job directory `spec` names: a path to one, or a job id (or `latest`) under
/// `results_dir`. Throws sdk::ConfigError naming both places when neither exists.
std::filesystem::path find_job_dir(const std::string& spec,
                                   const std::filesystem::path& results_dir);

/// Parses `<job>/<name>`. Throws sdk::ConfigError naming the file when it is missing or broken.
nlohmann::json read_job_file(const std::filesystem::path& job_dir, const char* name);

/// Job directories under `results_dir` whose vtrun is still running (job.json's pid and its
/// start time match a live process and no exit code was written).
std::vector<std::filesystem::path> running_jobs(const std::filesystem::path& results_dir);

/// The pid of the vtrun running job `job_dir`, or 0 when it has ended.
int running_pid(const std::filesystem::path& job_dir);

}  // namespace vt::core::cli
