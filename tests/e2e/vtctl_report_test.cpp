// `vtctl report`: a test turns its PASS into a WARN, or itself into a CANCEL, whatever it exits
// with; a testbed failure still wins.
#include <gtest/gtest.h>

#include "vtrun_cli.h"

namespace vt::e2e {
namespace {

TEST(VtctlReport, WarnAndCancelChangeTheStatus) {
  TempDir tmp;
  const fs::path providers = make_provider(tmp.path(), R"([[test]]
name = "r.warn"
command = ["sh", "-c", "vtctl report warn 'disk is slow' && vtctl report warn 'and old'"]

[[test]]
name = "r.cancel"
command = ["sh", "-c", "vtctl report cancel 'no second NIC here'; exit 1"]

[[test]]
name = "r.warn-then-fail"
command = ["sh", "-c", "vtctl report warn 'meh'; exit 1"]

[[test]]
name = "r.cancel-then-timeout"
command = ["sh", "-c", "vtctl report cancel 'x'; sleep 30"]
timeout = 1

[[test]]
name = "r.bad"
command = ["vtctl", "report", "fine", "reason"]
)");
  const auto r = run_vtrun({"--providers", providers.string(), "run"}, tmp.path());
  // FAIL (bit 1) and a timeout (bit 8); WARN and CANCEL fail nothing.
  EXPECT_EQ(r.exit_status, 9) << r.stdout_data << r.stderr_data;
  const fs::path job = last_line(r.stdout_data);
  const auto results = read_json(job / "results.json");
  const std::map<std::string, std::string> expected = {{"r.warn", "WARN"},
                                                       {"r.cancel", "CANCEL"},
                                                       {"r.warn-then-fail", "FAIL"},
                                                       {"r.cancel-then-timeout", "INTERRUPTED"},
                                                       {"r.bad", "FAIL"}};
  EXPECT_EQ(statuses(results), expected) << sdk::read_file(job / "run.log");
  for (const auto& t : results["tests"]) {
    if (t["id"] == "r.warn") {
      EXPECT_EQ(t["reason"], "disk is slow; and old");
    } else if (t["id"] == "r.cancel") {
      EXPECT_EQ(t["reason"], "no second NIC here");
    }
  }
  EXPECT_NE(sdk::read_file(job / "tests/r.warn/test.log").find("REPORT warn: disk is slow"),
            std::string::npos);
  // vtctl refuses a status it does not know, before it reaches vtrun.
  EXPECT_NE(sdk::read_file(job / "tests/r.bad/stderr").find("fine"), std::string::npos);
}

}  // namespace
}  // namespace vt::e2e
