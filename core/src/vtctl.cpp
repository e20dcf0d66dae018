// vtctl: what a test uses to drive its testbed through the runner ($VT_CONTROL_SOCKET).
// Exit status: the command's own for `exec`, 0 for the others, 255 when the runner or the
// testbed could not be reached (the channel failed, not the command).
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <nlohmann/json.hpp>

#include "vt/core/control_protocol.h"

namespace {

using nlohmann::json;
using vt::core::control::FrameType;
constexpr int channel_failure = 255;

int fail(const std::string& message) {
  std::cerr << "vtctl: " << message << "\n";
  return channel_failure;
}

void write_all(int fd, const std::string& data) {
  std::size_t done = 0;
  while (done < data.size()) {
    const ssize_t n = write(fd, data.data() + done, data.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;
    done += static_cast<std::size_t>(n);
  }
}

std::string read_stdin() {
  std::string data;
  char buf[65536];
  for (;;) {
    const ssize_t n = read(STDIN_FILENO, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    data.append(buf, static_cast<std::size_t>(n));
  }
  return data;
}

// Sends one request and relays the answer; returns the exit status vtctl should end with.
int call(const json& request, const std::string& stdin_data) {
  const char* socket = std::getenv("VT_CONTROL_SOCKET");
  if (socket == nullptr || *socket == '\0')
    return fail("VT_CONTROL_SOCKET is not set — vtctl works only inside a test run by vtrun");
  const int fd = vt::core::control::connect_unix(socket);
  if (fd < 0)
    return fail(std::string("cannot reach the runner at '") + socket +
                "': " + std::strerror(errno));
  if (!vt::core::control::write_frame(fd, FrameType::request, request.dump()) ||
      !vt::core::control::write_frame(fd, FrameType::stdin_data, stdin_data))
    return fail("the runner closed the connection");
  for (;;) {
    auto frame = vt::core::control::read_frame(fd);
    if (!frame) {
      close(fd);
      return fail("the runner closed the connection before answering");
    }
    switch (frame->type) {
      case FrameType::stdout_data:
        write_all(STDOUT_FILENO, frame->payload);
        break;
      case FrameType::stderr_data:
        write_all(STDERR_FILENO, frame->payload);
        break;
      case FrameType::result: {
        close(fd);
        const json result = json::parse(frame->payload, nullptr, false);
        if (result.is_discarded()) return fail("malformed answer from the runner");
        if (result.contains("error")) return fail(result["error"].get<std::string>());
        if (result.contains("path")) std::cout << result["path"].get<std::string>() << "\n";
        return result.value("exit", 0);
      }
      default:
        break;
    }
  }
}

std::string absolute_host_path(const std::string& p) {
  // Keep a trailing '/': it is how the copy tells a directory from a file.
  const bool dir = !p.empty() && p.back() == '/';
  std::string abs = std::filesystem::absolute(p).lexically_normal().string();
  if (dir && (abs.empty() || abs.back() != '/')) abs += '/';
  if (!dir && !abs.empty() && abs.back() == '/' && abs.size() > 1) abs.pop_back();
  return abs;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{
      "vtctl — drive this test's testbed through vtrun (exec, copy-in, copy-out, "
      "console, reboot) and report to it (report)",
      "vtctl"};
  app.require_subcommand(1);
  std::string machine;
  app.add_option("-m,--machine", machine, "machine of the test to act on (default: the first)");
  app.fallthrough();

  auto* exec = app.add_subcommand(
      "exec", "run a command on the testbed: vtctl exec [OPTIONS] -- CMD ARGS...");
  std::vector<std::string> command;
  std::vector<std::string> env;
  std::string cwd;
  double timeout = 0;
  bool pty = false, no_stdin = false;
  exec->add_option("command", command, "the command and its arguments")->required();
  exec->add_option("-e,--env", env, "KEY=VALUE to set, repeatable");
  exec->add_option("-C,--cwd", cwd, "working directory on the testbed (default: its scratch dir)");
  exec->add_option("--timeout", timeout, "seconds before the command is killed (0: none)");
  exec->add_flag("--pty", pty, "run under a pseudo-terminal (stdout and stderr merged, CR LF)");
  exec->add_flag("-n,--no-stdin", no_stdin, "do not forward vtctl's stdin");

  std::string from, to;
  auto* copy_in = app.add_subcommand(
      "copy-in", "copy HOST_PATH to TESTBED_PATH (both end in '/' for a directory, or neither)");
  copy_in->add_option("from", from, "host path")->required();
  copy_in->add_option("to", to, "testbed path")->required();
  auto* copy_out = app.add_subcommand(
      "copy-out", "copy TESTBED_PATH to HOST_PATH (both end in '/' for a directory, or neither)");
  copy_out->add_option("from", from, "testbed path")->required();
  copy_out->add_option("to", to, "host path")->required();
  auto* console = app.add_subcommand("console", "print the path of the testbed's console log");
  auto* reboot = app.add_subcommand("reboot", "reboot the testbed (backends with 'reboot')");
  std::string report_status, report_reason;
  auto* report = app.add_subcommand(
      "report",
      "tell vtrun about the test's result: `warn REASON` makes a PASS a WARN; `cancel REASON` "
      "makes the test CANCEL (it could not run meaningfully), whatever it exits with");
  report->add_option("status", report_status, "warn or cancel")
      ->required()
      ->check(CLI::IsMember({"warn", "cancel"}));
  report->add_option("reason", report_reason, "one line for the report")->required();

  CLI11_PARSE(app, argc, argv);

  json req = {{"machine", machine}};
  std::string stdin_data;
  if (exec->parsed()) {
    json envs = json::object();
    for (const auto& kv : env) {
      const auto eq = kv.find('=');
      if (eq == std::string::npos) return fail("--env '" + kv + "': expected KEY=VALUE");
      envs[kv.substr(0, eq)] = kv.substr(eq + 1);
    }
    req.update({{"op", "exec"},
                {"argv", command},
                {"env", envs},
                {"cwd", cwd},
                {"timeout_ms", static_cast<long long>(timeout * 1000)},
                {"pty", pty}});
    if (!no_stdin && isatty(STDIN_FILENO) == 0) stdin_data = read_stdin();
  } else if (copy_in->parsed()) {
    req.update({{"op", "copy-in"}, {"from", absolute_host_path(from)}, {"to", to}});
  } else if (copy_out->parsed()) {
    req.update({{"op", "copy-out"}, {"from", from}, {"to", absolute_host_path(to)}});
  } else if (console->parsed()) {
    req["op"] = "console";
  } else if (reboot->parsed()) {
    req["op"] = "reboot";
  } else if (report->parsed()) {
    req.update({{"op", "report"}, {"status", report_status}, {"reason", report_reason}});
  }
  return call(req, stdin_data);
}
