// The host process layer: streams, exit statuses, environment, stdin, pty, timeouts and tree
// kills. Commands record their own pids in files, so a test can check that each one is gone.
#include <gtest/gtest.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <future>
#include <mutex>
#include <sstream>
#include <thread>

#include "support/test_support.h"
#include "vt/core/process.h"
#include "vt/sdk/error.h"

namespace vt::core {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

sdk::ExecRequest shell(const std::string& script) {
  sdk::ExecRequest request;
  request.argv = {"sh", "-c", script};
  return request;
}

// The message of the sdk::Error that running `request` throws.
std::string error_of(const sdk::ExecRequest& request) {
  return test_support::error_message([&] { run_process(request, nullptr); });
}

// The state letter of /proc/<pid>/stat, or '-' when there is no such process.
char process_state(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string text;
  if (!std::getline(in, text)) return '-';
  const auto close = text.rfind(')');
  return close == std::string::npos || close + 2 >= text.size() ? '?' : text[close + 2];
}

// A zombie is dead already; only its reaper (init, for orphans) decides when it disappears.
bool is_running(pid_t pid) {
  if (kill(pid, 0) != 0) return errno != ESRCH;
  const char state = process_state(pid);
  return state != 'Z' && state != '-';
}

// kill(pid, 0) fails with ESRCH for every pid within `limit` (init reaps orphans lazily).
bool all_gone_within(const std::vector<pid_t>& pids, std::chrono::milliseconds limit) {
  const auto deadline = Clock::now() + limit;
  for (;;) {
    const bool gone = std::all_of(pids.begin(), pids.end(),
                                  [](pid_t pid) { return kill(pid, 0) != 0 && errno == ESRCH; });
    if (gone || Clock::now() > deadline) return gone;
    std::this_thread::sleep_for(20ms);
  }
}

class RecordingSink : public sdk::OutputSink {
 public:
  struct Chunk {
    sdk::Stream stream;
    std::string bytes;
    Clock::time_point at;
  };
  void on_output(sdk::Stream stream, std::string_view bytes) override {
    std::lock_guard lock(mutex_);
    chunks_.push_back({stream, std::string(bytes), Clock::now()});
  }
  std::vector<Chunk> chunks() {
    std::lock_guard lock(mutex_);
    return chunks_;
  }
  std::string text(sdk::Stream stream) {
    std::string out;
    for (const auto& c : chunks())
      if (c.stream == stream) out += c.bytes;
    return out;
  }

 private:
  std::mutex mutex_;
  std::vector<Chunk> chunks_;
};

class ProcessTest : public testing::Test {
 protected:
  // A command run in dir_, so the pid files it writes land there.
  sdk::ExecRequest shell_in_dir(const std::string& script) {
    auto request = shell(script);
    request.cwd = dir_.string();
    return request;
  }

  // Waits for the command to have written "<pid>\n" to `name`.
  pid_t read_pid(const std::string& name) {
    const auto deadline = Clock::now() + 5s;
    while (Clock::now() < deadline) {
      std::ifstream in(dir_ / name);
      std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
      if (!text.empty() && text.back() == '\n') return static_cast<pid_t>(std::stoi(text));
      std::this_thread::sleep_for(5ms);
    }
    ADD_FAILURE() << "no pid in " << name;
    return -1;
  }

