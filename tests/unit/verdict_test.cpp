// The verdict policies: which status and reason each outcome of a command gets (exit code),
// the filtered comparison with a golden output, and the status a guest reports on its console.
#include <gtest/gtest.h>
#include <regex.h>

#include <chrono>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "runner/golden_output.h"
#include "runner/guest_status.h"
#include "runner/verdict.h"
#include "support/test_support.h"
#include "vt/sdk/error.h"
#include "vt/sdk/files.h"

namespace vt::core {
namespace {

using namespace std::chrono_literals;

Verdict verdict_of(int exit_status, bool on_testbed = false, bool timed_out = false) {
  sdk::ExecResult result;
  result.exit_status = exit_status;
  result.timed_out = timed_out;
  return exit_code_verdict(result, 30s, on_testbed);
}

TEST(ExitCodeVerdict, ZeroPasses) {
  const auto v = verdict_of(0);
  EXPECT_EQ(v.status, sdk::Status::pass);
  EXPECT_EQ(v.reason, "");
  EXPECT_EQ(verdict_of(0, true).status, sdk::Status::pass);
}

TEST(ExitCodeVerdict, SeventySevenSkips) {
  const auto v = verdict_of(77);
  EXPECT_EQ(v.status, sdk::Status::skip);
  EXPECT_EQ(v.reason, "exit status 77 (skip)");
}

TEST(ExitCodeVerdict, NinetyNineIsAnError) {
  const auto v = verdict_of(99);
  EXPECT_EQ(v.status, sdk::Status::error);
  EXPECT_EQ(v.reason, "exit status 99 (error)");
}

TEST(ExitCodeVerdict, AnyOtherCodeFails) {
  for (int code : {1, 2, 76, 78, 98, 100, 125, 128}) {
    const auto v = verdict_of(code);
    EXPECT_EQ(v.status, sdk::Status::fail) << code;
    EXPECT_EQ(v.reason, "exit status " + std::to_string(code));
  }
}

TEST(ExitCodeVerdict, TwoFiftyFiveIsTheChannelOnlyOnTheTestbed) {
  const auto testbed = verdict_of(255, true);
  EXPECT_EQ(testbed.status, sdk::Status::error);
  EXPECT_EQ(testbed.reason, "exit status 255: the channel to the testbed failed");
  const auto host = verdict_of(255, false);
  EXPECT_EQ(host.status, sdk::Status::fail);
  EXPECT_EQ(host.reason, "exit status 255");
}

TEST(ExitCodeVerdict, SignalsNameTheSignal) {
  const auto killed = verdict_of(137);
  EXPECT_EQ(killed.status, sdk::Status::fail);
  EXPECT_EQ(killed.reason, "killed by signal 9 (Killed)");
  EXPECT_EQ(verdict_of(143, true).reason, "killed by signal 15 (Terminated)");
}

TEST(ExitCodeVerdict, TimeoutIsInterruptedWhateverTheStatus) {
  for (int code : {0, 137, 255}) {
    const auto v = verdict_of(code, true, true);
    EXPECT_EQ(v.status, sdk::Status::interrupted) << code;
    EXPECT_EQ(v.reason, "timed out after 30 s; process tree killed");
  }
  sdk::ExecResult result;
  result.timed_out = true;
  EXPECT_EQ(exit_code_verdict(result, 5s, false).reason,
            "timed out after 5 s; process tree killed");
}

// The golden-output and guest-reported policies, through make_verdict_policy as the runner
// calls them.
class VerdictPolicyTest : public ::testing::Test {
 protected:
  VerdictPolicyTest() {
    std::filesystem::create_directories(logdir_);
    std::filesystem::create_directories(test_dir_);
  }

  VerdictInput input(int exit_status = 0) const {
    VerdictInput in;
    in.result.exit_status = exit_status;
    in.timeout = 30s;
    in.logdir = logdir_;
    in.test_dir = test_dir_;
    return in;
  }

