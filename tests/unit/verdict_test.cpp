// The exit-code verdict policy: which status and reason each outcome of a command gets.
#include <gtest/gtest.h>

#include "runner/verdict.h"

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

}  // namespace
}  // namespace vt::core
