// Services the core offers every plugin: logging, process supervision, scratch directories and
// the resource ledger. A plugin receives a `Host&` in its factory call; the Host outlives every
// object the plugin creates, and all of its members are thread-safe.
#pragma once

#include <chrono>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "vt/sdk/types.h"

namespace vt::sdk {

enum class LogLevel { trace, debug, info, warn, error };

/// A process started on the host. It runs in its own session; `kill_tree` kills it together
/// with every descendant (also those that double-forked or called setsid). Destroying a
/// Process that is still running kills its tree.
class Process {
 public:
  virtual ~Process();
  virtual int pid() const = 0;
  /// Blocks until the process exits or `timeout` (0 = forever) passes. Returns its exit status
  /// (128+N for signal N) or nullopt on timeout. Output is delivered to the sink given at spawn.
  virtual std::optional<int> wait(std::chrono::milliseconds timeout) = 0;
  /// SIGKILLs the whole tree and reaps it. Idempotent.
  virtual void kill_tree() = 0;
};

/// A record of something a plugin created outside vtrun's own memory (a VM, an overlay, a
/// container, a process) so that `vtrun gc` can remove it if vtrun dies before releasing it.
struct LedgerEntry {
  std::string kind;                       ///< "process", "vm", "overlay", "container", ...
  std::string name;                       ///< unique, e.g. "vtrun-job42-vm1"
  std::vector<std::string> cleanup_argv;  ///< host command that removes it (may be empty)
  std::optional<int> pid;                 ///< a process to SIGKILL on cleanup, if any
};

/// Thread-safe; entries are persisted before `record` returns.
class ResourceLedger {
 public:
  virtual ~ResourceLedger();
  /// Call before creating the resource. Returns a token to pass to `release`.
  virtual std::string record(const LedgerEntry& entry) = 0;
  /// Call after the resource is gone. Unknown tokens are ignored.
  virtual void release(const std::string& token) = 0;
};

class Host {
 public:
  virtual ~Host();

  /// Logs a line attributed to `component` (usually the plugin's name).
  virtual void log(LogLevel level, std::string_view component, std::string_view message) = 0;

  /// Runs a host command to completion. `request.cwd` is a host path. With a sink, output is
  /// streamed to it; without, it is collected into the result. On timeout the process tree is
  /// killed and `timed_out` set. Throws Error when the command cannot be started at all.
  virtual ExecResult run(const ExecRequest& request, OutputSink* sink) = 0;

  /// Starts a host command in the background. Output goes to `sink` (owned by the caller, must
  /// outlive the Process) or, when null, to /dev/null. `request.timeout` is ignored. The
  /// process gets SIGKILL when the thread that spawned it (and so vtrun) dies, so a crash never
  /// leaves it running.
  virtual std::unique_ptr<Process> spawn(const ExecRequest& request, OutputSink* sink) = 0;

  /// Creates a fresh, empty, private directory that the core removes at the end of the job.
  virtual std::filesystem::path make_scratch_dir(std::string_view purpose) = 0;

  /// The ledger of resources created outside the process.
  virtual ResourceLedger& ledger() = 0;

  /// Calls `callback(context)` when this Host ends (the job is over), newest first, before the
  /// scratch directories go: where a plugin releases what it kept for the whole job (saved VM
  /// states). A plain function pointer, not std::function, to keep the boundary simple
  /// (STYLE.md). The callback must not throw.
  virtual void at_shutdown(void (*callback)(void* context), void* context) = 0;
};

}  // namespace vt::sdk
