// A private dockerd for the container backends' tests: its own data root, exec root, pid file
// and socket under a fresh directory in /tmp, no firewall rules (--iptables=false
// --ip6tables=false), no docker0 (--bridge=none), published ports on 127.0.0.1 only, networks
// from an address pool of its own, and none of the host's /etc/docker/daemon.json. It never
// touches another daemon: every docker command it runs names its socket. When the object goes
// it removes its containers and networks, stops dockerd (SIGTERM, then SIGKILL) with the
// containerd it manages, kills whatever of theirs is left, unmounts everything under its
// directory and removes it.
#pragma once

#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "vt/core/process.h"
#include "vt/sdk/types.h"

namespace vt::test_support {

class DockerDaemon {
 public:
  /// The docker CLI: Debian's /usr/bin/docker when it exists (another client may come first in
  /// PATH, e.g. a newer one that the 20.10 daemon refuses), else "docker" from PATH.
  static std::string cli() {
    return ::access("/usr/bin/docker", X_OK) == 0 ? "/usr/bin/docker" : "docker";
  }

  /// Debian's /usr/sbin/dockerd, else a dockerd in PATH; empty when there is none.
  static std::string daemon_binary() {
    if (::access("/usr/sbin/dockerd", X_OK) == 0) return "/usr/sbin/dockerd";
    const char* path = std::getenv("PATH");
    std::istringstream dirs(path != nullptr ? path : "");
    for (std::string dir; std::getline(dirs, dir, ':');)
      if (!dir.empty() && ::access((dir + "/dockerd").c_str(), X_OK) == 0) return dir + "/dockerd";
    return {};
  }

  /// Whether a private dockerd can run here: the daemon and the CLI are installed and we are
  /// root. Otherwise sets `why` to what is missing and how to get it.
  static bool available(std::string* why) {
    if (daemon_binary().empty()) {
      *why = "no dockerd (/usr/sbin/dockerd or in PATH): apt-get install docker.io";
      return false;
    }
    if (cli() == "docker" && !in_path("docker")) {
      *why = "no docker CLI (/usr/bin/docker or in PATH): apt-get install docker.io";
      return false;
    }
    if (::geteuid() != 0) {
      *why = "dockerd needs root; the tests run as uid " + std::to_string(::geteuid());
      return false;
    }
    return true;
  }

  /// Starts dockerd and waits (at most `ready_within`) until `docker version` answers. Throws
  /// std::runtime_error with the end of dockerd's log when it does not come up; nothing is
  /// left behind then. dockerd gets SIGTERM should this process die first (PR_SET_PDEATHSIG:
  /// construct it on a thread that outlives it, such as the main thread).
  explicit DockerDaemon(std::chrono::seconds ready_within = std::chrono::seconds(30)) {
    const std::string binary = daemon_binary();
    if (binary.empty()) throw std::runtime_error("no dockerd to start: apt-get install docker.io");
    sweep_stale();
    // Short: the socket path must fit in sockaddr_un (108 bytes), also for containerd's.
    std::string pattern = "/tmp/vtdk.XXXXXX";
    if (::mkdtemp(pattern.data()) == nullptr)
      throw std::runtime_error("cannot create '" + pattern + "': " + std::strerror(errno));
    root_ = pattern;
    try {
      start(binary, ready_within);
    } catch (...) {
      stop();
      throw;
    }
  }
  ~DockerDaemon() { stop(); }
  DockerDaemon(const DockerDaemon&) = delete;
  DockerDaemon& operator=(const DockerDaemon&) = delete;

  /// For DOCKER_HOST: "unix:///tmp/vtdk.XXXXXX/docker.sock".
  std::string socket_env() const { return "unix://" + (root_ / "docker.sock").string(); }
  /// The directory holding everything of this daemon.
  const std::filesystem::path& root() const noexcept { return root_; }
  /// dockerd's pid (0 once stopped).
  pid_t pid() const noexcept { return pid_; }

