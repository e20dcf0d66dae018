// results.json, the document scripts and CI read, and the status names it is made of.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "vt/sdk/types.h"

namespace vt::sdk {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

constexpr Status all_statuses[] = {Status::pass, Status::fail,   Status::error,      Status::skip,
                                   Status::warn, Status::cancel, Status::interrupted};

// 2024-03-05T06:07:08.009Z
std::chrono::system_clock::time_point fixed_time() {
  return std::chrono::sys_days{std::chrono::year{2024} / 3 / 5} + 6h + 7min + 8s + 9ms;
}

TestResult result(const std::string& id, Status status) {
  TestResult r;
  r.id = id;
  r.provider = "prov";
  r.status = status;
  r.reason = "reason of " + id;
  r.attempts = 1;
  r.started = fixed_time();
  r.duration = 1.5s;
  r.logdir = "tests/" + id;
  r.tags = {"t1", "t2"};
  return r;
}

JobSummary summary() {
  JobSummary s;
  s.job.id = "job-20240305T060708-abcdef";
  s.job.dir = "/results/job-20240305T060708-abcdef";
  s.job.command = {"vtrun", "run", "boot"};
  s.job.backend = "local";
  s.job.started = fixed_time();
  s.finished = fixed_time() + 62500ms;
  s.exit_code = 1;
  const char* ids[] = {"p", "f", "e", "s", "w", "c", "i"};
  for (int i = 0; i < 7; ++i) s.tests.push_back(result(ids[i], all_statuses[i]));
  s.tests.push_back(result("p2", Status::pass));
  return s;
}

TEST(ResultsJson, RendersTheJob) {
  const json doc = json::parse(render_results_json(summary()));
  const json& job = doc.at("job");
  EXPECT_EQ(job.at("id"), "job-20240305T060708-abcdef");
  EXPECT_EQ(job.at("dir"), "/results/job-20240305T060708-abcdef");
  EXPECT_EQ(job.at("command"), json({"vtrun", "run", "boot"}));
  EXPECT_EQ(job.at("backend"), "local");
  EXPECT_EQ(job.at("started"), "2024-03-05T06:07:08.009Z");
  EXPECT_EQ(job.at("finished"), "2024-03-05T06:08:10.509Z");
  EXPECT_EQ(job.at("duration"), 62.5);
  EXPECT_EQ(job.at("exit_code"), 1);
  EXPECT_FALSE(job.contains("error"));
  EXPECT_EQ(job.at("summary"), json({{"PASS", 2},
                                     {"FAIL", 1},
                                     {"ERROR", 1},
                                     {"SKIP", 1},
                                     {"WARN", 1},
                                     {"CANCEL", 1},
                                     {"INTERRUPTED", 1}}));
}

TEST(ResultsJson, CountsZeroForStatusesNobodyHas) {
  JobSummary s = summary();
  s.tests.clear();
  const json doc = json::parse(render_results_json(s));
  EXPECT_EQ(doc.at("tests"), json::array());
  for (Status status : all_statuses)
    EXPECT_EQ(doc.at("job").at("summary").at(std::string(to_string(status))), 0);
}

TEST(ResultsJson, RendersEveryTestWithItsStatusName) {
  const json tests = json::parse(render_results_json(summary())).at("tests");
  ASSERT_EQ(tests.size(), 8u);
  const char* names[] = {"PASS", "FAIL", "ERROR", "SKIP", "WARN", "CANCEL", "INTERRUPTED", "PASS"};
  const char* ids[] = {"p", "f", "e", "s", "w", "c", "i", "p2"};
  for (std::size_t i = 0; i < 8; ++i) {
    const json& t = tests[i];
    EXPECT_EQ(t.at("id"), ids[i]);
    EXPECT_EQ(t.at("status"), names[i]);
    EXPECT_EQ(t.at("provider"), "prov");
    EXPECT_EQ(t.at("reason"), std::string("reason of ") + ids[i]);
    EXPECT_EQ(t.at("logdir"), std::string("tests/") + ids[i]);
    EXPECT_EQ(t.at("tags"), json({"t1", "t2"}));
    EXPECT_EQ(t.at("attempts"), 1);
    EXPECT_EQ(t.at("started"), "2024-03-05T06:07:08.009Z");
    EXPECT_EQ(t.at("duration"), 1.5);
    EXPECT_EQ(t.size(), 9u) << t.dump();
  }
}

TEST(ResultsJson, RoundsDurationsToMilliseconds) {
  JobSummary s = summary();
  s.tests.resize(3);
  s.tests[0].duration = std::chrono::duration<double>(1.23456);
  s.tests[1].duration = std::chrono::duration<double>(0.0004);
  s.tests[2].duration = std::chrono::duration<double>(2.0005001);
  s.tests[2].attempts = 3;
  const json tests = json::parse(render_results_json(s)).at("tests");
  EXPECT_EQ(tests[0].at("duration"), 1.235);
  EXPECT_EQ(tests[1].at("duration"), 0.0);
  EXPECT_EQ(tests[2].at("duration"), 2.001);
  EXPECT_EQ(tests[2].at("attempts"), 3);
}

TEST(ResultsJson, IncludesTheJobErrorWhenThereIsOne) {
  JobSummary s = summary();
  s.error = "testbed 'vm1' did not boot";
  EXPECT_EQ(json::parse(render_results_json(s)).at("job").at("error"),
            "testbed 'vm1' did not boot");
}

TEST(ResultsJson, IndentsOrRendersOneLine) {
  const std::string pretty = render_results_json(summary());
  EXPECT_EQ(pretty.rfind("{\n  \"job\": {\n", 0), 0u) << pretty.substr(0, 40);
  EXPECT_EQ(pretty.back(), '\n');
  const std::string line = render_results_json(summary(), -1);
  EXPECT_EQ(line.find('\n'), line.size() - 1);
  EXPECT_EQ(json::parse(line), json::parse(pretty));
}

TEST(ResultsJson, InvalidUtf8InAReasonIsReplacedNotThrown) {
  JobSummary s = summary();
  s.tests[1].reason = "bad \xff\xfe bytes";
  s.tests[1].id = "f\xc3";
  std::string text;
  ASSERT_NO_THROW(text = render_results_json(s));
  const json tests = json::parse(text).at("tests");
  EXPECT_EQ(tests[1].at("reason"), "bad \xef\xbf\xbd\xef\xbf\xbd bytes");
  EXPECT_EQ(tests[1].at("id"), "f\xef\xbf\xbd");
  EXPECT_EQ(tests[2].at("reason"), "reason of e");
}

TEST(StatusNames, RoundTripExactly) {
  const char* names[] = {"PASS", "FAIL", "ERROR", "SKIP", "WARN", "CANCEL", "INTERRUPTED"};
  for (int i = 0; i < 7; ++i) {
    EXPECT_EQ(to_string(all_statuses[i]), names[i]);
    EXPECT_EQ(status_from_string(names[i]), all_statuses[i]);
  }
}

TEST(StatusNames, RejectAnythingElse) {
  for (const char* name : {"pass", "Pass", "fail", "interrupted", "", "PASS ", " PASS", "PASSED"})
    EXPECT_EQ(status_from_string(name), std::nullopt) << name;
}

}  // namespace
}  // namespace vt::sdk
