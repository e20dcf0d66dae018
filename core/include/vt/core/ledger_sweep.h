// Removing what crashed runs left behind: every ledger entry (FileLedger's JSON files) whose
// owner is dead is cleaned up and dropped (`vtrun gc`, and quietly at the start of `vtrun run`).
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "vt/sdk/host.h"

namespace vt::core {

/// The start time of process `pid` (field 22 of /proc/PID/stat, clock ticks since boot), or
/// nullopt when there is no such process or it is a zombie (dead, waiting to be reaped).
/// Together with the pid it names one process: a recycled pid has another start time.
std::optional<std::uint64_t> process_start_time(pid_t pid);

/// Alive: a process has `pid` and, when one was recorded, the start time `recorded_start`.
bool is_same_process(int pid, const std::optional<std::uint64_t>& recorded_start);

struct SweepOptions {
  bool dry_run = false;  ///< only decide; run nothing, kill nothing, delete nothing
  std::chrono::milliseconds cleanup_timeout{std::chrono::seconds(60)};  ///< per cleanup command
};

/// What happened to one file of the ledger.
struct SweepItem {
  enum class Action {
    removed,     ///< owner dead: cleaned up and dropped (with dry_run: would be)
    kept,        ///< owner still running: left alone
    failed,      ///< owner dead, but its cleanup could not start or timed out: kept
    unreadable,  ///< not a ledger entry vtrun can read: left alone
  };
  Action action = Action::kept;
  std::filesystem::path file;
  std::string kind;
  std::string name;
  int owner_pid = 0;
  /// removed: what cleanup did ("cleanup exited 1", "killed pid 42"); failed/unreadable: why.
  std::vector<std::string> notes;
};

struct SweepReport {
  std::vector<SweepItem> items;  ///< sorted by file name
  /// How many items have `action`.
  std::size_t count(SweepItem::Action action) const;
  /// False when an entry of a dead owner could not be cleaned up (unreadable files only
  /// warrant a report: they name no resource vtrun could remove).
  bool ok() const { return count(SweepItem::Action::failed) == 0; }
};

/// Sweeps the ledger directory `dir` (a missing directory is an empty ledger). Entries of dead
/// owners (no process `owner_pid`, or one with another start time than `owner_start`): their
/// `pid` is SIGKILLed with its descendants if that process still exists (and has `pid_start`,
/// when recorded), their cleanup command runs through `host` (a non-zero exit is noted, not a
/// failure: `pkill` exits 1 when nothing matched), then the file is deleted. Holds an flock on
/// `dir/.sweep.lock`, so two sweeps never clean up the same entry twice. Throws sdk::Error only
/// when the directory cannot be listed.
SweepReport sweep_ledger(const std::filesystem::path& dir, sdk::Host& host,
                         const SweepOptions& options = {});

}  // namespace vt::core