  /// Runs `docker args…` against this daemon, output collected.
  sdk::ExecResult docker(const std::vector<std::string>& args,
                         std::chrono::seconds timeout = std::chrono::seconds(120)) const {
    sdk::ExecRequest request;
    request.argv = {cli()};
    request.argv.insert(request.argv.end(), args.begin(), args.end());
    request.env = {{"DOCKER_HOST", socket_env()}};
    request.timeout = timeout;
    return core::run_process(request, nullptr);
  }

  /// The last `bytes` of dockerd's log, for failure messages.
  std::string log_tail(std::size_t bytes = 3000) const {
    std::ifstream in(root_ / "dockerd.log", std::ios::binary);
    const std::string text{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
    return text.size() > bytes ? text.substr(text.size() - bytes) : text;
  }

  /// Removes the containers and networks, stops the daemon and cleans up (see the top of the
  /// file). Idempotent; never throws.
  void stop() noexcept {
    try {
      if (pid_ > 0) {
        if (running()) remove_objects();
        const auto family = descendants(pid_);
        terminate_daemon();
        kill_leftovers(family);
      }
      unmount_all_under(root_);
    } catch (...) {
      // A destructor's work: the remaining steps still run below.
    }
    if (!root_.empty()) {
      std::error_code ec;
      std::filesystem::remove_all(root_, ec);
      root_.clear();
    }
  }

 private:
  static bool in_path(const std::string& name) {
    const char* path = std::getenv("PATH");
    std::istringstream dirs(path != nullptr ? path : "");
    for (std::string dir; std::getline(dirs, dir, ':');)
      if (!dir.empty() && ::access((dir + "/" + name).c_str(), X_OK) == 0) return true;
    return false;
  }

  void start(const std::string& binary, std::chrono::seconds ready_within) {
    const std::string r = root_.string();
    std::ofstream(root_ / "daemon.json") << "{}\n";
    const std::vector<std::string> args{binary,
                                        "--config-file",
                                        r + "/daemon.json",
                                        "--data-root",
                                        r + "/data",
                                        "--exec-root",
                                        r + "/exec",
                                        "--pidfile",
                                        r + "/dockerd.pid",
                                        "-H",
                                        socket_env(),
                                        "--iptables=false",
                                        "--ip6tables=false",
                                        "--bridge=none",
                                        "--ip=127.0.0.1",
                                        "--default-address-pool",
                                        "base=10.213.0.0/16,size=24"};
    std::vector<char*> argv;
    for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    const int log =
        ::open((root_ / "dockerd.log").c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    const int null = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
    if (log < 0 || null < 0) throw std::runtime_error("cannot open dockerd's log or /dev/null");
    const pid_t parent = ::getpid();
    pid_ = ::fork();
    if (pid_ == 0) {  // only async-signal-safe calls until exec
      ::prctl(PR_SET_PDEATHSIG, SIGTERM);
      if (::getppid() != parent) ::_exit(126);
      ::setpgid(0, 0);  // a ^C on the terminal is for the test, which stops the daemon itself
      ::dup2(null, 0);
      ::dup2(log, 1);
      ::dup2(log, 2);
      ::execv(argv[0], argv.data());
      ::_exit(127);
    }
    const int fork_errno = errno;
    ::close(log);
    ::close(null);
    if (pid_ < 0) {
      pid_ = 0;
      throw std::runtime_error(std::string("cannot fork dockerd: ") + std::strerror(fork_errno));
    }
    const auto deadline = std::chrono::steady_clock::now() + ready_within;
    for (;;) {
      if (!running())
        throw std::runtime_error("dockerd exited before it answered; its log ends:\n" + log_tail());
      const auto r2 =
          docker({"version", "--format", "{{.Server.Version}}"}, std::chrono::seconds(10));
      if (r2.exit_status == 0) return;
      if (std::chrono::steady_clock::now() >= deadline)
        throw std::runtime_error("dockerd did not answer `docker version` within " +
                                 std::to_string(ready_within.count()) +
                                 " s (last: " + r2.stderr_data + "); its log ends:\n" + log_tail());
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  }

  // Still running (reaps it once it has exited).
  bool running() {
    if (pid_ <= 0) return false;
    int status = 0;
    const pid_t r = ::waitpid(pid_, &status, WNOHANG);
    if (r == 0) return true;
    if (r == pid_ || (r < 0 && errno == ECHILD)) reaped_ = true;
    return false;
  }

  std::vector<std::string> ids(const std::vector<std::string>& args) const {
    const auto r = docker(args);
    std::vector<std::string> out;
    std::istringstream lines(r.exit_status == 0 ? r.stdout_data : "");
    for (std::string line; std::getline(lines, line);)
      if (!line.empty()) out.push_back(line);
    return out;
  }

  void remove_objects() const {
    std::vector<std::string> containers = ids({"ps", "-aq"});
    if (!containers.empty()) {
      containers.insert(containers.begin(), {"rm", "-f", "-v"});
      docker(containers);
    }
    std::vector<std::string> networks = ids({"network", "ls", "-q", "--filter", "type=custom"});
    if (!networks.empty()) {
      networks.insert(networks.begin(), {"network", "rm"});
      docker(networks);
    }
  }

  // SIGTERM, up to 30 s for it to stop its containerd and exit, then SIGKILL.
  void terminate_daemon() {
    if (running()) {
      ::kill(pid_, SIGTERM);
      const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
      while (running() && std::chrono::steady_clock::now() < deadline)
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
      if (running()) {
        ::kill(pid_, SIGKILL);
        ::waitpid(pid_, nullptr, 0);
      }
    }
    if (!reaped_) ::waitpid(pid_, nullptr, 0);
    pid_ = 0;
  }

  static std::string read_proc(pid_t pid, const char* what) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/" + what, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  }

  // Parent pid and start time of a live process, from /proc/<pid>/stat; false if gone.
  static bool stat_of(pid_t pid, pid_t* ppid, std::string* start) {
    const std::string stat = read_proc(pid, "stat");
    const auto close = stat.rfind(')');
    if (close == std::string::npos) return false;
    std::istringstream fields(stat.substr(close + 2));
    std::vector<std::string> f{std::istream_iterator<std::string>(fields), {}};
    if (f.size() < 20 || f[0] == "Z" || f[0] == "X") return false;
    *ppid = static_cast<pid_t>(std::stol(f[1]));
    *start = f[19];
    return true;
  }

  static std::vector<pid_t> all_pids() {
    std::vector<pid_t> out;
    std::error_code ec;
    for (auto it = std::filesystem::directory_iterator("/proc", ec);
         !ec && it != std::filesystem::directory_iterator(); it.increment(ec)) {
      const std::string name = it->path().filename().string();
      if (!name.empty() &&
          std::all_of(name.begin(), name.end(), [](char c) { return c >= '0' && c <= '9'; }))
        out.push_back(static_cast<pid_t>(std::stol(name)));
    }
    return out;
  }

  // Live processes below `root`, each with its start time (so a recycled pid is told apart).
  static std::map<pid_t, std::string> descendants(pid_t root) {
    std::map<pid_t, std::string> out;
    std::set<pid_t> tree{root};
    for (bool grew = true; grew;) {
      grew = false;
      for (pid_t pid : all_pids()) {
        pid_t ppid = 0;
        std::string start;
        if (!tree.count(pid) && stat_of(pid, &ppid, &start) && tree.count(ppid)) {
          tree.insert(pid);
          out[pid] = start;
          grew = true;
        }
      }
    }
    return out;
  }

  // What survived the daemon: its former children (docker-proxy, a containerd it could not
  // stop), any process naming our directory (containerd, its shims), and their descendants.
  void kill_leftovers(const std::map<pid_t, std::string>& family) const {
    const pid_t self = ::getpid();
    for (int round = 0; round < 50; ++round) {
      std::map<pid_t, std::string> doomed;
      for (pid_t pid : all_pids()) {
        pid_t ppid = 0;
        std::string start;
        if (pid == self || !stat_of(pid, &ppid, &start)) continue;
        std::string cmdline = read_proc(pid, "cmdline");
        std::replace(cmdline.begin(), cmdline.end(), '\0', ' ');
        const auto known = family.find(pid);
        if ((known != family.end() && known->second == start) ||
            cmdline.find(root_.string() + "/") != std::string::npos) {
          doomed[pid] = start;
          const auto below = descendants(pid);
          doomed.insert(below.begin(), below.end());
        }
      }
      if (doomed.empty()) return;
      for (const auto& [pid, start] : doomed) ::kill(pid, SIGKILL);
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  }

  // Mount points at or below `dir` (deepest first), from /proc/self/mountinfo.
  static std::vector<std::string> mounts_under(const std::filesystem::path& dir) {
    std::vector<std::string> out;
    if (dir.empty()) return out;
    const std::string prefix = dir.string();
    std::ifstream in("/proc/self/mountinfo");
    for (std::string line; std::getline(in, line);) {
      std::istringstream fields(line);
      std::string id, parent, devno, root, point;
      fields >> id >> parent >> devno >> root >> point;
      std::string unescaped;  // \040 and friends
      for (std::size_t i = 0; i < point.size(); ++i) {
        if (point[i] == '\\' && i + 3 < point.size()) {
          unescaped += static_cast<char>(std::stoi(point.substr(i + 1, 3), nullptr, 8));
          i += 3;
        } else {
          unescaped += point[i];
        }
      }
      if (unescaped == prefix || unescaped.rfind(prefix + "/", 0) == 0) out.push_back(unescaped);
    }
    std::sort(out.begin(), out.end(),
              [](const std::string& a, const std::string& b) { return a.size() > b.size(); });
    return out;
  }

  static void unmount_all_under(const std::filesystem::path& dir) {
    for (int round = 0; round < 20; ++round) {
      const auto points = mounts_under(dir);
      if (points.empty()) return;
      for (const auto& point : points) ::umount2(point.c_str(), MNT_DETACH);
    }
  }

  // What a test that died before it could clean up left (SIGKILL, a crash: its dockerd got
  // SIGTERM from PR_SET_PDEATHSIG and stopped, but nobody removed the files): directories of
  // this helper that no process names and that are over a minute old (a daemon being started
  // names its directory within milliseconds of creating it).
  static void sweep_stale() noexcept {
    try {
      std::vector<std::string> cmdlines;
      for (pid_t pid : all_pids()) {
        std::string cmdline = read_proc(pid, "cmdline");
        std::replace(cmdline.begin(), cmdline.end(), '\0', ' ');
        cmdlines.push_back(cmdline);
      }
      std::error_code ec;
      const auto now = std::filesystem::file_time_type::clock::now();
      for (auto it = std::filesystem::directory_iterator("/tmp", ec);
           !ec && it != std::filesystem::directory_iterator(); it.increment(ec)) {
        const auto dir = it->path();
        const std::string name = dir.filename().string();
        std::error_code ec2;
        if (name.size() != 11 || name.rfind("vtdk.", 0) != 0 ||
            !std::filesystem::is_directory(std::filesystem::symlink_status(dir, ec2)))
          continue;
        const auto stamp = std::filesystem::last_write_time(dir / "daemon.json", ec2);
        if (ec2 || now - stamp < std::chrono::minutes(1)) continue;
        const std::string mark = dir.string() + "/";
        if (std::any_of(cmdlines.begin(), cmdlines.end(),
                        [&](const std::string& c) { return c.find(mark) != std::string::npos; }))
          continue;
        unmount_all_under(dir);
        std::filesystem::remove_all(dir, ec2);
      }
    } catch (...) {
      // Only housekeeping: a daemon of our own starts all the same.
    }
  }

  std::filesystem::path root_;
  pid_t pid_ = 0;
  bool reaped_ = false;
};

}  // namespace vt::test_support
