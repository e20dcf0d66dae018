#include "runner/control_server.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <nlohmann/json.hpp>

#include "vt/core/control_protocol.h"
#include "vt/sdk/error.h"

namespace vt::core {

namespace fs = std::filesystem;
using control::FrameType;
using nlohmann::json;

namespace {

// Streams a command's output back to vtctl as it is produced.
class FrameSink final : public sdk::OutputSink {
 public:
  explicit FrameSink(int fd) : fd_(fd) {}
  void on_output(sdk::Stream stream, std::string_view bytes) override {
    control::write_frame(
        fd_, stream == sdk::Stream::err ? FrameType::stderr_data : FrameType::stdout_data, bytes);
  }

 private:
  int fd_;
};

void reply(int fd, const json& result) {
  control::write_frame(fd, FrameType::result,
                       result.dump(-1, ' ', false, json::error_handler_t::replace));
}

}  // namespace

ControlServer::ControlServer(sdk::Host& host, fs::path socket_path,
                             std::vector<std::pair<std::string, sdk::Testbed*>> machines,
                             BeforeUse before_use, OnReport on_report)
    : host_(host),
      socket_path_(std::move(socket_path)),
      machines_(std::move(machines)),
      before_use_(std::move(before_use)),
      on_report_(std::move(on_report)) {
  listen_fd_ = control::listen_unix(socket_path_.string());
  if (listen_fd_ < 0)
    throw sdk::Error("cannot listen on control socket '" + socket_path_.string() +
                     "': " + std::strerror(errno));
  if (pipe2(wake_pipe_, O_CLOEXEC) != 0) {
    close(listen_fd_);
    throw sdk::Error(std::string("pipe failed: ") + std::strerror(errno));
  }
  acceptor_ = std::thread([this] { accept_loop(); });
}

ControlServer::~ControlServer() {
  (void)!write(wake_pipe_[1], "x", 1);
  if (acceptor_.joinable()) acceptor_.join();
  std::vector<std::thread> threads;
  {
    std::lock_guard lock(mutex_);
    // Unblock connections waiting for a request; ones running a command finish with it (the
    // runner closes the testbeds first, which ends their commands).
    for (int fd : open_fds_) shutdown(fd, SHUT_RDWR);
    threads.swap(connections_);
  }
  for (auto& t : threads) t.join();
  close(listen_fd_);
  close(wake_pipe_[0]);
  close(wake_pipe_[1]);
  std::error_code ec;
  fs::remove(socket_path_, ec);
}

void ControlServer::accept_loop() {
  for (;;) {
    pollfd fds[2] = {{listen_fd_, POLLIN, 0}, {wake_pipe_[0], POLLIN, 0}};
    if (poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      return;
    }
    if (fds[1].revents != 0) return;
    if (fds[0].revents == 0) continue;
    const int fd = accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) continue;
    std::lock_guard lock(mutex_);
    open_fds_.push_back(fd);
    connections_.emplace_back([this, fd] { serve(fd); });
  }
}

sdk::Testbed* ControlServer::machine(const std::string& name, std::string& error) const {
  if (machines_.empty()) {
    error = "this test has no testbed";
    return nullptr;
  }
  if (name.empty()) return machines_.front().second;
  std::string known;
  for (const auto& [n, tb] : machines_) {
    if (n == name) return tb;
    known += (known.empty() ? "" : ", ") + n;
  }
  error = "no machine '" + name + "' in this test — it has: " + known;
  return nullptr;
}

void ControlServer::serve(int fd) {
  ++in_flight_;
  auto request_frame = control::read_frame(fd);
  auto stdin_frame = request_frame ? control::read_frame(fd) : std::nullopt;
  try {
    if (!request_frame || request_frame->type != FrameType::request || !stdin_frame ||
        stdin_frame->type != FrameType::stdin_data)
      throw sdk::Error("malformed request (is vtctl from the same vtrun?)");
    const json req = json::parse(request_frame->payload);
    const std::string op = req.value("op", "");
    if (op == "report") {
      if (!on_report_) throw sdk::Error("this runner takes no reports");
      on_report_(req.value("status", ""), req.value("reason", ""));
      reply(fd, {{"ok", true}});
    } else {
      serve_machine(fd, req, op, std::move(stdin_frame->payload));
    }
  } catch (const std::exception& e) {
    reply(fd, {{"error", e.what()}});
  }
  --in_flight_;
  std::lock_guard lock(mutex_);
  std::erase(open_fds_, fd);
  close(fd);
}

void ControlServer::serve_machine(int fd, const nlohmann::json& req, const std::string& op,
                                  std::string stdin_data) {
  std::string error;
  sdk::Testbed* tb = machine(req.value("machine", ""), error);
  if (tb == nullptr) throw sdk::Error(error);
  if (before_use_) {
    const std::string name = req.value("machine", "");
    before_use_(name.empty() ? machines_.front().first : name);
  }
  host_.log(sdk::LogLevel::debug, "control", "vtctl " + req.dump());
  if (op == "exec") {
    sdk::ExecRequest er;
    er.argv = req.at("argv").get<std::vector<std::string>>();
    er.env = req.value("env", std::map<std::string, std::string>{});
    er.cwd = req.value("cwd", "");
    er.timeout = std::chrono::milliseconds(req.value("timeout_ms", 0));
    er.pty = req.value("pty", false);
    er.stdin_data = std::move(stdin_data);
    FrameSink sink(fd);
    const sdk::ExecResult r = tb->exec(er, &sink);
    reply(fd, {{"exit", r.exit_status}, {"timed_out", r.timed_out}});
  } else if (op == "copy-in") {
    tb->copy_in(req.at("from").get<std::string>(), req.at("to").get<std::string>());
    reply(fd, {{"ok", true}});
  } else if (op == "copy-out") {
    tb->copy_out(req.at("from").get<std::string>(), req.at("to").get<std::string>());
    reply(fd, {{"ok", true}});
  } else if (op == "console") {
    reply(fd, {{"ok", true}, {"path", tb->console().string()}});
  } else if (op == "reboot") {
    tb->reboot();
    reply(fd, {{"ok", true}});
  } else {
    throw sdk::Error("unknown operation '" + op + "'");
  }
}

}  // namespace vt::core
