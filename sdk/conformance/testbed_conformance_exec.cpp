// Conformance of Testbed::exec: exit statuses, streams, environment, working directory, stdin,
// large output and concurrent callers.
#include <mutex>
#include <thread>

#include "conformance_util.h"
#include "vt/sdk/conformance/testbed_conformance.h"
#include "vt/sdk/error.h"

namespace vt::sdk::conformance {

int link_exec_tests() {
  return 0;
}

namespace {

using std::chrono::milliseconds;

TEST_P(TestbedConformance, ExecSeparatesStdoutAndStderr) {
  const ExecResult r = sh("printf 'to-out\\n'; printf 'to-err\\n' >&2; printf 'more-out'");
  EXPECT_EQ(r.exit_status, 0) << describe(r);
  EXPECT_FALSE(r.timed_out) << describe(r);
  EXPECT_EQ(r.stdout_data, "to-out\nmore-out") << "stdout must hold exactly what went to fd 1";
  EXPECT_EQ(r.stderr_data, "to-err\n") << "stderr must hold exactly what went to fd 2";
}

TEST_P(TestbedConformance, ExecPassesExitCodesThrough) {
  for (int code : {0, 1, 42, 254}) {
    const ExecResult r = sh("exit " + std::to_string(code));
    EXPECT_EQ(r.exit_status, code) << "`exit " << code << "`: " << describe(r);
  }
}

TEST_P(TestbedConformance, ExecReportsACommandsOwn255As254) {
  const ExecResult r = sh("exit 255");
  EXPECT_EQ(r.exit_status, 254)
      << "255 is reserved for 'the channel failed' (testbed.h): a command's own 255 must be "
         "reported as 254; "
      << describe(r);
}

TEST_P(TestbedConformance, ExecReportsSignalDeathAs128PlusN) {
  const ExecResult term = sh("kill -TERM $$");
  EXPECT_EQ(term.exit_status, 128 + 15) << "`kill -TERM $$`: " << describe(term);
  const ExecResult kill = sh("kill -KILL $$");
  EXPECT_EQ(kill.exit_status, 128 + 9) << "`kill -KILL $$`: " << describe(kill);
}

TEST_P(TestbedConformance, ExecOfAMissingProgramExits127) {
  ExecRequest request;
  request.argv = {"vt-conformance-no-such-program"};
  request.timeout = milliseconds(60'000);
  ExecResult r;
  try {
    r = testbed().exec(request, nullptr);
  } catch (const std::exception& e) {
    FAIL() << "a program that does not exist is the test's failure, not the testbed's: exec "
              "must return 127 as a shell does, not throw ("
           << e.what() << ")";
  }
  EXPECT_EQ(r.exit_status, 127) << "a program that does not exist exits 127, as in a shell; "
                                << describe(r);
}

TEST_P(TestbedConformance, ExecRunsArgvWithoutAShell) {
  ExecRequest request;
  request.argv = {"printf", "%s|%s", "two words", "$HOME;`true`"};
  const ExecResult r = run(request);
  EXPECT_EQ(r.exit_status, 0) << describe(r);
  EXPECT_EQ(r.stdout_data, "two words|$HOME;`true`")
      << "argv elements must reach the command unchanged (no word splitting or expansion)";
}

TEST_P(TestbedConformance, ExecPassesEnvironmentVariables) {
  ExecRequest request;
  request.argv = {"sh", "-c", "printf '%s|%s|%s' \"$VT_CONF_A\" \"$VT_CONF_B\" \"$VT_CONF_C\""};
  request.env = {{"VT_CONF_A", "hello world"}, {"VT_CONF_B", "a=b;'c' \"d\""}, {"VT_CONF_C", ""}};
  const ExecResult r = run(request);
  EXPECT_EQ(r.exit_status, 0) << describe(r);
  EXPECT_EQ(r.stdout_data, "hello world|a=b;'c' \"d\"|")
      << "request.env must be set in the command's environment, values unchanged";
  const std::string path = sh_ok("printf '%s' \"$PATH\"");
  EXPECT_FALSE(path.empty()) << "commands must get a default PATH";
  request.argv = {"sh", "-c", "printf '%s' \"$PATH\""};
  request.env = {{"PATH", "/vt-conformance-extra:" + path}};
  const ExecResult overridden = run(request);
  EXPECT_EQ(overridden.stdout_data, "/vt-conformance-extra:" + path)
      << "request.env must override a variable of the default environment (PATH); "
      << describe(overridden);
}

TEST_P(TestbedConformance, ExecDefaultsToTheScratchDirectory) {
  const std::string expected = sh_ok("cd " + shell_quote(scratch()) + " && pwd -P");
  ASSERT_FALSE(expected.empty());
  const ExecResult r = sh("pwd -P");
  EXPECT_EQ(r.exit_status, 0) << describe(r);
  EXPECT_EQ(r.stdout_data, expected)
      << "with an empty request.cwd a command must start in the scratch directory '" << scratch()
      << "'";
}

TEST_P(TestbedConformance, ExecHonoursCwd) {
  const std::string dir = on_testbed("sub dir");
  sh_ok("mkdir -p " + shell_quote(dir));
  const std::string expected = sh_ok("cd " + shell_quote(dir) + " && pwd -P");
  ASSERT_FALSE(expected.empty());
  ExecRequest request;
  request.argv = {"pwd", "-P"};
  request.cwd = dir;
  const ExecResult r = run(request);
  EXPECT_EQ(r.exit_status, 0) << describe(r);
  EXPECT_EQ(r.stdout_data, expected) << "request.cwd '" << dir << "' was not honoured";
}

TEST_P(TestbedConformance, ExecDeliversStdin) {
  ExecRequest request;
  request.argv = {"cat"};
  request.stdin_data = "line one\nline two without newline";
  ExecResult r = run(request);
  EXPECT_EQ(r.exit_status, 0) << describe(r);
  EXPECT_EQ(r.stdout_data, request.stdin_data);

  request.stdin_data.clear();
  request.timeout = milliseconds(60'000);
  r = run(request);
  EXPECT_EQ(r.exit_status, 0)
      << "with empty stdin_data, stdin must be closed at once (cat must see EOF): " << describe(r);
  EXPECT_FALSE(r.timed_out) << "cat waited for stdin that never came";
  EXPECT_EQ(r.stdout_data, "");
}

TEST_P(TestbedConformance, ExecDeliversLargeBinaryStdin) {
  ExecRequest request;
  request.argv = {"cat"};
  request.stdin_data = random_bytes(3 * 512 * 1024 + 7, 1);  // 1.5 MiB + 7, every byte value
  const ExecResult r = run(request);
  EXPECT_EQ(r.exit_status, 0) << "exit status " << r.exit_status << ", stderr " << r.stderr_data;
  EXPECT_TRUE(r.stdout_data == request.stdin_data)
      << "`cat` must echo binary stdin byte for byte: "
      << describe_difference(request.stdin_data, r.stdout_data);

  request.argv = {"wc", "-c"};
  const ExecResult count = run(request);
  EXPECT_EQ(count.exit_status, 0) << describe(count);
  unsigned long counted = 0;
  try {
    counted = std::stoul(count.stdout_data);  // skips the blanks some wc print first
  } catch (const std::exception&) {
  }
  EXPECT_EQ(counted, request.stdin_data.size())
      << "`wc -c` counted a different number of stdin bytes: " << describe(count);
}

TEST_P(TestbedConformance, ExecOfACommandThatLeavesStdinUnreadSucceeds) {
  // The command exits without reading (all of) its stdin: the rest is dropped, nothing breaks
  // (a backend that dies of SIGPIPE here takes the whole run with it).
  ExecRequest request;
  request.stdin_data = random_bytes(2 * 1024 * 1024, 3);
  request.timeout = milliseconds(60'000);
  request.argv = {"true"};
  const ExecResult ignored = run(request);
  EXPECT_EQ(ignored.exit_status, 0) << "`true` with 2 MiB of stdin: " << describe(ignored);
  request.argv = {"head", "-c", "10"};
  const ExecResult partly = run(request);
  EXPECT_EQ(partly.exit_status, 0) << "`head -c 10` with 2 MiB of stdin: " << describe(partly);
  EXPECT_EQ(partly.stdout_data, request.stdin_data.substr(0, 10));
}

TEST_P(TestbedConformance, ExecReturnsLargeOutputIntact) {
  // `seq 1 700000` prints 4,788,895 bytes (> 4 MiB) that are easy to rebuild here.
  std::string expected;
  expected.reserve(4'800'000);
  for (int i = 1; i <= 700'000; ++i) expected += std::to_string(i) + "\n";
  const ExecResult r = sh("seq 1 700000");
  EXPECT_EQ(r.exit_status, 0) << "exit status " << r.exit_status << ", stderr " << r.stderr_data;
  EXPECT_TRUE(r.stdout_data == expected) << "large stdout must arrive complete and in order: "
                                         << describe_difference(expected, r.stdout_data);

  const ExecResult err = sh("seq 1 700000 >&2");
  EXPECT_EQ(err.exit_status, 0);
  EXPECT_TRUE(err.stderr_data == expected) << "large stderr must arrive complete and in order: "
                                           << describe_difference(expected, err.stderr_data);
}

TEST_P(TestbedConformance, ExecWorksFromFourThreadsAtOnce) {
  constexpr int threads = 4;
  constexpr int per_thread = 6;
  std::mutex mutex;
  std::vector<std::string> problems;
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&, t] {
      for (int i = 0; i < per_thread; ++i) {
        const std::string token = "thread-" + std::to_string(t) + "-" + std::to_string(i);
        ExecRequest request;
        request.argv = {"sh", "-c", "sleep 0.1; printf '%s' \"$0\"; printf '%s' \"$0\" >&2", token};
        request.timeout = milliseconds(120'000);
        std::string problem;
        try {
          const ExecResult r = testbed().exec(request, nullptr);
          if (r.exit_status != 0 || r.stdout_data != token || r.stderr_data != token)
            problem = token + ": " + describe(r);
        } catch (const std::exception& e) {
          problem = token + ": exec threw: " + e.what();
        }
        if (!problem.empty()) {
          std::lock_guard lock(mutex);
          problems.push_back(problem);
        }
      }
    });
  }
  for (auto& w : workers) w.join();
  EXPECT_TRUE(problems.empty()) << "exec must allow concurrent callers (testbed.h); "
                                << problems.size() << " of " << threads * per_thread
                                << " commands went wrong, first: "
                                << (problems.empty() ? "" : problems.front());
}

}  // namespace
}  // namespace vt::sdk::conformance
