// Serves one test's `vtctl` requests on a unix socket: exec, copy-in, copy-out, console,
// reboot, against the testbeds the test was given. One thread accepts; each connection gets a
// thread, so a test may drive several machines at once.
#pragma once

#include <atomic>
#include <filesystem>
#include <functional>
#include <map>
#include <mutex>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <thread>
#include <vector>

#include "vt/sdk/host.h"
#include "vt/sdk/testbed.h"

namespace vt::core {

class ControlServer {
 public:
  /// Called before a request reaches machine `name` (e.g. to start it on first use); throws
  /// to refuse the request with that message.
  using BeforeUse = std::function<void(const std::string& name)>;
  /// `vtctl report STATUS REASON` (STATUS: warn, cancel); throws to refuse it.
  using OnReport = std::function<void(const std::string& status, const std::string& reason)>;

  /// `machines` maps machine names to testbeds; the first is the default for `-m`.
  /// The testbeds must outlive the server. Throws sdk::Error when the socket cannot be made.
  ControlServer(sdk::Host& host, std::filesystem::path socket_path,
                std::vector<std::pair<std::string, sdk::Testbed*>> machines,
                BeforeUse before_use = {}, OnReport on_report = {});
  ~ControlServer();  // stops accepting, waits for connections to finish
  ControlServer(const ControlServer&) = delete;
  ControlServer& operator=(const ControlServer&) = delete;

  const std::filesystem::path& socket_path() const noexcept { return socket_path_; }

  /// Requests being served right now (a command vtctl started may still run on a testbed).
  int busy() const noexcept { return in_flight_.load(); }

 private:
  void accept_loop();
  void serve(int fd);
  void serve_machine(int fd, const nlohmann::json& req, const std::string& op,
                     std::string stdin_data);
  sdk::Testbed* machine(const std::string& name, std::string& error) const;

  sdk::Host& host_;
  std::filesystem::path socket_path_;
  std::vector<std::pair<std::string, sdk::Testbed*>> machines_;
  BeforeUse before_use_;
  OnReport on_report_;
  std::atomic<int> in_flight_{0};
  int listen_fd_ = -1;
  int wake_pipe_[2] = {-1, -1};
  std::thread acceptor_;
  std::mutex mutex_;
  std::vector<std::thread> connections_;
  std::vector<int> open_fds_;
};

}  // namespace vt::core
