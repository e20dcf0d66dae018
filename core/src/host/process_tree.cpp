// Finding and killing a process tree through /proc. Sessions catch what double-forked away from
// its parent; the parent chain catches what called setsid() while its parent still lived.
#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <map>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "vt/core/process.h"

namespace vt::core {

namespace {

struct ProcInfo {
  pid_t pid = 0;
  pid_t ppid = 0;
  pid_t session = 0;
  char state = '?';
};

// Raw open/read: this runs for every process on the host after every command, so it stays
// free of allocations and stream machinery.
bool read_stat(int proc_fd, const char* pid_name, pid_t pid, ProcInfo& info) {
  char path[sizeof(dirent::d_name) + sizeof "/stat"];
  std::snprintf(path, sizeof path, "%s/stat", pid_name);
  const int fd = openat(proc_fd, path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  char text[1024];
  const ssize_t n = read(fd, text, sizeof text - 1);
  close(fd);
  if (n <= 0) return false;
  text[n] = '\0';
  // The command name is in parentheses and may contain anything: parse after the last ')'.
  const char* close_paren = std::strrchr(text, ')');
  if (close_paren == nullptr) return false;
  int ppid = 0, pgrp = 0, session = 0;
  char state = '?';
  if (std::sscanf(close_paren + 1, " %c %d %d %d", &state, &ppid, &pgrp, &session) != 4)
    return false;
  info = {pid, ppid, session, state};
  return true;
}

std::vector<ProcInfo> scan_processes() {
  std::vector<ProcInfo> out;
  DIR* dir = opendir("/proc");
  if (dir == nullptr) return out;
  const int proc_fd = dirfd(dir);
  while (const dirent* ent = readdir(dir)) {
    char* end = nullptr;
    const long pid = std::strtol(ent->d_name, &end, 10);
    if (*end != '\0' || pid <= 0) continue;
    ProcInfo info;
    if (read_stat(proc_fd, ent->d_name, static_cast<pid_t>(pid), info)) out.push_back(info);
  }
  closedir(dir);
  return out;
}

// Members of the session plus the closure of descendants of `root` and of those members.
std::vector<ProcInfo> tree_members(pid_t root, pid_t session) {
  const auto all = scan_processes();
  std::multimap<pid_t, const ProcInfo*> children;
  for (const auto& p : all) children.emplace(p.ppid, &p);
  std::set<pid_t> seen;
  std::vector<pid_t> todo{root};
  for (const auto& p : all)
    if (session > 0 && p.session == session) todo.push_back(p.pid);
  std::vector<ProcInfo> out;
  while (!todo.empty()) {
    const pid_t pid = todo.back();
    todo.pop_back();
    if (!seen.insert(pid).second) continue;
    for (const auto& p : all)
      if (p.pid == pid) out.push_back(p);
    auto [lo, hi] = children.equal_range(pid);
    for (auto it = lo; it != hi; ++it) todo.push_back(it->second->pid);
  }
  return out;
}

}  // namespace

std::vector<pid_t> children_of(pid_t parent) {
  // /proc/PID/task/TID/children lists each thread's children: a few small reads instead of a
  // scan of every process on the host. Kernels without it fall back to the scan.
  std::vector<pid_t> out;
  const std::string task_dir = "/proc/" + std::to_string(parent) + "/task";
  DIR* dir = opendir(task_dir.c_str());
  bool listed = false;
  if (dir != nullptr) {
    while (const dirent* ent = readdir(dir)) {
      if (ent->d_name[0] == '.') continue;
      const std::string file = task_dir + "/" + ent->d_name + "/children";
      const int fd = open(file.c_str(), O_RDONLY | O_CLOEXEC);
      if (fd < 0) continue;
      listed = true;
      std::string text;
      char buf[4096];
      for (ssize_t n; (n = read(fd, buf, sizeof buf)) > 0;)
        text.append(buf, static_cast<std::size_t>(n));
      close(fd);
      const char* p = text.c_str();
      char* end = nullptr;
      for (long pid = std::strtol(p, &end, 10); end != p; pid = std::strtol(p, &end, 10)) {
        out.push_back(static_cast<pid_t>(pid));
        p = end;
      }
    }
    closedir(dir);
  }
  if (listed) return out;
  for (const auto& p : scan_processes())
    if (p.ppid == parent) out.push_back(p.pid);
  return out;
}

std::vector<pid_t> process_tree_for_test(pid_t root, pid_t session) {
  std::vector<pid_t> out;
  for (const auto& p : tree_members(root, session))
    if (p.state != 'Z' && p.pid != getpid()) out.push_back(p.pid);
  return out;
}

void kill_process_tree(pid_t root, pid_t session, bool spare_root) {
  const pid_t self = getpid();
  for (int round = 0; round < 50; ++round) {
    std::vector<pid_t> victims;
    for (const auto& p : tree_members(root, session)) {
      if (p.pid == self) continue;
      if (p.state == 'Z') {
        // Our own zombie children would stay forever; the root is reaped by its owner.
        if (p.ppid == self && !(spare_root && p.pid == root)) waitpid(p.pid, nullptr, WNOHANG);
        continue;
      }
      victims.push_back(p.pid);
    }
    if (victims.empty()) return;
    // Freeze the whole tree first: a shell whose child dies before it does could otherwise
    // react (run a trap, fork again, exit 0) between two kills.
    for (pid_t pid : victims) kill(pid, SIGSTOP);
    for (pid_t pid : victims) kill(pid, SIGKILL);
    std::this_thread::sleep_for(std::chrono::milliseconds(round < 5 ? 2 : 20));
  }
}

}  // namespace vt::core
