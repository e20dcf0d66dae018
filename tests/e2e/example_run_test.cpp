// The README's main job: the example provider on the default backend, end to end.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include "vtrun_cli.h"

namespace vt::e2e {
namespace {

const std::map<std::string, std::string> expected_statuses = expected_statuses_on("local");

TEST(ExampleRun, EndsWithTheExpectedStatusesExitCodeAndJobDirectory) {
  TempDir tmp;
  const auto junit = tmp.path() / "out/junit.xml";
  const auto json = tmp.path() / "out/results.json";
  const auto r =
      run_vtrun({"--providers", example_providers().string(), "run", "--reporter", "console",
                 "--reporter", "junit:" + junit.string(), "--reporter", "json:" + json.string()},
                tmp.path());
  // FAIL sets bit 1, the timed-out test bit 8.
  EXPECT_EQ(r.exit_status, 9) << r.stdout_data << r.stderr_data;

  const fs::path job = last_line(r.stdout_data);
  ASSERT_TRUE(fs::is_directory(job)) << r.stdout_data;
  EXPECT_EQ(fs::canonical(tmp.path() / "vtrun-results/latest"), fs::canonical(job));
  for (const char* f : {"run.log", "job.json", "results.json", "debug.log"})
    EXPECT_TRUE(fs::is_regular_file(job / f)) << f;

  const auto results = read_json(job / "results.json");
  EXPECT_EQ(statuses(results), expected_statuses);
  EXPECT_EQ(results["job"]["exit_code"], 9);
  EXPECT_EQ(results["job"]["backend"], "local");
  EXPECT_EQ(results["job"]["summary"]["PASS"], 5);
  for (const auto& t : results["tests"]) {
    const std::string id = t["id"];
    EXPECT_EQ(t["logdir"], "tests/" + id);
    EXPECT_EQ(t["attempts"], 1);
    // Skipped for a capability the backend lacks: never started, so no output files.
    if (t["status"] == "SKIP" &&
        t["reason"].get<std::string>().find("lacks capability") != std::string::npos)
      continue;
    for (const char* f : {"test.log", "stdout", "stderr", "params.json"})
      EXPECT_TRUE(fs::is_regular_file(job / "tests" / id / f)) << id << "/" << f;
  }
  EXPECT_EQ(sdk::read_file(job / "tests/basic.fail/stderr"), "expected 42, got 41\n");
  EXPECT_EQ(sdk::read_file(job / "tests/vtctl.copy/output/joined.txt"), "one\ntwo\n");
  EXPECT_NE(sdk::read_file(job / "tests/testbed.inside/output/uname.txt").find("Linux"),
            std::string::npos);
  // No partial or temporary files survive a normal run.
  for (const auto& e : fs::recursive_directory_iterator(job))
    EXPECT_EQ(e.path().string().find(".partial"), std::string::npos) << e.path();

  // The reporters: JUnit validates against the schema, json equals results.json.
  const std::string xsd = std::string(VTRUN_SHARED_DIR) + "/conformance/junit/JUnit.xsd";
  const auto lint = core::run_process(
      {{"xmllint", "--noout", "--schema", xsd, junit.string()}, {}, "", "", {}, false}, nullptr);
  EXPECT_EQ(lint.exit_status, 0) << lint.stderr_data;
  EXPECT_EQ(read_json(json)["tests"], results["tests"]);

  const auto job_doc = read_json(job / "job.json");
  EXPECT_EQ(job_doc["config"]["backend"], "local");
  EXPECT_EQ(job_doc["providers"][0]["name"], "example");
  EXPECT_FALSE(job_doc["plugins"].empty());
  const std::string run_log = sdk::read_file(job / "run.log");
  EXPECT_NE(run_log.find("FAIL"), std::string::npos);
  EXPECT_NE(run_log.find("basic.fail  (exit status 1)"), std::string::npos) << run_log;
}

TEST(ExampleRun, ParallelSlotsGiveTheSameResults) {
  TempDir tmp;
  const auto r =
      run_vtrun({"--providers", example_providers().string(), "run", "-j", "4"}, tmp.path());
  EXPECT_EQ(r.exit_status, 9) << r.stderr_data;
  EXPECT_EQ(statuses(read_json(fs::path(last_line(r.stdout_data)) / "results.json")),
            expected_statuses);
}

TEST(ExampleRun, SelectorsAndTagsPickTests) {
  TempDir tmp;
  auto list = [&](std::vector<std::string> args) {
    args.insert(args.begin(), {"--providers", example_providers().string(), "list"});
    return run_vtrun(args, tmp.path());
  };
  EXPECT_EQ(list({"basic"}).stdout_data,
            "basic.pass\nbasic.fail\nbasic.skip\nbasic.timeout\nbasic.after-pass\n");
  EXPECT_EQ(list({"--tags", "smoke"}).stdout_data, "basic.pass\nvtctl.exec\n");
  EXPECT_EQ(list({"--tags", "vtctl,-smoke"}).stdout_data, "vtctl.copy\n");
  // Each --tags takes one value: what follows is a selector again; several --tags are OR.
  EXPECT_EQ(list({"--tags", "smoke", "--tags", "vtctl", "basic"}).stdout_data, "basic.pass\n");
  // A dependency comes along with the test that needs it.
  EXPECT_EQ(list({"basic.after-pass"}).stdout_data, "basic.pass\nbasic.after-pass\n");
  const auto bad = list({"nosuch"});
  EXPECT_EQ(bad.exit_status, 2);
  EXPECT_EQ(bad.stderr_data,
            "vtrun: error: selector 'nosuch' matches no test — `vtrun list` shows the available "
            "ids\n");
}

}  // namespace
}  // namespace vt::e2e
