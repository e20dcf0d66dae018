// A forked command with its pipes (or pty), and the loop that pumps its output.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <optional>

#include "vt/sdk/types.h"

namespace vt::core {

class ChildProcess {
 public:
  /// Forks and execs. Throws sdk::Error when the command cannot be started. With
  /// `die_with_parent` the child gets SIGKILL when the forking thread dies (PR_SET_PDEATHSIG).
  explicit ChildProcess(const sdk::ExecRequest& request, bool die_with_parent = false);
  ~ChildProcess();
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  pid_t pid() const noexcept { return pid_; }

  /// Delivers output to `sink` (or collects it into `collected`) and feeds stdin until the
  /// command exits or `deadline` passes. Returns the exit status, or nullopt at the deadline
  /// (the command is still running then). After the exit, leftovers of the session are killed
  /// and the remaining output drained.
  std::optional<int> pump(sdk::OutputSink* sink, sdk::ExecResult* collected,
                          std::optional<std::chrono::steady_clock::time_point> deadline);

  /// Kills the tree, drains what is left and reaps the command. Returns its status.
  int kill_and_reap(sdk::OutputSink* sink, sdk::ExecResult* collected);

  bool exited() const noexcept { return status_.has_value(); }
  std::optional<int> status() const noexcept { return status_; }

 private:
  void deliver(int fd, sdk::OutputSink* sink, sdk::ExecResult* collected);
  void drain(sdk::OutputSink* sink, sdk::ExecResult* collected);
  void close_fd(int& fd) noexcept;
  bool try_reap(int options);

  pid_t pid_ = -1;
  int pidfd_ = -1;
  int out_fd_ = -1;  // stdout, or the pty master
  int err_fd_ = -1;  // stderr; -1 with a pty
  int in_fd_ = -1;   // stdin pipe; -1 with a pty or once everything is written
  std::string stdin_data_;
  std::size_t stdin_written_ = 0;
  bool pty_ = false;
  std::optional<int> status_;
};

}  // namespace vt::core
