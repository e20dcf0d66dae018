// The host's process layer: every process vtrun starts (test commands, QEMU, helpers) runs in
// its own session and is killed as a whole tree, so nothing outlives a test or a timeout.
#pragma once

#include <sys/types.h>

#include <memory>

#include "vt/sdk/host.h"
#include "vt/sdk/types.h"

namespace vt::core {

/// Runs `request` on the host to completion (see sdk::Host::run). When the command exits, any
/// process it left behind in its session is killed, so a test cannot leak background jobs.
/// Throws sdk::Error when the command cannot be started (naming the command and errno).
sdk::ExecResult run_process(const sdk::ExecRequest& request, sdk::OutputSink* sink);

/// Starts `request` in the background (see sdk::Host::spawn).
std::unique_ptr<sdk::Process> spawn_process(const sdk::ExecRequest& request, sdk::OutputSink* sink);

/// SIGKILLs every process in session `session` and every descendant of `root` except `root`
/// itself if `spare_root` (its parent reaps it to learn its status), repeating until none is
/// left, so processes forked meanwhile are caught too. Reaps those that are our children.
void kill_process_tree(pid_t root, pid_t session, bool spare_root);

/// Kills the tree of every process started through this layer that is still running (used when
/// the job is interrupted). Async-signal-unsafe: call it from a normal thread.
void kill_all_processes();

/// Makes this process the reaper of orphans from its descendants (PR_SET_CHILD_SUBREAPER), so
/// a daemon a test left behind after its parent died becomes our child instead of init's, and
/// kill_stray_children() can still find it. Call once, early in main().
void become_subreaper();

/// Kills the trees of our children that this layer did not start (orphans adopted as a
/// subreaper) and reaps them. Returns how many there were.
int kill_stray_children();

/// Pids of the processes whose parent is `parent` (zombies included).
std::vector<pid_t> children_of(pid_t parent);

/// Pids of live (non-zombie) processes in `session` or descending from `root`; for tests.
std::vector<pid_t> process_tree_for_test(pid_t root, pid_t session);

}  // namespace vt::core
