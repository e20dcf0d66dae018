// Plain value types shared by the core and plugins.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace vt::sdk {

/// A test's parameters: Avocado-VT's flat string dictionary (`mem = 512`, `vms = vm1 vm2`).
using Params = std::map<std::string, std::string>;

/// The outcome of one test. The names (`to_string`) are a user-facing contract.
enum class Status { pass, fail, error, skip, warn, cancel, interrupted };

/// "PASS", "FAIL", "ERROR", "SKIP", "WARN", "CANCEL", "INTERRUPTED".
std::string_view to_string(Status status) noexcept;
/// Inverse of to_string; nullopt for anything else (case-sensitive).
std::optional<Status> status_from_string(std::string_view name) noexcept;

/// Which output stream a chunk of bytes came from.
enum class Stream { out, err };

/// Capability names, as autopkgtest's virt-server protocol defines them, plus vtrun's own.
namespace cap {
inline constexpr const char* revert = "revert";
inline constexpr const char* revert_full_system = "revert-full-system";
inline constexpr const char* reboot = "reboot";
inline constexpr const char* root_on_testbed = "root-on-testbed";
inline constexpr const char* isolation_container = "isolation-container";
inline constexpr const char* isolation_machine = "isolation-machine";
inline constexpr const char* snapshot = "snapshot";
inline constexpr const char* parallel_safe = "parallel-safe";
inline constexpr const char* console = "console";
}  // namespace cap

/// The set of capability names a testbed offers (unknown names are ignored by the core).
using Capabilities = std::set<std::string>;

/// Receives output as it is produced. Called from the thread that runs the command; an
/// implementation shared between commands must do its own locking. Must not throw.
class OutputSink {
 public:
  virtual ~OutputSink();
  virtual void on_output(Stream stream, std::string_view bytes) = 0;
};

/// One command to run, on the host or on a testbed.
struct ExecRequest {
  std::vector<std::string> argv;           ///< argv[0] is looked up in PATH when it has no '/'
  std::map<std::string, std::string> env;  ///< added to (and overriding) the default environment
  std::string cwd;                         ///< empty: the testbed's scratch directory / host cwd
  std::string stdin_data;                  ///< written to the command's stdin, then closed
  std::chrono::milliseconds timeout{0};    ///< 0: no limit; on expiry the process tree is killed
  bool pty = false;  ///< run under a pseudo-terminal: stdout and stderr merge in order, CR LF
};

/// What a command did.
struct ExecResult {
  /// 0..125 the command's exit code; 128+N killed by signal N; 255 the channel failed.
  int exit_status = 255;
  bool timed_out = false;   ///< the timeout expired and the process tree was killed
  std::string stdout_data;  ///< collected only when no OutputSink was given
  std::string stderr_data;  ///< collected only when no OutputSink was given (empty with pty)
};

/// Exit status reserved for "the channel to the testbed failed, not the command".
inline constexpr int channel_failure = 255;

/// What a test takes from the host while it runs, computed by the core from its params
/// (docs/scheduling.md): the budget `--max-cpus` / `--max-mem` is spent in these units.
struct TestCost {
  unsigned machines = 1;      ///< testbeds it opens (`vms`)
  unsigned cpus = 1;          ///< sum of `smp` over its machines (1 each when unset)
  std::uint64_t mem_mib = 0;  ///< sum of `mem` over its machines (0 when unset: not counted)
};

/// A test as the scheduler and reporters see it.
struct TestInfo {
  std::string id;        ///< unique in the plan; dots group tests (`boot.smoke`)
  std::string provider;  ///< name of the provider it came from
  std::vector<std::string> tags;
  int priority = 0;
  std::vector<std::string> depends;  ///< ids this test needs to have PASSed
  Params params;
  TestCost cost;
  /// Named exclusive resources held while it runs: two tests sharing one never overlap, also
  /// across vtrun processes on the host (flock in the lock directory).
  std::vector<std::string> locks;
  bool slow = false;  ///< tagged `slow` (or param `slow = yes`): schedulers may leave it out
};

/// The result of one test, after all its attempts.
struct TestResult {
  std::string id;
  std::string provider;
  Status status = Status::error;
  std::string reason;  ///< why it is not PASS (or a note), one line
  int attempts = 1;    ///< runs it took; > 1 with PASS means it passed on a retry (flaky)
  std::chrono::system_clock::time_point started;
  std::chrono::duration<double> duration{0};
  std::string logdir;  ///< relative to the job directory: "tests/<id>"
  std::vector<std::string> tags;
};

/// The job as reporters see it when it starts.
struct JobInfo {
  std::string id;
  std::filesystem::path dir;         ///< absolute job directory
  std::vector<std::string> command;  ///< vtrun's own argv
  std::string backend;
  std::chrono::system_clock::time_point started;
  std::size_t test_count = 0;
};

/// The job as reporters see it when it ends.
struct JobSummary {
  JobInfo job;
  std::chrono::system_clock::time_point finished;
  std::vector<TestResult> tests;  ///< in plan order
  int exit_code = 0;              ///< the bitmask `vtrun run` exits with
  std::string error;              ///< non-empty when the job itself failed
};

/// The results document (`results.json`), rendered the same way by the core and the json
/// reporter. `indent` < 0 renders one line.
std::string render_results_json(const JobSummary& summary, int indent = 2);

}  // namespace vt::sdk
