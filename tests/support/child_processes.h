// Processes the tests need: a pid that belongs to no process, a `sleep 300` child that a sweep
// (in this process or in `vtrun gc`) may kill, and whether a process still runs.
#pragma once

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <fstream>
#include <string>
#include <thread>

namespace vt::test_support {

/// Running, as opposed to gone or a zombie waiting to be reaped (dead all the same).
inline bool alive(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string text;
  if (!std::getline(in, text)) return false;
  const auto close = text.rfind(')');
  return close != std::string::npos && close + 2 < text.size() && text[close + 2] != 'Z' &&
         text[close + 2] != 'X';
}

/// A pid that surely belongs to no process: a child that has exited and been reaped.
inline pid_t dead_pid() {
  const pid_t pid = fork();
  if (pid == 0) _exit(0);
  waitpid(pid, nullptr, 0);
  return pid;
}

/// A `sleep 300` child; killed and reaped at the end if nothing else ended it.
class Sleeper {
 public:
  Sleeper() : pid_(fork()) {
    if (pid_ == 0) {
      execlp("sleep", "sleep", "300", static_cast<char*>(nullptr));
      _exit(127);
    }
  }
  ~Sleeper() {
    if (!reaped_) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
  }
  Sleeper(const Sleeper&) = delete;
  Sleeper& operator=(const Sleeper&) = delete;
  pid_t pid() const { return pid_; }

  /// The signal that ended it within `limit` (reaping it), -1 when it exited normally, 0 while
  /// it still runs.
  int ended_by_within(std::chrono::milliseconds limit) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    do {
      int status = 0;
      const pid_t r = waitpid(pid_, &status, WNOHANG);
      if (r == pid_) {
        reaped_ = true;
        return WIFSIGNALED(status) ? WTERMSIG(status) : -1;
      }
      if (r < 0 && errno == ECHILD) {
        reaped_ = true;
        return -1;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    } while (std::chrono::steady_clock::now() < deadline);
    return 0;
  }

 private:
  pid_t pid_;
  bool reaped_ = false;
};

}  // namespace vt::test_support