  void captured(std::string_view text) const { test_support::write_file(logdir_ / "stdout", text); }
  void golden(std::string_view text, const std::string& name = "output") const {
    test_support::write_file(test_dir_ / name, text);
  }
  Verdict golden_verdict(const sdk::Params& params = {}, int exit_status = 0) const {
    return make_verdict_policy("golden-output", params)->decide(input(exit_status));
  }
  bool has_diff() const { return std::filesystem::exists(logdir_ / "diff"); }
  std::string diff() const { return sdk::read_file(logdir_ / "diff"); }

  const test_support::TempDir tmp_{"vt_verdict_"};
  const std::filesystem::path logdir_ = tmp_.path() / "job" / "tests" / "t1";
  const std::filesystem::path test_dir_ = tmp_.path() / "provider" / "t1";
};

using GoldenOutputVerdict = VerdictPolicyTest;

TEST_F(GoldenOutputVerdict, MatchAfterDroppingTraceLinesPassesWhateverTheExitStatus) {
  golden(
      "+ echo hello\r\nhello\r\n[pvtest] 1712345678 DEBUG -- [test-script]: pvcontrol ls\r\n"
      "$ prompt\r\n");
  captured("[pvtest] 1799999999 DEBUG -- [test-script]: echo hello\r\nhello\r\n+ exit 3\r\n");
  const auto v = golden_verdict({}, 3);
  EXPECT_EQ(v.status, sdk::Status::pass) << v.reason;
  EXPECT_EQ(v.reason, "");
  EXPECT_FALSE(has_diff());
}

TEST_F(GoldenOutputVerdict, TheDefaultFilterIsPvTestsExactGrep) {
  EXPECT_STREQ(default_golden_output_filter,
               R"(^(\+|\$|\[+pvtest\] [0-9]+ DEBUG -- \[test-script\]:))");
  // `[[pvtest]` matches too (`\[+`); an INFO line and an indented `+` do not.
  golden("[[pvtest] 1 DEBUG -- [test-script]: x\nkept\n");
  captured("kept\n");
  EXPECT_EQ(golden_verdict().status, sdk::Status::pass);
  captured("kept\n[pvtest] 1 INFO -- [test-script]: x\n +indented\n");
  EXPECT_EQ(golden_verdict().reason, "output differs from output (2 lines differ; see diff)");
}

TEST_F(GoldenOutputVerdict, MismatchFailsAndWritesAUnifiedDiffOfTheFilteredTexts) {
  golden("+ trace only in expected\na\nb\nc\n");
  captured("a\nB\nc\n+ trace only in actual\nd\n");
  const auto v = golden_verdict();
  EXPECT_EQ(v.status, sdk::Status::fail);
  EXPECT_EQ(v.reason, "output differs from output (2 lines differ; see diff)");
  ASSERT_TRUE(has_diff());
  EXPECT_EQ(diff(),
            "--- expected\n"
            "+++ actual\n"
            "@@ -1,3 +1,4 @@\n"
            " a\n"
            "-b\n"
            "+B\n"
            " c\n"
            "+d\n");
}

TEST_F(GoldenOutputVerdict, OneChangedLineIsOneLine) {
  golden("x\n");
  captured("y\n");
  EXPECT_EQ(golden_verdict().reason, "output differs from output (1 line differs; see diff)");
}

TEST_F(GoldenOutputVerdict, CarriageReturnsAreCompared) {
  golden("hello\r\n");
  captured("hello\n");
  const auto v = golden_verdict();
  EXPECT_EQ(v.status, sdk::Status::fail);
  EXPECT_EQ(v.reason, "output differs from output (1 line differs; see diff)");
  EXPECT_NE(diff().find("-hello\r\n+hello\n"), std::string::npos) << diff();
}

TEST_F(GoldenOutputVerdict, MissingExpectedFileFailsAndSaysHowToRecordIt) {
  captured("hello\n");
  const auto v = golden_verdict();
  EXPECT_EQ(v.status, sdk::Status::fail);
  EXPECT_EQ(v.reason, "no golden output '" + (test_dir_ / "output").string() +
                          "' to compare with — record it with `vtrun run -o` (--overwrite) and "
                          "check it in");
  EXPECT_FALSE(has_diff());
}

TEST_F(GoldenOutputVerdict, MissingCapturedOutputIsAnError) {
  golden("hello\n");
  const auto v = golden_verdict();
  EXPECT_EQ(v.status, sdk::Status::error);
  EXPECT_NE(v.reason.find((logdir_ / "stdout").string()), std::string::npos) << v.reason;
}

TEST_F(GoldenOutputVerdict, OverwriteRecordsTheUnfilteredBytesThenTheNextRunPasses) {
  const std::string bytes = "+ echo hi\r\nhi\r\n";
  captured(bytes);
  auto in = input(1);
  in.overwrite = true;
  const sdk::Params params{{"golden_output_file", "expected/out.txt"}};
  const auto policy = make_verdict_policy("golden-output", params);
  const auto path = test_dir_ / "expected" / "out.txt";  // its directory does not exist yet
  auto v = policy->decide(in);
  EXPECT_EQ(v.status, sdk::Status::pass);
  EXPECT_EQ(v.reason, "recorded golden output: " + path.string() + " (15 bytes)");
  EXPECT_EQ(sdk::read_file(path), bytes);
  EXPECT_FALSE(has_diff());

  // An existing file is replaced.
  captured("new\n");
  v = policy->decide(in);
  EXPECT_EQ(v.reason, "recorded golden output: " + path.string() + " (4 bytes)");
  EXPECT_EQ(sdk::read_file(path), "new\n");

  in.overwrite = false;
  EXPECT_EQ(policy->decide(in).status, sdk::Status::pass);
}

TEST_F(GoldenOutputVerdict, OverwriteRecordsNothingAfterATimeout) {
  captured("partial\n");
  auto in = input(0);
  in.overwrite = true;
  in.result.timed_out = true;
  const auto v = make_verdict_policy("golden-output", {})->decide(in);
  EXPECT_EQ(v.status, sdk::Status::interrupted);
  EXPECT_FALSE(std::filesystem::exists(test_dir_ / "output"));
}

TEST_F(GoldenOutputVerdict, ACustomFilterReplacesTheDefaultOne) {
  const sdk::Params params{{"golden_output_filter", "^(DATE|PID):"}};
  golden("DATE: monday\nok\nPID: 12\n");
  captured("DATE: tuesday\nok\nPID: 13\n");
  EXPECT_EQ(golden_verdict(params).status, sdk::Status::pass);
  EXPECT_EQ(golden_verdict().status, sdk::Status::fail);

  captured("+ a trace line\nDATE: x\nok\n");
  const auto v = golden_verdict(params);
  EXPECT_EQ(v.status, sdk::Status::fail);
  EXPECT_NE(diff().find("\n++ a trace line\n"), std::string::npos) << diff();
}

TEST_F(GoldenOutputVerdict, AnEmptyFilterComparesEveryByte) {
  const sdk::Params none{{"golden_output_filter", ""}};
  golden("+ echo a\nx\n");
  captured("+ echo b\nx\n");
  EXPECT_EQ(golden_verdict(none).status, sdk::Status::fail);
  EXPECT_EQ(golden_verdict().status, sdk::Status::pass);

  // Filtering writes each kept line back with a newline, as grep does; unfiltered, a missing
  // final newline is a difference.
  golden("x");
  captured("x\n");
  EXPECT_EQ(golden_verdict().status, sdk::Status::pass);
  const auto v = golden_verdict(none);
  EXPECT_EQ(v.status, sdk::Status::fail);
  EXPECT_EQ(v.reason, "output differs from output (1 line differs; see diff)");
  EXPECT_NE(diff().find("\\ No newline at end of file"), std::string::npos) << diff();
}

TEST_F(GoldenOutputVerdict, AnInvalidFilterIsAConfigErrorWithRegcompsMessage) {
  regex_t re;
  const int rc = regcomp(&re, "([a-z", REG_EXTENDED | REG_NOSUB);
  ASSERT_NE(rc, 0);
  char message[256];
  regerror(rc, &re, message, sizeof message);
  const auto what = test_support::error_message<sdk::ConfigError>([] {
    make_verdict_policy("golden-output", {{"golden_output_filter", "([a-z"}});
  });
  EXPECT_EQ(what, std::string("param 'golden_output_filter': '([a-z' is not a POSIX extended "
                              "regular expression (") +
                      message + ") — fix it, or set it empty to compare every line");
}

TEST_F(GoldenOutputVerdict, AnEmptyFileNameIsAConfigError) {
  const auto what = test_support::error_message<sdk::ConfigError>([] {
    make_verdict_policy("golden-output", {{"golden_output_file", ""}});
  });
  EXPECT_NE(what.find("param 'golden_output_file'"), std::string::npos) << what;
}

TEST_F(GoldenOutputVerdict, TimeoutIsInterruptedAndTheChannelFailingIsAnError) {
  golden("same\n");
  captured("same\n");
  auto in = input(0);
  in.result.timed_out = true;
  const auto policy = make_verdict_policy("golden-output", {});
  auto v = policy->decide(in);
  EXPECT_EQ(v.status, sdk::Status::interrupted);
  EXPECT_EQ(v.reason, "timed out after 30 s; process tree killed");

  in = input(255);
  in.ran_on_testbed = true;
  v = policy->decide(in);
  EXPECT_EQ(v.status, sdk::Status::error);
  EXPECT_EQ(v.reason, "exit status 255: the channel to the testbed failed");

  in.ran_on_testbed = false;  // 255 from a host command is just its status, which is ignored
  EXPECT_EQ(policy->decide(in).status, sdk::Status::pass);
}

TEST(GoldenOutputVerdictDiff, ComesFromDiffUAndCountsChangedLines) {
  EXPECT_EQ(unified_diff("a\n", "a\n"), "");
  const auto d = unified_diff("a\nb\n", "a\nc\nd\n");
  EXPECT_EQ(d, "--- expected\n+++ actual\n@@ -1,2 +1,3 @@\n a\n-b\n+c\n+d\n");
  EXPECT_EQ(changed_lines(d), 2);
  EXPECT_EQ(changed_lines("--- expected\n+++ actual\n@@ -1,3 +1 @@\n-x\n-y\n-z\n"), 3);
  EXPECT_EQ(changed_lines(""), 0);
}

using GuestReportedVerdict = VerdictPolicyTest;

// A console that is `text` every time.
std::function<std::string()> console_of(std::string text) {
  return [text = std::move(text)] { return text; };
}

Verdict guest_verdict(VerdictInput in, std::function<std::string()> console,
                      sdk::Params params = {{"guest_status_timeout", "0"}}) {
  in.console = std::move(console);
  return make_verdict_policy("guest-reported", params)->decide(in);
}

TEST_F(GuestReportedVerdict, ZeroPassesWhateverTheCommandsStatus) {
  const auto v = guest_verdict(input(1), console_of("booting\nEXIT_STATUS=0\n"));
  EXPECT_EQ(v.status, sdk::Status::pass) << v.reason;
  EXPECT_EQ(v.reason, "");
}

TEST_F(GuestReportedVerdict, SeventySevenSkips) {
  const auto v = guest_verdict(input(), console_of("EXIT_STATUS=77\n"));
  EXPECT_EQ(v.status, sdk::Status::skip);
  EXPECT_EQ(v.reason, "guest reported 77 (skip)");
}

TEST_F(GuestReportedVerdict, AnyOtherCodeFails) {
  const auto v = guest_verdict(input(), console_of("EXIT_STATUS=3\n"));
  EXPECT_EQ(v.status, sdk::Status::fail);
  EXPECT_EQ(v.reason, "guest reported exit status 3, expected 0");
}

TEST_F(GuestReportedVerdict, TheSuccessCodeAndMarkerAreParams) {
  const sdk::Params params{{"guest_success_code", "123"},
                           {"guest_status_marker", "RESULT: "},
                           {"guest_status_timeout", "0"}};
  EXPECT_EQ(guest_verdict(input(), console_of("RESULT: 123\n"), params).status, sdk::Status::pass);
  const auto v = guest_verdict(input(), console_of("RESULT: 0\nEXIT_STATUS=123\n"), params);
  EXPECT_EQ(v.status, sdk::Status::fail);
  EXPECT_EQ(v.reason, "guest reported exit status 0, expected 123");
}

TEST_F(GuestReportedVerdict, TheLastMarkerCounts) {
  EXPECT_EQ(guest_verdict(input(), console_of("EXIT_STATUS=1\nEXIT_STATUS=0\n")).status,
            sdk::Status::pass);
  EXPECT_EQ(guest_verdict(input(), console_of("EXIT_STATUS=0\nEXIT_STATUS=2\nmore\n")).reason,
            "guest reported exit status 2, expected 0");
}

TEST_F(GuestReportedVerdict, ToleratesCrLfAndJunkBeforeTheMarker) {
  EXPECT_EQ(guest_verdict(input(), console_of("EXIT_STATUS=4\r\n")).reason,
            "guest reported exit status 4, expected 0");
  EXPECT_EQ(
      guest_verdict(input(), console_of("[    3.141592] random: crng init doneEXIT_STATUS=0\r\n"))
          .status,
      sdk::Status::pass);
  EXPECT_EQ(guest_verdict(input(), console_of("\x1b[0mlogin: EXIT_STATUS=5 \t[  OK  ]\n")).reason,
            "guest reported exit status 5, expected 0");
}

TEST_F(GuestReportedVerdict, TheMarkerNeedsDigitsThenTheLineEndOrSpace) {
  for (const char* console : {"EXIT_STATUS=\n", "EXIT_STATUS=0abc\n", "EXIT_STATUS=x0\n",
                              "EXIT_STATUS= 0\n", "exit_status=0\n", "EXIT_STATUS=1234567890\n"}) {
    const auto v = guest_verdict(input(), console_of(console));
    EXPECT_EQ(v.status, sdk::Status::error) << console;
  }
  // A bad marker does not hide an earlier good one.
  EXPECT_EQ(guest_verdict(input(), console_of("EXIT_STATUS=6\nEXIT_STATUS=7x\n")).reason,
            "guest reported exit status 6, expected 0");
}

TEST_F(GuestReportedVerdict, NoMarkerIsAnErrorNamingTheMarkerAndTheWait) {
  auto v = guest_verdict(input(), console_of("booting\nlogin:\n"));
  EXPECT_EQ(v.status, sdk::Status::error);
  EXPECT_EQ(v.reason,
            "the guest reported no status: no 'EXIT_STATUS=<n>' line on the console within 0 s "
            "— print it from the guest, or raise guest_status_timeout");

  // It keeps looking at the console until the wait is over.
  int calls = 0;
  const auto started = std::chrono::steady_clock::now();
  v = guest_verdict(input(),
                    [&calls] {
                      ++calls;
                      return std::string("still booting\n");
                    },
                    {{"guest_status_timeout", "1"}});
  const auto waited = std::chrono::steady_clock::now() - started;
  EXPECT_EQ(v.status, sdk::Status::error);
  EXPECT_NE(v.reason.find("within 1 s"), std::string::npos) << v.reason;
  EXPECT_GE(waited, 1s);
  EXPECT_LT(waited, 3s);
  EXPECT_GE(calls, 5);
  EXPECT_LE(calls, 15);
}

TEST_F(GuestReportedVerdict, WaitsForAMarkerOnAConsoleThatGrows) {
  // Each look sees more; a status at the very end may still be growing (`4` before `42`).
  const std::vector<std::string> looks = {"", "booting\n",
                                          "booting\nEXIT_STATUS=", "booting\nEXIT_STATUS=4",
                                          "booting\nEXIT_STATUS=42\n"};
  std::size_t calls = 0;
  const auto started = std::chrono::steady_clock::now();
  const auto v = guest_verdict(input(), [&] { return looks[std::min(calls++, looks.size() - 1)]; },
                               {{"guest_status_timeout", "10"}});
  EXPECT_EQ(v.status, sdk::Status::fail);
  EXPECT_EQ(v.reason, "guest reported exit status 42, expected 0");
  EXPECT_EQ(calls, looks.size());
  EXPECT_LT(std::chrono::steady_clock::now() - started, 3s);
}

TEST_F(GuestReportedVerdict, TheLastLookTakesAStatusAtTheVeryEnd) {
  const auto v = guest_verdict(input(), console_of("EXIT_STATUS=5"));
  EXPECT_EQ(v.reason, "guest reported exit status 5, expected 0");
  EXPECT_EQ(last_guest_status("EXIT_STATUS=5", "EXIT_STATUS=", false), std::nullopt);
  EXPECT_EQ(last_guest_status("EXIT_STATUS=5", "EXIT_STATUS=", true), 5);
}

TEST_F(GuestReportedVerdict, NoConsoleIsAnError) {
  const auto v = guest_verdict(input(), nullptr);
  EXPECT_EQ(v.status, sdk::Status::error);
  EXPECT_EQ(v.reason,
            "the backend has no console, so the guest cannot report a status — use verdict "
            "'exit-code', or a backend with a console");
  const auto thrown = guest_verdict(
      input(), []() -> std::string { throw sdk::InfrastructureError("console.log vanished"); });
  EXPECT_EQ(thrown.status, sdk::Status::error);
  EXPECT_EQ(thrown.reason, "cannot read the console: console.log vanished");
}

TEST_F(GuestReportedVerdict, TimeoutIsInterruptedAndTheChannelFailingIsAnError) {
  auto in = input(0);
  in.result.timed_out = true;
  auto v = guest_verdict(in, console_of("EXIT_STATUS=0\n"));
  EXPECT_EQ(v.status, sdk::Status::interrupted);
  EXPECT_EQ(v.reason, "timed out after 30 s; process tree killed");

  in = input(255);
  in.ran_on_testbed = true;
  v = guest_verdict(in, console_of("EXIT_STATUS=0\n"));
  EXPECT_EQ(v.status, sdk::Status::error);
  EXPECT_EQ(v.reason, "exit status 255: the channel to the testbed failed");

  in.ran_on_testbed = false;
  EXPECT_EQ(guest_verdict(in, console_of("EXIT_STATUS=0\n")).status, sdk::Status::pass);
}

TEST(GuestReportedVerdictParams, BadValuesAreConfigErrorsNamingTheParam) {
  const auto error_for = [](const std::string& key, const std::string& value) {
    return test_support::error_message<sdk::ConfigError>([&] {
      make_verdict_policy("guest-reported", {{key, value}});
    });
  };
  for (const char* bad : {"256", "-1", "abc", "", "1.0", " 0"})
    EXPECT_EQ(error_for("guest_success_code", bad),
              std::string("param 'guest_success_code': expected an exit status from 0 to 255, "
                          "got '") +
                  bad + "' — e.g. guest_success_code = 0");
  for (const char* bad : {"-1", "1.5", "", "soon"})
    EXPECT_NE(error_for("guest_status_timeout", bad)
                  .find("param 'guest_status_timeout': expected a whole number of seconds"),
              std::string::npos)
        << bad;
  EXPECT_NE(error_for("guest_status_marker", "").find("param 'guest_status_marker'"),
            std::string::npos);
  EXPECT_NO_THROW(make_verdict_policy("guest-reported", {{"guest_success_code", "255"}}));
}

TEST(VerdictPolicyFactory, ExitCodeAndUnknownNames) {
  VerdictInput in;
  in.result.exit_status = 77;
  in.timeout = 30s;
  EXPECT_EQ(make_verdict_policy("exit-code", {})->decide(in).status, sdk::Status::skip);
  EXPECT_EQ(
      test_support::error_message<sdk::ConfigError>([] { make_verdict_policy("golden", {}); }),
      "unknown verdict policy 'golden': expected 'exit-code', 'golden-output' or "
      "'guest-reported' — fix the test's `verdict`");
}

}  // namespace
}  // namespace vt::core
