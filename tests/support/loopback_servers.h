// Real servers on 127.0.0.1 for the provider tests: `git daemon` (git://) and Python's
// http.server (git's dumb HTTP protocol, downloads). Each is stopped, with its whole process
// tree, when the object goes.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "vt/core/process.h"

namespace vt::test_support {

/// A TCP port on 127.0.0.1 that was free a moment ago.
inline int free_loopback_port() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    close(fd);
    throw std::runtime_error("no free port on 127.0.0.1");
  }
  close(fd);
  return ntohs(addr.sin_port);
}

inline bool accepts_connections(int port) {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<std::uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  const bool ok = connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  close(fd);
  return ok;
}

/// A server process listening on a loopback port; stop() (or the destructor) kills it.
class LoopbackServer {
 public:
  /// Starts `argv` (where "{port}" is replaced by the port) and waits until it accepts; its
  /// stdout and stderr go to `log` when given.
  explicit LoopbackServer(std::vector<std::string> argv, const std::filesystem::path& log = {})
      : port_(free_loopback_port()) {
    for (auto& arg : argv)
      if (const auto at = arg.find("{port}"); at != std::string::npos)
        arg.replace(at, 6, std::to_string(port_));
    if (!log.empty())
      argv.insert(argv.begin(), {"sh", "-c", "exec \"$@\" >'" + log.string() + "' 2>&1", "sh"});
    sdk::ExecRequest request;
    request.argv = std::move(argv);
    process_ = core::spawn_process(request, nullptr);
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (!accepts_connections(port_)) {
      if (std::chrono::steady_clock::now() > deadline ||
          process_->wait(std::chrono::milliseconds(1)))
        throw std::runtime_error("server '" + request.argv.front() + "' did not start");
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  }
  ~LoopbackServer() { stop(); }
  LoopbackServer(const LoopbackServer&) = delete;
  LoopbackServer& operator=(const LoopbackServer&) = delete;

  int port() const noexcept { return port_; }
  int pid() const { return process_ ? process_->pid() : 0; }
  void stop() {
    if (process_) process_->kill_tree();
    process_.reset();
  }

 private:
  int port_;
  std::unique_ptr<sdk::Process> process_;
};

/// `git daemon` exporting every repository under `base` as git://127.0.0.1:PORT/<name>.
inline std::unique_ptr<LoopbackServer> start_git_daemon(const std::filesystem::path& base) {
  return std::make_unique<LoopbackServer>(std::vector<std::string>{
      "git", "daemon", "--reuseaddr", "--listen=127.0.0.1", "--port={port}", "--export-all",
      "--informative-errors", "--base-path=" + base.string(), base.string()});
}

/// Python's http.server serving the files under `dir` as http://127.0.0.1:PORT/, logging its
/// requests to `log` when given.
inline std::unique_ptr<LoopbackServer> start_http_server(const std::filesystem::path& dir,
                                                         const std::filesystem::path& log = {}) {
  return std::make_unique<LoopbackServer>(
      std::vector<std::string>{"python3", "-u", "-m", "http.server", "--bind", "127.0.0.1",
                               "--directory", dir.string(), "{port}"},
      log);
}

}  // namespace vt::test_support
