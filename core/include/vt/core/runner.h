// Runs a plan: job directory, testbeds, the test commands, verdicts, reporters, results.
#pragma once

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "vt/core/core_host.h"
#include "vt/core/plugin_registry.h"
#include "vt/core/provider.h"
#include "vt/core/test_case.h"
#include "vt/sdk/types.h"

namespace vt::core {

/// Exit status bits of `vtrun run` (Avocado's convention; a user-facing contract).
namespace exit_bits {
inline constexpr int tests_failed = 1;  ///< a test is FAIL or ERROR
inline constexpr int job_error = 2;     ///< the job could not run as asked (bad input)
inline constexpr int framework = 4;     ///< vtrun itself failed
inline constexpr int interrupted = 8;   ///< a test timed out or the job was interrupted
}  // namespace exit_bits

struct ReporterRequest {
  std::string name;
  std::filesystem::path output;  ///< empty: the reporter's default
};

struct RunOptions {
  std::string backend = "local";
  std::string scheduler;  ///< empty: "parallel" when jobs != 1, else "sequential"
  unsigned jobs = 1;      ///< 0: one per CPU
  std::optional<std::chrono::seconds> timeout_override;  ///< --timeout: for every test
  std::chrono::seconds default_timeout{300};             ///< for tests that set none
  std::vector<ReporterRequest> reporters;                ///< empty: console
  std::filesystem::path results_dir = "vtrun-results";
  std::vector<std::string> command;  ///< vtrun's argv, recorded in job.json
  std::filesystem::path providers_dir;
  std::filesystem::path vtctl;  ///< the vtctl executable tests get on their PATH
  bool terminal = false;        ///< stdout is a terminal
};

struct JobOutcome {
  std::filesystem::path job_dir;
  sdk::JobSummary summary;
};

/// Runs `plan` and returns when every test has a result (or the job was interrupted).
/// Results are on disk after each test, so an interrupted job keeps what it produced.
/// Throws sdk::ConfigError for a bad option (unknown backend, reporter, scheduler) before any
/// test runs.
JobOutcome run_job(const std::vector<TestCase>& plan, const std::vector<Provider>& providers,
                   const RunOptions& options, const PluginRegistry& registry, CoreHost& host);

/// Asks a running job to stop: running tests are killed and marked INTERRUPTED, tests not yet
/// started are CANCELed. Async-signal-safe.
void request_interrupt() noexcept;

/// Whether request_interrupt() was called.
bool interrupt_requested() noexcept;

}  // namespace vt::core
