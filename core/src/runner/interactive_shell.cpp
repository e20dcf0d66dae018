#include "runner/interactive_shell.h"

#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <iostream>
#include <mutex>

extern char** environ;

namespace vt::core {

namespace {

std::mutex terminal;

// Prints what the testbed prints, as it comes.
class TerminalSink final : public sdk::OutputSink {
 public:
  void on_output(sdk::Stream, std::string_view bytes) override {
    std::cout.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    std::cout.flush();
  }
};

int run_with_terminal(const std::vector<std::string>& argv) {
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid = 0;
  if (posix_spawnp(&pid, args[0], nullptr, nullptr, args.data(), environ) != 0) return -1;
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

void line_shell(sdk::Testbed& testbed, const std::string& machine, const std::string& scratch) {
  TerminalSink sink;
  std::string line;
  for (;;) {
    std::cout << machine << ":" << scratch << "# " << std::flush;
    if (!std::getline(std::cin, line)) break;
    if (line == "exit" || line == "logout") break;
    if (line.empty()) continue;
    sdk::ExecRequest req{{"sh", "-c", line}, {}, scratch, "", std::chrono::seconds(0), true};
    const auto r = testbed.exec(req, &sink);
    if (r.exit_status == sdk::channel_failure) {
      std::cout << "(the channel to the testbed failed)\n";
      break;
    }
    if (r.exit_status != 0) std::cout << "(exit status " << r.exit_status << ")\n";
  }
  std::cout << "\n";
}

}  // namespace

void interactive_shell(sdk::Host& host, sdk::Testbed& testbed, const std::string& machine,
                       const std::string& scratch, const std::string& test_id, bool before) {
  const char* option = before ? "-i" : "--shell-fail";
  if (isatty(STDIN_FILENO) == 0) {
    host.log(sdk::LogLevel::warn, "runner",
             std::string(option) + ": stdin is not a terminal; no shell for '" + test_id + "'");
    return;
  }
  std::lock_guard lock(terminal);
  // The shell gets Ctrl-C; vtrun must not take it for an interrupt of the job meanwhile.
  struct sigaction ignore {
  }, old_int{}, old_quit{};
  ignore.sa_handler = SIG_IGN;
  sigaction(SIGINT, &ignore, &old_int);
  sigaction(SIGQUIT, &ignore, &old_quit);
  std::cout << "\nvtrun: '" << test_id << (before ? "' is next" : "' failed")
            << "; a shell on testbed '" << machine << "' (leave with exit or Ctrl-D; "
            << (before ? "the test runs then" : "the job goes on afterwards") << ")\n"
            << std::flush;
  const auto command = testbed.shell_command();
  if (command.empty()) {
    std::cout << "(this backend offers no terminal: each line runs as its own command)\n";
    line_shell(testbed, machine, scratch);
  } else if (run_with_terminal(command) < 0) {
    std::cout << "(cannot start " << command.front() << "; line-by-line shell instead)\n";
    line_shell(testbed, machine, scratch);
  }
  sigaction(SIGINT, &old_int, nullptr);
  sigaction(SIGQUIT, &old_quit, nullptr);
}

}  // namespace vt::core
