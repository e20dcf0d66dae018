// Runs a plan: job directory, testbeds, the test commands, verdicts, reporters, results.
#pragma once

#include <chrono>
#include <cstdint>
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
  std::string scheduler = "parallel";  ///< plan order, as many at once as -j and the budget allow
  sdk::Params scheduler_options;       ///< --scheduler-option, --shard, --slow
  std::optional<std::uint64_t> seed;   ///< --seed; nullopt: from the clock (recorded in job.json)
  unsigned jobs = 1;                   ///< -j: slots; 0: one per CPU
  /// The host budget tests' costs are counted against (docs/scheduling.md); 0: the machine's
  /// CPUs / memory. A test that alone exceeds it runs when nothing else does.
  unsigned max_cpus = 0;
  std::uint64_t max_mem_mib = 0;
  std::filesystem::path lock_dir;  ///< flock files of named locks; empty: default_lock_dir()
  int retries = 0;                 ///< --retries: FAILed tests run again up to this many times
  bool retry_errors = false;       ///< --retry-errors: ERROR and INTERRUPTED are retried too
  bool overwrite = false;          ///< -o: golden-output tests record their output
  bool loop = false;               ///< --loop: run the plan again and again until stopped
  bool shell_fail = false;         ///< --shell-fail: a shell on the testbed of a failing test
  bool keep_testbed = false;       ///< --keep-testbed: failing tests' testbeds stay up
  bool shell_before = false;       ///< -i: a shell on the testbed before the test runs
  /// -w: the job directory itself (created, must be empty) instead of a new one in
  /// results_dir; no `latest` link.
  std::filesystem::path workspace;
  /// The appengine compatibility mode: run.log in Pantavisor's runner's format and its exit
  /// status (1 when a test ended FAILED or ABORTED, else 0).
  bool pvtest_compat = false;
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

/// The tests of `plan` the scheduler of `options` chooses (its select()), in plan order: what
/// `vtrun list --shard 2/4` prints and `vtrun run --shard 2/4` runs.
std::vector<TestCase> scheduled_tests(const std::vector<TestCase>& plan, const RunOptions& options,
                                      const PluginRegistry& registry, CoreHost& host);

/// Asks a running job to stop (SIGINT, SIGTERM). The first call stops scheduling and asks
/// running tests to end: their commands get SIGTERM and may clean up, testbeds close normally,
/// they end INTERRUPTED and tests not started are CANCELed. The second call kills the tests'
/// process trees and testbeds at once. Async-signal-safe.
void request_interrupt() noexcept;

/// Asks a running job to start no more tests and end when the running ones have finished on
/// their own (`vtrun stop`, and SIGTERM under --loop). Async-signal-safe.
void request_stop() noexcept;

/// Whether request_interrupt() was called.
bool interrupt_requested() noexcept;

/// Whether request_stop() or request_interrupt() was called.
bool stop_requested() noexcept;

/// SIGTERM: under --loop (set_loop_mode) the first one is request_stop(), so the running tests
/// finish; otherwise, and every later one, request_interrupt(). Async-signal-safe.
void request_termination() noexcept;
void set_loop_mode(bool on) noexcept;

/// How many times request_interrupt() was called (2 or more: kill everything now).
int interrupt_count() noexcept;

/// Where named locks live unless RunOptions::lock_dir says otherwise: $VTRUN_LOCK_DIR, else
/// /tmp/vtrun-locks, shared by every user of the host (mode 1777).
std::filesystem::path default_lock_dir();

}  // namespace vt::core
