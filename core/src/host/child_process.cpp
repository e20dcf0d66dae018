#include "host/child_process.h"

#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "vt/core/process.h"
#include "vt/sdk/error.h"

extern char** environ;

namespace vt::core {

namespace {

using Clock = std::chrono::steady_clock;

std::string errno_text(int err) {
  return std::strerror(err);
}

// PATH lookup done before fork(): execvp is not async-signal-safe in a threaded parent.
std::string resolve_executable(const std::string& name, const std::string& path_var) {
  if (name.find('/') != std::string::npos) return name;
  std::size_t start = 0;
  while (start <= path_var.size()) {
    auto end = path_var.find(':', start);
    if (end == std::string::npos) end = path_var.size();
    std::string dir = path_var.substr(start, end - start);
    if (dir.empty()) dir = ".";
    const std::string candidate = dir + "/" + name;
    if (access(candidate.c_str(), X_OK) == 0) return candidate;
    start = end + 1;
  }
  return {};
}

std::vector<std::string> build_environment(const std::map<std::string, std::string>& extra) {
  std::vector<std::string> env;
  for (char** e = environ; *e != nullptr; ++e) {
    const std::string entry(*e);
    const auto eq = entry.find('=');
    if (eq != std::string::npos && extra.count(entry.substr(0, eq)) != 0) continue;
    env.push_back(entry);
  }
  for (const auto& [key, value] : extra) env.push_back(key + "=" + value);
  return env;
}

std::vector<char*> c_strings(std::vector<std::string>& strings) {
  std::vector<char*> out;
  for (auto& s : strings) out.push_back(s.data());
  out.push_back(nullptr);
  return out;
}

void set_nonblocking(int fd) {
  fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
}

// A command that exits without reading all of its stdin must not take vtrun down with SIGPIPE:
// the signal is blocked in this thread for the write, and one the write raised is consumed.
ssize_t write_without_sigpipe(int fd, const char* data, std::size_t size) {
  sigset_t pipe_only, old_mask, pending;
  sigemptyset(&pipe_only);
  sigaddset(&pipe_only, SIGPIPE);
  pthread_sigmask(SIG_BLOCK, &pipe_only, &old_mask);
  sigpending(&pending);
  const bool was_pending = sigismember(&pending, SIGPIPE) == 1;
  const ssize_t n = write(fd, data, size);
  const int err = errno;
  if (n < 0 && err == EPIPE && !was_pending) {
    const timespec no_wait{0, 0};
    sigtimedwait(&pipe_only, nullptr, &no_wait);
  }
  pthread_sigmask(SIG_SETMASK, &old_mask, nullptr);
  errno = err;
  return n;
}

// Roots of every running child, so an interrupted job can kill them all.
std::mutex live_mutex;
std::set<pid_t> live_roots;

void track(pid_t pid, bool alive) {
  std::lock_guard lock(live_mutex);
  if (alive)
    live_roots.insert(pid);
  else
    live_roots.erase(pid);
}

// Whether a command that just exited (and was reaped) can have left processes behind. As a
// subreaper we adopt every orphan, so the leftovers of a reaped command are all below children
// of ours that this layer did not start: none such means nothing is left, and the scan of
// every process on the host is skipped — the common case, and most of a test's overhead.
bool may_have_leftovers() {
  int subreaper = 0;
  if (prctl(PR_GET_CHILD_SUBREAPER, &subreaper) != 0 || subreaper == 0) return true;
  const auto children = children_of(getpid());
  std::lock_guard lock(live_mutex);
  for (pid_t child : children)
    if (live_roots.count(child) == 0) return true;
  return false;
}

int decode_status(int raw) {
  if (WIFEXITED(raw)) return WEXITSTATUS(raw);
  if (WIFSIGNALED(raw)) return 128 + WTERMSIG(raw);
  return sdk::channel_failure;
}

}  // namespace

ChildProcess::ChildProcess(const sdk::ExecRequest& request, bool die_with_parent)
    : stdin_data_(request.stdin_data), pty_(request.pty) {
  if (request.argv.empty()) throw sdk::Error("cannot run an empty command");
  auto env_strings = build_environment(request.env);
  std::string path_var = "/usr/local/bin:/usr/bin:/bin";
  for (const auto& e : env_strings)
    if (e.rfind("PATH=", 0) == 0) path_var = e.substr(5);
  const std::string exe = resolve_executable(request.argv[0], path_var);
  if (exe.empty())
    throw sdk::Error("cannot run '" + request.argv[0] + "': not found in PATH (" + path_var +
                     ") — install it or give its full path");
  std::vector<std::string> argv_strings = request.argv;
  auto argv = c_strings(argv_strings);
  auto envp = c_strings(env_strings);

  int out_pipe[2] = {-1, -1}, err_pipe[2] = {-1, -1}, in_pipe[2] = {-1, -1};
  int status_pipe[2] = {-1, -1};  // carries errno from a failed exec; closes on success
  int master = -1, slave = -1;
  if (pipe2(status_pipe, O_CLOEXEC) != 0) throw sdk::Error("pipe failed: " + errno_text(errno));
  if (pty_) {
    if (openpty(&master, &slave, nullptr, nullptr, nullptr) != 0)
      throw sdk::Error("cannot allocate a pty: " + errno_text(errno));
    fcntl(master, F_SETFD, FD_CLOEXEC);
    fcntl(slave, F_SETFD, FD_CLOEXEC);
    // No echo: stdin data must reach the command, not come back as its output.
    termios tio{};
    if (tcgetattr(slave, &tio) == 0) {
      tio.c_lflag &= ~static_cast<tcflag_t>(ECHO | ECHONL);
      tcsetattr(slave, TCSANOW, &tio);
    }
  } else if (pipe2(out_pipe, O_CLOEXEC) != 0 || pipe2(err_pipe, O_CLOEXEC) != 0 ||
             pipe2(in_pipe, O_CLOEXEC) != 0) {
    throw sdk::Error("pipe failed: " + errno_text(errno));
  }
  const char* cwd = request.cwd.empty() ? nullptr : request.cwd.c_str();

  const pid_t parent = getpid();
  pid_ = fork();
  if (pid_ < 0) throw sdk::Error("fork failed: " + errno_text(errno));
  if (pid_ == 0) {
    // Child: only async-signal-safe calls from here on.
    setsid();
    // The parent may have died before the prctl took effect: then nobody would send it.
    if (die_with_parent &&
        (prctl(PR_SET_PDEATHSIG, SIGKILL, 0UL, 0UL, 0UL) != 0 || getppid() != parent))
      _exit(127);
    if (pty_) {
      ioctl(slave, TIOCSCTTY, 0);
      dup2(slave, 0);
      dup2(slave, 1);
      dup2(slave, 2);
    } else {
      dup2(in_pipe[0], 0);
      dup2(out_pipe[1], 1);
      dup2(err_pipe[1], 2);
    }
    signal(SIGPIPE, SIG_DFL);
    if (cwd != nullptr && chdir(cwd) != 0) {
      int err = errno;
      (void)!write(status_pipe[1], &err, sizeof err);
      _exit(127);
    }
    execve(exe.c_str(), argv.data(), envp.data());
    int err = errno;
    (void)!write(status_pipe[1], &err, sizeof err);
    _exit(127);
  }

  close(status_pipe[1]);
  if (pty_) {
    close(slave);
    out_fd_ = master;
  } else {
    close(out_pipe[1]);
    close(err_pipe[1]);
    close(in_pipe[0]);
    out_fd_ = out_pipe[0];
    err_fd_ = err_pipe[0];
    in_fd_ = in_pipe[1];
  }
  int child_errno = 0;
  ssize_t n;
  do {
    n = read(status_pipe[0], &child_errno, sizeof child_errno);
  } while (n < 0 && errno == EINTR);
  close(status_pipe[0]);
  if (n == static_cast<ssize_t>(sizeof child_errno)) {
    waitpid(pid_, nullptr, 0);
    pid_ = -1;
    close_fd(out_fd_);
    close_fd(err_fd_);
    close_fd(in_fd_);
    const bool cwd_failed = cwd != nullptr && child_errno == ENOENT && access(cwd, F_OK) != 0;
    throw sdk::Error(cwd_failed ? "cannot run '" + request.argv[0] + "': working directory '" +
                                      request.cwd + "' does not exist"
                                : "cannot run '" + exe + "': " + errno_text(child_errno));
  }
  track(pid_, true);
  pidfd_ = static_cast<int>(syscall(SYS_pidfd_open, pid_, 0));
  set_nonblocking(out_fd_);
  if (err_fd_ >= 0) set_nonblocking(err_fd_);
  if (pty_) {
    // Through a pty, end-of-input is the EOF character at the start of a line: one ends the
    // last partial line, the next one is read as end of file.
    // Without data it gets just the end of file, as a closed pipe would give.
    const bool line_open = !stdin_data_.empty() && stdin_data_.back() != '\n';
    stdin_data_ += line_open ? "\x04\x04" : "\x04";
    in_fd_ = fcntl(out_fd_, F_DUPFD_CLOEXEC, 0);
  }
  if (stdin_data_.empty())
    close_fd(in_fd_);
  else
    set_nonblocking(in_fd_);
}

ChildProcess::~ChildProcess() {
  if (pid_ > 0 && !status_) kill_and_reap(nullptr, nullptr);
  close_fd(out_fd_);
  close_fd(err_fd_);
  close_fd(in_fd_);
  close_fd(pidfd_);
}

void ChildProcess::close_fd(int& fd) noexcept {
  if (fd >= 0) close(fd);
  fd = -1;
}

bool ChildProcess::try_reap(int options) {
  if (status_) return true;
  int raw = 0;
  pid_t r;
  do {
    r = waitpid(pid_, &raw, options);
  } while (r < 0 && errno == EINTR);
  if (r == pid_) {
    track(pid_, false);
    status_ = decode_status(raw);
    return true;
  }
  return false;
}

void ChildProcess::deliver(int fd, sdk::OutputSink* sink, sdk::ExecResult* collected) {
  char buf[65536];
  for (;;) {
    const ssize_t n = read(fd, buf, sizeof buf);
    if (n > 0) {
      const sdk::Stream stream = fd == err_fd_ ? sdk::Stream::err : sdk::Stream::out;
      const std::string_view bytes(buf, static_cast<std::size_t>(n));
      if (sink != nullptr)
        sink->on_output(stream, bytes);
      else if (collected != nullptr)
        (stream == sdk::Stream::err ? collected->stderr_data : collected->stdout_data)
            .append(bytes);
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno == EAGAIN) return;
    // EOF, or EIO on a pty master once the slave side is gone.
    if (fd == out_fd_) close_fd(out_fd_);
    if (fd == err_fd_) close_fd(err_fd_);
    return;
  }
}

void ChildProcess::drain(sdk::OutputSink* sink, sdk::ExecResult* collected) {
  // Everything in the tree is dead, so the pipes normally hit EOF at once. A process that
  // escaped the tree (setsid after its parent died) may still hold one: give up after 2 s.
  const auto deadline = Clock::now() + std::chrono::seconds(2);
  while ((out_fd_ >= 0 || err_fd_ >= 0) && Clock::now() < deadline) {
    std::vector<pollfd> fds;
    if (out_fd_ >= 0) fds.push_back({out_fd_, POLLIN, 0});
    if (err_fd_ >= 0) fds.push_back({err_fd_, POLLIN, 0});
    if (poll(fds.data(), fds.size(), 100) < 0 && errno != EINTR) break;
    for (const auto& p : fds)
      if (p.revents != 0) deliver(p.fd, sink, collected);
  }
  close_fd(out_fd_);
  close_fd(err_fd_);
}

std::optional<int> ChildProcess::pump(sdk::OutputSink* sink, sdk::ExecResult* collected,
                                      std::optional<Clock::time_point> deadline) {
  while (!status_) {
    std::vector<pollfd> fds;
    if (out_fd_ >= 0) fds.push_back({out_fd_, POLLIN, 0});
    if (err_fd_ >= 0) fds.push_back({err_fd_, POLLIN, 0});
    if (in_fd_ >= 0) fds.push_back({in_fd_, POLLOUT, 0});
    if (pidfd_ >= 0) fds.push_back({pidfd_, POLLIN, 0});
    int wait_ms = pidfd_ >= 0 ? -1 : 20;  // without pidfd, poll waitpid
    if (deadline) {
      const auto left =
          std::chrono::duration_cast<std::chrono::milliseconds>(*deadline - Clock::now()).count();
      if (left <= 0) return std::nullopt;
      wait_ms =
          wait_ms < 0 ? static_cast<int>(left) : std::min<int>(wait_ms, static_cast<int>(left));
    }
    const int ready = poll(fds.data(), fds.size(), wait_ms);
    if (ready < 0 && errno != EINTR) break;
    for (const auto& p : fds) {
      if (p.revents == 0) continue;
      if (p.fd == in_fd_) {
        const ssize_t n = write_without_sigpipe(in_fd_, stdin_data_.data() + stdin_written_,
                                                stdin_data_.size() - stdin_written_);
        if (n > 0) stdin_written_ += static_cast<std::size_t>(n);
        if (n < 0 && errno != EAGAIN && errno != EINTR) close_fd(in_fd_);
        if (stdin_written_ >= stdin_data_.size()) close_fd(in_fd_);
      } else if (p.fd == out_fd_ || p.fd == err_fd_) {
        deliver(p.fd, sink, collected);
      }
    }
    try_reap(WNOHANG);
  }
  // The command is gone: whatever it left in its session goes too, then the pipes hit EOF.
  if (may_have_leftovers()) kill_process_tree(pid_, pid_, true);
  drain(sink, collected);
  close_fd(in_fd_);
  return status_;
}

int ChildProcess::kill_and_reap(sdk::OutputSink* sink, sdk::ExecResult* collected) {
  if (!status_) {
    kill_process_tree(pid_, pid_, true);
    try_reap(0);
  }
  drain(sink, collected);
  close_fd(in_fd_);
  return *status_;
}

void kill_all_processes() {
  std::set<pid_t> roots;
  {
    std::lock_guard lock(live_mutex);
    roots = live_roots;
  }
  for (pid_t pid : roots) kill_process_tree(pid, pid, true);
}

void become_subreaper() {
  prctl(PR_SET_CHILD_SUBREAPER, 1UL, 0UL, 0UL, 0UL);
}

int kill_stray_children() {
  std::set<pid_t> roots;
  {
    std::lock_guard lock(live_mutex);
    roots = live_roots;
  }
  int strays = 0;
  for (pid_t pid : children_of(getpid())) {
    if (roots.count(pid) != 0) continue;
    ++strays;
    kill_process_tree(pid, 0, false);
    waitpid(pid, nullptr, 0);
  }
  return strays;
}

}  // namespace vt::core