  const test_support::TempDir tmp_{"vt_process_"};
  const fs::path dir_ = tmp_.path();
};

TEST_F(ProcessTest, SeparatesStdoutAndStderr) {
  const auto r = run_process(shell("echo out1; echo err1 >&2; echo out2"), nullptr);
  EXPECT_EQ(r.stdout_data, "out1\nout2\n");
  EXPECT_EQ(r.stderr_data, "err1\n");
  EXPECT_EQ(r.exit_status, 0);
  EXPECT_FALSE(r.timed_out);
}

TEST_F(ProcessTest, ReportsExitCodes) {
  for (int code : {0, 1, 42, 125})
    EXPECT_EQ(run_process(shell("exit " + std::to_string(code)), nullptr).exit_status, code);
}

TEST_F(ProcessTest, ReportsASignalAs128PlusItsNumber) {
  EXPECT_EQ(run_process(shell("kill -TERM $$"), nullptr).exit_status, 128 + SIGTERM);
  EXPECT_EQ(run_process(shell("kill -KILL $$"), nullptr).exit_status, 128 + SIGKILL);
}

TEST_F(ProcessTest, AddsAndOverridesEnvironmentVariables) {
  setenv("VT_PT_INHERITED", "kept", 1);
  setenv("VT_PT_OVERRIDDEN", "old", 1);
  auto request = shell("echo \"$VT_PT_INHERITED|$VT_PT_OVERRIDDEN|$VT_PT_ADDED\"");
  request.env = {{"VT_PT_OVERRIDDEN", "new"}, {"VT_PT_ADDED", "a b"}};
  const auto r = run_process(request, nullptr);
  // `env` prints the environment as given, so a duplicate entry would show.
  request.argv = {"env"};
  const std::string env = run_process(request, nullptr).stdout_data;
  unsetenv("VT_PT_INHERITED");
  unsetenv("VT_PT_OVERRIDDEN");
  EXPECT_EQ(r.stdout_data, "kept|new|a b\n");
  std::vector<std::string> ours;
  std::istringstream lines(env);
  for (std::string line; std::getline(lines, line);)
    if (line.rfind("VT_PT_", 0) == 0) ours.push_back(line);
  std::sort(ours.begin(), ours.end());
  EXPECT_EQ(ours, (std::vector<std::string>{"VT_PT_ADDED=a b", "VT_PT_INHERITED=kept",
                                            "VT_PT_OVERRIDDEN=new"}));
}

TEST_F(ProcessTest, LooksUpTheProgramInTheRequestsPath) {
  const fs::path script = dir_ / "vt-hello";
  std::ofstream(script) << "#!/bin/sh\necho from-path \"$1\"\n";
  fs::permissions(script, fs::perms::owner_all);
  sdk::ExecRequest request;
  request.argv = {"vt-hello", "x"};
  request.env = {{"PATH", "/nonexistent-dir:" + dir_.string()}};
  EXPECT_EQ(run_process(request, nullptr).stdout_data, "from-path x\n");
}

TEST_F(ProcessTest, RunsInTheGivenWorkingDirectory) {
  fs::create_directory(dir_ / "work");
  auto request = shell("pwd -P");
  request.cwd = (dir_ / "work").string();
  EXPECT_EQ(run_process(request, nullptr).stdout_data, (dir_ / "work").string() + "\n");
}

TEST_F(ProcessTest, MissingWorkingDirectoryThrowsNamingIt) {
  auto request = shell("true");
  request.cwd = (dir_ / "nope").string();
  EXPECT_EQ(error_of(request),
            "cannot run 'sh': working directory '" + request.cwd + "' does not exist");
}

TEST_F(ProcessTest, MissingProgramThrowsNamingIt) {
  sdk::ExecRequest request;
  request.argv = {"vt-no-such-program"};
  request.env = {{"PATH", "/nonexistent-dir"}};
  EXPECT_EQ(error_of(request),
            "cannot run 'vt-no-such-program': not found in PATH (/nonexistent-dir) — install it "
            "or give its full path");
  request.argv = {(dir_ / "missing").string()};
  EXPECT_EQ(error_of(request), "cannot run '" + request.argv[0] + "': No such file or directory");
  EXPECT_THROW(spawn_process(request, nullptr), sdk::Error);
  EXPECT_EQ(error_of(sdk::ExecRequest{}), "cannot run an empty command");
}

TEST_F(ProcessTest, FeedsStdinAndClosesIt) {
  auto request = shell("cat; echo end");
  request.stdin_data = "line1\nline2";
  EXPECT_EQ(run_process(request, nullptr).stdout_data, "line1\nline2end\n");
}

TEST_F(ProcessTest, BigStdinAndBigOutputAtOnceDoNotDeadlock) {
  // The command writes 2 MB and 1.5 MB before it reads anything: both sides block unless the
  // layer reads while it writes.
  auto request = shell(
      "head -c 2000000 /dev/zero | tr '\\0' o; head -c 1500000 /dev/zero | tr '\\0' e >&2; cat");
  std::string input(3u << 20, '\0');
  for (std::size_t i = 0; i < input.size(); ++i) input[i] = static_cast<char>('a' + i % 26);
  request.stdin_data = input;
  request.timeout = 20s;
  const auto r = run_process(request, nullptr);
  EXPECT_FALSE(r.timed_out);
  EXPECT_EQ(r.exit_status, 0);
  EXPECT_EQ(r.stdout_data.size(), 2000000 + input.size());
  EXPECT_TRUE(r.stdout_data == std::string(2000000, 'o') + input);
  EXPECT_TRUE(r.stderr_data == std::string(1500000, 'e'));
}

TEST_F(ProcessTest, CommandThatDoesNotReadItsStdinDoesNotKillTheCaller) {
  // Writing to a pipe nobody reads raises SIGPIPE, which by default kills the writer: vtrun.
  auto request = shell("head -c 5");
  request.stdin_data = std::string(1u << 20, 'x');
  const auto r = run_process(request, nullptr);
  EXPECT_EQ(r.exit_status, 0);
  EXPECT_EQ(r.stdout_data, "xxxxx");
  request = shell("exit 3");
  request.stdin_data = std::string(1u << 20, 'y');
  EXPECT_EQ(run_process(request, nullptr).exit_status, 3);
}

TEST_F(ProcessTest, PtyMergesStreamsInOrderWithCrLf) {
  auto request = shell("test -t 1 && echo tty; echo two >&2; echo three");
  request.pty = true;
  const auto r = run_process(request, nullptr);
  EXPECT_EQ(r.stdout_data, "tty\r\ntwo\r\nthree\r\n");
  EXPECT_EQ(r.stderr_data, "");
  EXPECT_EQ(r.exit_status, 0);
}

TEST_F(ProcessTest, PtyDeliversStdinWithoutEchoAndThenEndOfFile) {
  auto request = shell("cat; echo done");
  request.pty = true;
  request.stdin_data = "hello\npartial";
  request.timeout = std::chrono::seconds(10);
  const auto r = run_process(request, nullptr);
  EXPECT_FALSE(r.timed_out);
  EXPECT_EQ(r.stdout_data, "hello\r\npartialdone\r\n");
  EXPECT_EQ(r.exit_status, 0);
}

TEST_F(ProcessTest, PtyWithoutStdinDataReadsEndOfFile) {
  auto request = shell("cat; echo eof");
  request.pty = true;
  request.timeout = std::chrono::seconds(10);
  const auto r = run_process(request, nullptr);
  EXPECT_FALSE(r.timed_out);
  EXPECT_EQ(r.stdout_data, "eof\r\n");
}

TEST_F(ProcessTest, SinkReceivesOutputWhileTheCommandRuns) {
  RecordingSink sink;
  const auto r = run_process(shell("echo first; echo oops >&2; sleep 1; echo second"), &sink);
  const auto returned = Clock::now();
  EXPECT_EQ(r.exit_status, 0);
  EXPECT_EQ(r.stdout_data, "");
  EXPECT_EQ(r.stderr_data, "");
  EXPECT_EQ(sink.text(sdk::Stream::out), "first\nsecond\n");
  EXPECT_EQ(sink.text(sdk::Stream::err), "oops\n");
  const auto chunks = sink.chunks();
  ASSERT_FALSE(chunks.empty());
  EXPECT_EQ(chunks.front().bytes, "first\n");
  // The first line arrived while the command still slept, not when it ended.
  EXPECT_GE(returned - chunks.front().at, 700ms);
}

TEST_F(ProcessTest, TimeoutKillsTheWholeTree) {
  auto request = shell(
      "echo $$ > sh.pid; sleep 300 & echo $! > a.pid; setsid sleep 301 & echo $! > b.pid; "
      "sleep 302");
  request.cwd = dir_.string();
  request.timeout = 1s;
  const auto start = Clock::now();
  auto running = std::async(std::launch::async, [&] { return run_process(request, nullptr); });
  const pid_t sh = read_pid("sh.pid"), a = read_pid("a.pid"), b = read_pid("b.pid");
  // The tree as the layer sees it: sh, both background sleeps and the foreground one.
  std::vector<pid_t> tree;
  while (tree.size() < 4 && Clock::now() - start < 900ms) {
    tree = process_tree_for_test(sh, sh);
    std::this_thread::sleep_for(10ms);
  }
  ASSERT_EQ(tree.size(), 4u);
  for (pid_t pid : {sh, a, b}) EXPECT_NE(std::find(tree.begin(), tree.end(), pid), tree.end());

  const bool done = running.wait_for(5s) == std::future_status::ready;
  if (!done)
    for (pid_t pid : tree) kill(pid, SIGKILL);  // so that a failure does not hang for 300 s
  ASSERT_TRUE(done);
  const auto r = running.get();
  const auto elapsed = Clock::now() - start;
  EXPECT_TRUE(r.timed_out);
  EXPECT_EQ(r.exit_status, 137);
  EXPECT_GE(elapsed, 1s);
  EXPECT_LT(elapsed, 4s);
  for (pid_t pid : tree) EXPECT_FALSE(is_running(pid)) << pid;
  EXPECT_TRUE(all_gone_within(tree, 4s));
}

TEST_F(ProcessTest, ReturnsWhenTheCommandExitsLeavingABackgroundJob) {
  const auto start = Clock::now();
  const auto r = run_process(shell_in_dir("sleep 300 & echo $! > bg.pid; echo done"), nullptr);
  EXPECT_LT(Clock::now() - start, 5s);
  EXPECT_EQ(r.stdout_data, "done\n");
  EXPECT_EQ(r.exit_status, 0);
  EXPECT_FALSE(is_running(read_pid("bg.pid")));
}

TEST_F(ProcessTest, SpawnedProcessWaitsAndKillsItsTree) {
  RecordingSink sink;
  auto process = spawn_process(
      shell_in_dir("echo $$ > sh.pid; echo started; sleep 300 & echo $! > bg.pid; wait"), &sink);
  const pid_t sh = read_pid("sh.pid"), bg = read_pid("bg.pid");
  EXPECT_EQ(process->pid(), sh);
  EXPECT_EQ(process->wait(200ms), std::nullopt);
  process->kill_tree();
  EXPECT_EQ(process->wait(5000ms), 137);
  process->kill_tree();
  EXPECT_EQ(process->wait(0ms), 137);
  EXPECT_FALSE(is_running(sh));
  EXPECT_FALSE(is_running(bg));
  EXPECT_EQ(sink.text(sdk::Stream::out), "started\n");
}

TEST_F(ProcessTest, SpawnedProcessReportsItsExitStatusAndOutput) {
  RecordingSink sink;
  auto process = spawn_process(shell("echo hi; echo ho >&2; exit 5"), &sink);
  EXPECT_EQ(process->wait(5000ms), 5);
  EXPECT_EQ(sink.text(sdk::Stream::out), "hi\n");
  EXPECT_EQ(sink.text(sdk::Stream::err), "ho\n");
  EXPECT_EQ(spawn_process(shell("echo discarded"), nullptr)->wait(5000ms), 0);
}

TEST_F(ProcessTest, DestroyingARunningProcessKillsItsTree) {
  auto process = spawn_process(shell_in_dir("sleep 300 & echo $! > bg.pid; sleep 301"), nullptr);
  const pid_t sh = process->pid(), bg = read_pid("bg.pid");
  const auto start = Clock::now();
  process.reset();
  EXPECT_LT(Clock::now() - start, 5s);
  EXPECT_FALSE(is_running(sh));
  EXPECT_FALSE(is_running(bg));
}

TEST_F(ProcessTest, KillProcessTreeKillsEveryMember) {
  auto process = spawn_process(shell_in_dir("sleep 300 & echo $! > bg.pid; sleep 301"), nullptr);
  const pid_t sh = process->pid(), bg = read_pid("bg.pid");
  kill_process_tree(sh, sh, true);
  EXPECT_EQ(process_tree_for_test(sh, sh), std::vector<pid_t>{});
  EXPECT_EQ(process->wait(5000ms), 137);
  EXPECT_FALSE(is_running(bg));
}

TEST_F(ProcessTest, KillAllProcessesStopsACommandRunningInAnotherThread) {
  auto request = shell_in_dir("echo $$ > sh.pid; sleep 300 & echo $! > bg.pid; wait");
  auto running = std::async(std::launch::async, [&] { return run_process(request, nullptr); });
  const pid_t sh = read_pid("sh.pid"), bg = read_pid("bg.pid");
  kill_all_processes();
  const bool done = running.wait_for(5s) == std::future_status::ready;
  if (!done)
    for (pid_t pid : {sh, bg}) kill(pid, SIGKILL);
  ASSERT_TRUE(done);
  const auto r = running.get();
  EXPECT_EQ(r.exit_status, 137);
  EXPECT_FALSE(r.timed_out);
  EXPECT_FALSE(is_running(sh));
  EXPECT_FALSE(is_running(bg));
}

}  // namespace
}  // namespace vt::core
