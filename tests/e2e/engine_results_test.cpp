// The execution engine's rules, proved through the real vtrun binary on the `local` backend:
// statuses and exit bits, dependencies, retries, golden output, guest-reported verdicts,
// testbed reuse with Avocado-VT's start/kill params, and replay. Each test writes the provider
// it needs into its own TempDir.
#include <gtest/gtest.h>

#include "vtrun_cli.h"

namespace vt::e2e {
namespace {

using nlohmann::json;

// One finished `vtrun run` (or replay): its exit, its job directory and results.json.
struct Job {
  sdk::ExecResult process;
  fs::path dir;
  json results;

  const json& test(const std::string& id) const {
    for (const auto& t : results.at("tests"))
      if (t.at("id") == id) return t;
    throw std::runtime_error("no test '" + id + "' in " + (dir / "results.json").string());
  }
  std::string file(const std::string& relative) const {
    std::error_code ec;
    return fs::is_regular_file(dir / relative, ec) ? sdk::read_file(dir / relative)
                                                   : "<missing " + relative + ">";
  }
  std::string output() const { return process.stdout_data + process.stderr_data; }
};

Job run_in(const fs::path& cwd, std::vector<std::string> args) {
  Job job;
  job.process = run_vtrun(args, cwd, std::chrono::seconds(60));
  job.dir = last_line(job.process.stdout_data);
  std::error_code ec;
  if (!job.dir.empty() && fs::is_regular_file(job.dir / "results.json", ec))
    job.results = read_json(job.dir / "results.json");
  else
    job.results = json{{"tests", json::array()}};
  return job;
}

// A provider of its own in a TempDir, run with `vtrun --providers … run …`.
class Provider {
 public:
  Provider(const std::string& vtrun_toml, const std::map<std::string, std::string>& scripts = {})
      : providers_d_(make_provider(tmp_.path(), vtrun_toml, scripts)) {}

  const fs::path& root() const { return tmp_.path(); }
  fs::path dir() const { return tmp_.path() / "provider"; }
  fs::path toml() const { return dir() / "vtrun.toml"; }
  fs::path results() const { return tmp_.path() / "vtrun-results"; }

  Job run(std::vector<std::string> args = {}) const {
    args.insert(args.begin(), {"--providers", providers_d_.string(), "run"});
    return run_in(tmp_.path(), std::move(args));
  }
  Job vtrun(std::vector<std::string> args) const { return run_in(tmp_.path(), std::move(args)); }
  sdk::ExecResult list(std::vector<std::string> args = {}) const {
    args.insert(args.begin(), {"--providers", providers_d_.string(), "list"});
    return run_vtrun(args, tmp_.path(), std::chrono::seconds(60));
  }

 private:
  TempDir tmp_;
  fs::path providers_d_;
};

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

std::string first_line(const std::string& text) {
  return text.substr(0, text.find('\n'));
}

// The 1-based number of the `nth` line of `toml` that equals `header`; -1 when there is none.
int line_of(const std::string& toml, const std::string& header, int nth = 1) {
  std::istringstream in(toml);
  int n = 0;
  for (std::string line; std::getline(in, line);) {
    ++n;
    if (line == header && --nth == 0) return n;
  }
  return -1;
}

// ---------------------------------------------------------------------------------------------
// 1. Statuses from exit codes, and the exit bits of vtrun.

const char* statuses_toml = R"([defaults]
timeout = 30

[[test]]
name = "s.pass"
command = ["sh", "-c", "echo passing; exit 0"]

[[test]]
name = "s.fail"
command = ["sh", "-c", "echo failing >&2; exit 1"]

[[test]]
name = "s.skip"
command = ["sh", "-c", "exit 77"]

[[test]]
name = "s.error"
command = ["sh", "-c", "exit 99"]

[[test]]
name = "s.timeout"
command = ["sleep", "5"]
timeout = 1
)";

TEST(EngineResultsStatus, ExitCodesGiveEachStatusAndTheExitBits) {
  const Provider p(statuses_toml);
  const Job job = p.run();
  // FAIL and ERROR set bit 1, the timed-out test bit 8.
  EXPECT_EQ(job.process.exit_status, 1 | 8) << job.output();
  ASSERT_TRUE(fs::is_directory(job.dir)) << job.output();
  for (const char* f : {"run.log", "job.json", "results.json", "debug.log"})
    EXPECT_TRUE(fs::is_regular_file(job.dir / f)) << f;

  EXPECT_EQ(statuses(job.results), (std::map<std::string, std::string>{
                                       {"s.pass", "PASS"},
                                       {"s.fail", "FAIL"},
                                       {"s.skip", "SKIP"},
                                       {"s.error", "ERROR"},
                                       {"s.timeout", "INTERRUPTED"},
                                   }));
  EXPECT_EQ(job.test("s.pass")["reason"], "");
  EXPECT_EQ(job.test("s.fail")["reason"], "exit status 1");
  EXPECT_EQ(job.test("s.skip")["reason"], "exit status 77 (skip)");
  EXPECT_EQ(job.test("s.error")["reason"], "exit status 99 (error)");
  EXPECT_EQ(job.test("s.timeout")["reason"], "timed out after 1 s; process tree killed");
  for (const auto& t : job.results["tests"]) {
    const std::string id = t["id"];
    EXPECT_EQ(t["attempts"], 1) << id;
    EXPECT_EQ(t["logdir"], "tests/" + id) << id;
    for (const char* f : {"test.log", "stdout", "stderr", "params.json"})
      EXPECT_TRUE(fs::is_regular_file(job.dir / "tests" / id / f)) << id << "/" << f;
  }
  EXPECT_EQ(job.file("tests/s.pass/stdout"), "passing\n");
  EXPECT_EQ(job.file("tests/s.fail/stderr"), "failing\n");
  EXPECT_TRUE(contains(job.file("tests/s.timeout/test.log"), "EXIT "))
      << job.file("tests/s.timeout/test.log");
  EXPECT_TRUE(contains(job.file("tests/s.timeout/test.log"), "(timed out)"));
  EXPECT_TRUE(contains(job.file("tests/s.fail/test.log"), "RESULT FAIL: exit status 1"));

  const json& summary = job.results["job"]["summary"];
  EXPECT_EQ(summary["PASS"], 1);
  EXPECT_EQ(summary["FAIL"], 1);
  EXPECT_EQ(summary["SKIP"], 1);
  EXPECT_EQ(summary["ERROR"], 1);
  EXPECT_EQ(summary["INTERRUPTED"], 1);
  EXPECT_EQ(job.results["job"]["exit_code"], 9);

  const std::string run_log = job.file("run.log");
  for (const char* line : {"s.fail  (exit status 1)", "s.skip  (exit status 77 (skip))",
                           "s.error  (exit status 99 (error))",
                           "s.timeout  (timed out after 1 s; process tree killed)"})
    EXPECT_TRUE(contains(run_log, line)) << line << "\n" << run_log;
  for (const char* status : {"PASS ", "FAIL ", "SKIP ", "ERROR ", "INTERRUPTED "})
    EXPECT_TRUE(contains(run_log, std::string("\n") + status)) << status << "\n" << run_log;
}

TEST(EngineResultsStatus, AllPassingExitsZero) {
  const Provider p("[[test]]\nname = \"ok\"\ncommand = [\"true\"]\n");
  const Job job = p.run();
  EXPECT_EQ(job.process.exit_status, 0) << job.output();
  EXPECT_EQ(job.test("ok")["status"], "PASS");
  EXPECT_EQ(job.results["job"]["exit_code"], 0);
}

// ---------------------------------------------------------------------------------------------
// 2. Dependencies.

TEST(EngineResultsDependencies, DependentsOfFailAndErrorAreSkippedNamingTheDependency) {
  TempDir outside;
  const fs::path ran = outside.path() / "ran";
  const std::string touch = "[\"sh\", \"-c\", \"echo $VT_TEST_ID >> " + ran.string() + "\"]";
  const Provider p(
      "[[test]]\nname = \"d.fail\"\ncommand = [\"sh\", \"-c\", \"exit 1\"]\n\n"
      "[[test]]\nname = \"d.error\"\ncommand = [\"sh\", \"-c\", \"exit 99\"]\n\n"
      "[[test]]\nname = \"after-fail\"\ncommand = " +
      touch +
      "\ndepends = [\"d.fail\"]\n\n"
      "[[test]]\nname = \"after-error\"\ncommand = " +
      touch +
      "\ndepends = [\"d.error\"]\n\n"
      "[[test]]\nname = \"after-after\"\ncommand = " +
      touch +
      "\ndepends = [\"after-fail\"]\n\n"
      "[[test]]\nname = \"independent\"\ncommand = " +
      touch + "\n");
  const Job job = p.run();
  EXPECT_EQ(job.process.exit_status, 1) << job.output();
  EXPECT_EQ(statuses(job.results), (std::map<std::string, std::string>{
                                       {"d.fail", "FAIL"},
                                       {"d.error", "ERROR"},
                                       {"after-fail", "SKIP"},
                                       {"after-error", "SKIP"},
                                       {"after-after", "SKIP"},
                                       {"independent", "PASS"},
                                   }));
  EXPECT_EQ(job.test("after-fail")["reason"],
            "dependency 'd.fail' did not pass (FAIL: exit status 1)");
  EXPECT_EQ(job.test("after-error")["reason"],
            "dependency 'd.error' did not pass (ERROR: exit status 99 (error))");
  const std::string transitive = job.test("after-after")["reason"];
  EXPECT_TRUE(contains(transitive, "dependency 'after-fail' did not pass (SKIP")) << transitive;
  // Skipped tests never ran: only the independent one wrote to the file.
  EXPECT_EQ(sdk::read_file(ran), "independent\n");
  for (const char* id : {"after-fail", "after-error", "after-after"})
    EXPECT_FALSE(fs::exists(job.dir / "tests" / id / "stdout")) << id;
  const std::string run_log = job.file("run.log");
  EXPECT_TRUE(contains(run_log, "after-fail  (dependency 'd.fail' did not pass")) << run_log;
}

TEST(EngineResultsDependencies, ACycleIsAnErrorNamingItsTestsAndLine) {
  const std::string toml =
      "[defaults]\ntimeout = 10\n\n"
      "[[test]]\nname = \"a\"\ncommand = [\"true\"]\ndepends = [\"b\"]\n\n"
      "[[test]]\nname = \"b\"\ncommand = [\"true\"]\ndepends = [\"a\"]\n";
  const Provider p(toml);
  const std::string where = p.toml().string() + ":" + std::to_string(line_of(toml, "[[test]]"));

  const auto list = p.list({"a"});
  EXPECT_EQ(list.exit_status, 2) << list.stdout_data << list.stderr_data;
  EXPECT_EQ(list.stdout_data, "");
  EXPECT_TRUE(contains(list.stderr_data, "dependency cycle: a -> b -> a")) << list.stderr_data;
  EXPECT_TRUE(contains(list.stderr_data, where)) << where << "\n" << list.stderr_data;

  const Job run = p.run();
  EXPECT_EQ(run.process.exit_status, 2) << run.output();
  EXPECT_TRUE(contains(run.process.stderr_data, "dependency cycle: a -> b -> a"))
      << run.process.stderr_data;
  EXPECT_TRUE(contains(run.process.stderr_data, where)) << where << "\n" << run.process.stderr_data;
  // Refused before anything ran: no job directory.
  EXPECT_FALSE(fs::exists(p.results())) << run.output();
}

// ---------------------------------------------------------------------------------------------
// 3. Retries.

// Counts its runs in a file outside the job directory; passes from run `$2` on.
const char* counting_script = R"SH(#!/bin/sh
n=$(cat "$1" 2>/dev/null || echo 0)
n=$((n + 1))
echo "$n" > "$1"
echo "attempt $n"
[ "$n" -ge "$2" ] && exit 0
exit "$3"
)SH";

std::string counting_test(const std::string& name, const fs::path& counter, int passes_from,
                          int exit_status) {
  return "[[test]]\nname = \"" + name + "\"\ncommand = [\"./count.sh\", \"" + counter.string() +
         "\", \"" + std::to_string(passes_from) + "\", \"" + std::to_string(exit_status) +
         "\"]\n\n";
}

int count_in(const fs::path& counter) {
  std::error_code ec;
  return fs::exists(counter, ec) ? std::stoi(sdk::read_file(counter)) : 0;
}

TEST(EngineResultsRetries, AFlakyTestPassesOnItsSecondAttemptWithBothAttemptDirs) {
  TempDir outside;
  const fs::path counter = outside.path() / "flaky.count";
  const Provider p(counting_test("flaky", counter, 2, 1), {{"count.sh", counting_script}});
  const Job job = p.run({"--retries", "2"});
  EXPECT_EQ(job.process.exit_status, 0) << job.output();
  const json& t = job.test("flaky");
  EXPECT_EQ(t["status"], "PASS");
  EXPECT_EQ(t["attempts"], 2);
  EXPECT_EQ(t["logdir"], "tests/flaky.1");
  const std::string reason = t["reason"];
  EXPECT_TRUE(contains(reason, "flaky")) << reason;
  EXPECT_TRUE(contains(reason, "passed on attempt 2")) << reason;
  EXPECT_TRUE(contains(reason, "FAIL (exit status 1)")) << reason;
  EXPECT_EQ(count_in(counter), 2);
  EXPECT_EQ(job.file("tests/flaky/stdout"), "attempt 1\n");
  EXPECT_EQ(job.file("tests/flaky.1/stdout"), "attempt 2\n");
  EXPECT_TRUE(contains(job.file("tests/flaky/test.log"), "RESULT FAIL"));
  EXPECT_TRUE(contains(job.file("tests/flaky.1/test.log"), "RESULT PASS"));
  EXPECT_FALSE(fs::exists(job.dir / "tests/flaky.2"));
  EXPECT_TRUE(contains(job.file("run.log"), "flaky  [2 attempts]")) << job.file("run.log");
}

TEST(EngineResultsRetries, AlwaysFailingUsesEveryAttempt) {
  TempDir outside;
  const fs::path counter = outside.path() / "fail.count";
  const Provider p(counting_test("always", counter, 1000, 1), {{"count.sh", counting_script}});
  const Job job = p.run({"--retries", "2"});
  EXPECT_EQ(job.process.exit_status, 1) << job.output();
  const json& t = job.test("always");
  EXPECT_EQ(t["status"], "FAIL");
  EXPECT_EQ(t["attempts"], 3);
  EXPECT_EQ(t["logdir"], "tests/always.2");
  EXPECT_TRUE(contains(t["reason"], "exit status 1")) << t["reason"];
  EXPECT_EQ(count_in(counter), 3);
  for (const char* dir : {"tests/always", "tests/always.1", "tests/always.2"})
    EXPECT_TRUE(fs::is_regular_file(job.dir / dir / "stdout")) << dir;
  EXPECT_EQ(job.file("tests/always.2/stdout"), "attempt 3\n");
}

TEST(EngineResultsRetries, ErrorsAreRetriedOnlyWithRetryErrors) {
  TempDir outside;
  const fs::path counter = outside.path() / "error.count";
  const Provider p(counting_test("err", counter, 1000, 99), {{"count.sh", counting_script}});

  const Job plain = p.run({"--retries", "2"});
  EXPECT_EQ(plain.process.exit_status, 1) << plain.output();
  EXPECT_EQ(plain.test("err")["status"], "ERROR");
  EXPECT_EQ(plain.test("err")["attempts"], 1);
  EXPECT_EQ(plain.test("err")["logdir"], "tests/err");
  EXPECT_EQ(count_in(counter), 1);
  EXPECT_FALSE(fs::exists(plain.dir / "tests/err.1"));

  fs::remove(counter);
  const Job retried = p.run({"--retries", "2", "--retry-errors"});
  EXPECT_EQ(retried.process.exit_status, 1) << retried.output();
  EXPECT_EQ(retried.test("err")["status"], "ERROR");
  EXPECT_EQ(retried.test("err")["attempts"], 3);
  EXPECT_EQ(retried.test("err")["logdir"], "tests/err.2");
  EXPECT_EQ(count_in(counter), 3);
}

TEST(EngineResultsRetries, ATimeoutIsRetriedOnlyWithRetryErrors) {
  const Provider p("[[test]]\nname = \"slow\"\ncommand = [\"sleep\", \"5\"]\ntimeout = 1\n");
  const Job plain = p.run({"--retries", "1"});
  EXPECT_EQ(plain.process.exit_status, 8) << plain.output();
  EXPECT_EQ(plain.test("slow")["status"], "INTERRUPTED");
  EXPECT_EQ(plain.test("slow")["attempts"], 1);

  const Job retried = p.run({"--retries", "1", "--retry-errors"});
  EXPECT_EQ(retried.process.exit_status, 8) << retried.output();
  EXPECT_EQ(retried.test("slow")["status"], "INTERRUPTED");
  EXPECT_EQ(retried.test("slow")["attempts"], 2);
  EXPECT_EQ(retried.test("slow")["logdir"], "tests/slow.1");
  EXPECT_TRUE(fs::is_regular_file(retried.dir / "tests/slow/test.log"));
}

TEST(EngineResultsRetries, APassOnARetryLetsItsDependentsRun) {
  TempDir outside;
  const fs::path counter = outside.path() / "flaky.count";
  const Provider p(counting_test("flaky", counter, 2, 1) +
                       "[[test]]\nname = \"after\"\ncommand = [\"true\"]\ndepends = [\"flaky\"]\n",
                   {{"count.sh", counting_script}});
  const Job job = p.run({"--retries", "1"});
  EXPECT_EQ(job.process.exit_status, 0) << job.output();
  EXPECT_EQ(statuses(job.results),
            (std::map<std::string, std::string>{{"flaky", "PASS"}, {"after", "PASS"}}));
  EXPECT_EQ(job.test("after")["attempts"], 1);
}

// ---------------------------------------------------------------------------------------------
// 4. Golden output.

// Prints a trace line that changes every run (dropped by the default filter), then data.txt,
// and exits 3: under golden-output the exit status does not count.
const char* golden_script = R"SH(#!/bin/sh
echo "+ trace $$ $(date +%s%N)"
cat data.txt
exit 3
)SH";

TEST(EngineResultsGolden, RecordsComparesFiltersAndDiffs) {
  const Provider p(
      "[[test]]\nname = \"g\"\ncommand = [\"./golden.sh\"]\n"
      "verdict = \"golden-output\"\n",
      {{"golden.sh", golden_script}});
  sdk::write_file_atomic(p.dir() / "data.txt", "alpha\nbeta\n");
  const fs::path expected = p.dir() / "output";

  const Job missing = p.run();
  EXPECT_EQ(missing.process.exit_status, 1) << missing.output();
  EXPECT_EQ(missing.test("g")["status"], "FAIL");
  const std::string why = missing.test("g")["reason"];
  EXPECT_TRUE(contains(why, "-o")) << why;
  EXPECT_TRUE(contains(why, expected.string())) << why;
  EXPECT_FALSE(fs::exists(expected));

  const Job recorded = p.run({"-o"});
  EXPECT_EQ(recorded.process.exit_status, 0) << recorded.output();
  EXPECT_EQ(recorded.test("g")["status"], "PASS");
  ASSERT_TRUE(fs::is_regular_file(expected));
  const std::string captured = recorded.file("tests/g/stdout");
  EXPECT_EQ(sdk::read_file(expected), captured);
  EXPECT_TRUE(contains(captured, "+ trace ")) << "recorded unfiltered: " << captured;
  EXPECT_TRUE(contains(captured, "alpha\nbeta\n")) << captured;
  EXPECT_EQ(recorded.test("g")["reason"], "recorded golden output: " + expected.string() + " (" +
                                              std::to_string(captured.size()) + " bytes)");

  // The trace line differs from the recorded one, the exit status is 3: still PASS.
  const Job again = p.run();
  EXPECT_EQ(again.process.exit_status, 0) << again.output();
  EXPECT_EQ(again.test("g")["status"], "PASS") << again.test("g")["reason"];
  EXPECT_NE(again.file("tests/g/stdout"), captured);
  EXPECT_FALSE(fs::exists(again.dir / "tests/g/diff"));
  EXPECT_EQ(sdk::read_file(expected), captured);  // a comparison never rewrites it

  sdk::write_file_atomic(p.dir() / "data.txt", "alpha\ngamma\n");
  const Job changed = p.run();
  EXPECT_EQ(changed.process.exit_status, 1) << changed.output();
  EXPECT_EQ(changed.test("g")["status"], "FAIL");
  EXPECT_EQ(changed.test("g")["reason"], "output differs from output (1 line differs; see diff)");
  const std::string diff = changed.file("tests/g/diff");
  EXPECT_TRUE(contains(diff, "\n-beta\n")) << diff;
  EXPECT_TRUE(contains(diff, "\n+gamma\n")) << diff;
  EXPECT_TRUE(contains(diff, "--- expected")) << diff;
  EXPECT_TRUE(contains(diff, "+++ actual")) << diff;
  EXPECT_FALSE(contains(diff, "trace")) << "filtered lines are not compared: " << diff;
}

// ---------------------------------------------------------------------------------------------
// 5. guest-reported on a backend without a console.

TEST(EngineResultsGuestReported, LocalHasNoConsoleSoItIsAnError) {
  const Provider p(
      "[[test]]\nname = \"guest\"\n"
      "command = [\"sh\", \"-c\", \"echo EXIT_STATUS=0\"]\n"
      "verdict = \"guest-reported\"\nparams = { guest_status_timeout = 1 }\n");
  const Job job = p.run();
  EXPECT_EQ(job.process.exit_status, 1) << job.output();
  EXPECT_EQ(job.test("guest")["status"], "ERROR");
  const std::string reason = job.test("guest")["reason"];
  EXPECT_TRUE(contains(reason, "backend has no console")) << reason;
}

// ---------------------------------------------------------------------------------------------
// 6. Testbed reuse and Avocado-VT's start/kill params (local: one identity, "local").

// On the testbed (run_in = "testbed"): goes to the scratch directory, prints it, leaves a
// marker there, exits $1 (or outlives its timeout with `hang`).
const char* mark_script = R"SH(#!/bin/sh
cd "$VT_OUTPUT_DIR/../.." || exit 2
pwd
echo x > marker
[ "$1" = hang ] && exec sleep 5
exit "${1:-0}"
)SH";

// On the host: prints the testbed's scratch directory and whether the marker is there.
const char* probe_script = R"SH(#!/bin/sh
vtctl exec -- sh -c 'pwd; if [ -f marker ]; then echo "marker present"; else echo "marker absent"; fi'
)SH";

struct Pair {
  Job job;
  std::string a_scratch, b_scratch, b_marker, a_log, b_log;
};

// Runs A (marks the scratch dir, on the testbed) then B (probes it, on the host), -j 1.
Pair run_pair(const std::string& a_extra, const std::string& b_extra,
              const std::string& a_arg = "0") {
  const Provider p(
      "[defaults]\ntimeout = 30\n\n"
      "[[test]]\nname = \"a\"\ncommand = [\"./mark.sh\", \"" +
          a_arg + "\"]\nrun_in = \"testbed\"\n" + a_extra +
          "\n\n[[test]]\nname = \"b\"\ncommand = [\"./probe.sh\"]\n" + b_extra + "\n",
      {{"mark.sh", mark_script}, {"probe.sh", probe_script}});
  Pair out;
  out.job = p.run({"-j", "1"});
  const std::string a_out = out.job.file("tests/a/stdout");
  const std::string b_out = out.job.file("tests/b/stdout");
  out.a_scratch = first_line(a_out);
  out.b_scratch = first_line(b_out);
  out.b_marker = b_out.substr(std::min(b_out.size(), b_out.find('\n') + 1));
  out.a_log = out.job.file("tests/a/test.log");
  out.b_log = out.job.file("tests/b/test.log");
  return out;
}

TEST(EngineResultsTestbed, ConsecutiveTestsReuseOneTestbedAndItsScratchDir) {
  const Pair r = run_pair("", "depends = [\"a\"]");
  EXPECT_EQ(r.job.process.exit_status, 0) << r.job.output();
  EXPECT_EQ(statuses(r.job.results),
            (std::map<std::string, std::string>{{"a", "PASS"}, {"b", "PASS"}}));
  EXPECT_FALSE(r.a_scratch.empty());
  EXPECT_EQ(r.b_scratch, r.a_scratch);
  EXPECT_EQ(r.b_marker, "marker present\n");
  EXPECT_TRUE(contains(r.a_log, "KEEP vm1")) << r.a_log;
  EXPECT_TRUE(contains(r.b_log, "REUSE vm1 (kept after a")) << r.b_log;
  EXPECT_FALSE(contains(r.b_log, "OPEN vm1")) << r.b_log;
  // The job closes what it kept: the local scratch directory goes with it.
  EXPECT_FALSE(fs::exists(r.a_scratch));
}

TEST(EngineResultsTestbed, KillVmClosesTheTestbedAfterTheTest) {
  const Pair r = run_pair("params = { kill_vm = true }", "depends = [\"a\"]");
  EXPECT_EQ(r.job.process.exit_status, 0) << r.job.output();
  EXPECT_EQ(r.b_marker, "marker absent\n");
  EXPECT_NE(r.b_scratch, r.a_scratch);
  EXPECT_TRUE(contains(r.a_log, "CLOSE vm1")) << r.a_log;
  EXPECT_FALSE(contains(r.a_log, "KEEP vm1")) << r.a_log;
  EXPECT_TRUE(contains(r.b_log, "OPEN vm1")) << r.b_log;
  EXPECT_FALSE(contains(r.b_log, "REUSE")) << r.b_log;
}

TEST(EngineResultsTestbed, KillVmOnErrorClosesAfterAFailure) {
  // No depends: B must run after a failed A, in plan order with one slot.
  const Pair r = run_pair("params = { kill_vm_on_error = true }", "", "1");
  EXPECT_EQ(r.job.process.exit_status, 1) << r.job.output();
  EXPECT_EQ(statuses(r.job.results),
            (std::map<std::string, std::string>{{"a", "FAIL"}, {"b", "PASS"}}));
  EXPECT_EQ(r.b_marker, "marker absent\n");
  EXPECT_NE(r.b_scratch, r.a_scratch);
  EXPECT_TRUE(contains(r.a_log, "CLOSE vm1")) << r.a_log;
  EXPECT_FALSE(contains(r.b_log, "REUSE")) << r.b_log;
}

TEST(EngineResultsTestbed, KillVmOnErrorKeepsTheTestbedAfterAPass) {
  const Pair r = run_pair("params = { kill_vm_on_error = true }", "depends = [\"a\"]");
  EXPECT_EQ(r.job.process.exit_status, 0) << r.job.output();
  EXPECT_EQ(r.b_marker, "marker present\n");
  EXPECT_EQ(r.b_scratch, r.a_scratch);
  EXPECT_TRUE(contains(r.a_log, "KEEP vm1")) << r.a_log;
  EXPECT_TRUE(contains(r.b_log, "REUSE vm1")) << r.b_log;
}

TEST(EngineResultsTestbed, AFailureWithoutKillVmOnErrorKeepsTheTestbed) {
  const Pair r = run_pair("", "", "1");
  EXPECT_EQ(r.job.process.exit_status, 1) << r.job.output();
  EXPECT_EQ(r.b_marker, "marker present\n");
  EXPECT_TRUE(contains(r.a_log, "KEEP vm1")) << r.a_log;
  EXPECT_TRUE(contains(r.b_log, "REUSE vm1")) << r.b_log;
}

TEST(EngineResultsTestbed, AnErrorNeverLeavesItsTestbedToTheNextTest) {
  const Pair r = run_pair("", "", "99");
  EXPECT_EQ(r.job.process.exit_status, 1) << r.job.output();
  EXPECT_EQ(statuses(r.job.results),
            (std::map<std::string, std::string>{{"a", "ERROR"}, {"b", "PASS"}}));
  EXPECT_EQ(r.b_marker, "marker absent\n");
  EXPECT_TRUE(contains(r.a_log, "CLOSE vm1")) << r.a_log;
  EXPECT_FALSE(contains(r.b_log, "REUSE")) << r.b_log;
}

TEST(EngineResultsTestbed, ATimedOutTestNeverLeavesItsTestbedToTheNextTest) {
  const Pair r = run_pair("timeout = 1", "", "hang");
  EXPECT_EQ(r.job.process.exit_status, 8) << r.job.output();
  EXPECT_EQ(statuses(r.job.results),
            (std::map<std::string, std::string>{{"a", "INTERRUPTED"}, {"b", "PASS"}}));
  EXPECT_EQ(r.b_marker, "marker absent\n");
  EXPECT_TRUE(contains(r.a_log, "CLOSE vm1")) << r.a_log;
  EXPECT_FALSE(contains(r.b_log, "REUSE")) << r.b_log;
}

// Leaves a command running on the testbed through vtctl and ends before it does.
const char* leave_running_script = R"SH(#!/bin/sh
scratch=$(vtctl exec -- pwd)
vtctl exec -- sh -c 'echo x > marker; touch running; exec sleep 5' &
i=0
while [ ! -f "$scratch/running" ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
[ -f "$scratch/running" ] || { echo "the vtctl command never started" >&2; exit 1; }
)SH";

TEST(EngineResultsTestbed, ATestbedWithAVtctlCommandStillRunningIsNotKept) {
  const Provider p(
      "[defaults]\ntimeout = 30\n\n"
      "[[test]]\nname = \"a\"\ncommand = [\"./leave.sh\"]\n\n"
      "[[test]]\nname = \"b\"\ncommand = [\"./probe.sh\"]\ndepends = [\"a\"]\n",
      {{"leave.sh", leave_running_script}, {"probe.sh", probe_script}});
  const Job job = p.run({"-j", "1"});
  EXPECT_EQ(job.process.exit_status, 0) << job.output();
  EXPECT_EQ(statuses(job.results),
            (std::map<std::string, std::string>{{"a", "PASS"}, {"b", "PASS"}}));
  const std::string a_log = job.file("tests/a/test.log"), b_log = job.file("tests/b/test.log");
  EXPECT_TRUE(contains(a_log, "CLOSE vm1")) << a_log;
  EXPECT_FALSE(contains(a_log, "KEEP")) << a_log;
  EXPECT_FALSE(contains(b_log, "REUSE")) << b_log;
  EXPECT_TRUE(contains(job.file("tests/b/stdout"), "marker absent")) << job.file("tests/b/stdout");
}

TEST(EngineResultsTestbed, BreaksTestbedWithoutRevertClosesIt) {
  const Pair r = run_pair("breaks_testbed = true", "depends = [\"a\"]");
  EXPECT_EQ(r.job.process.exit_status, 0) << r.job.output();
  EXPECT_EQ(r.b_marker, "marker absent\n");
  EXPECT_NE(r.b_scratch, r.a_scratch);
  EXPECT_TRUE(contains(r.a_log, "CLOSE vm1")) << r.a_log;
  EXPECT_FALSE(contains(r.b_log, "REUSE")) << r.b_log;
  EXPECT_FALSE(contains(r.b_log, "REVERT")) << r.b_log;
}

TEST(EngineResultsTestbed, RestartVmGivesTheNextTestAFreshTestbed) {
  const Pair r = run_pair("", "depends = [\"a\"]\nparams = { restart_vm = true }");
  EXPECT_EQ(r.job.process.exit_status, 0) << r.job.output();
  EXPECT_EQ(r.b_marker, "marker absent\n");
  EXPECT_NE(r.b_scratch, r.a_scratch);
  EXPECT_TRUE(contains(r.a_log, "KEEP vm1")) << r.a_log;
  EXPECT_TRUE(contains(r.b_log, "RESTART vm1")) << r.b_log;
  EXPECT_TRUE(contains(r.b_log, "OPEN vm1")) << r.b_log;
}

TEST(EngineResultsTestbed, StartVmNoOpensTheTestbedOnFirstUse) {
  const Provider p(
      "[[test]]\nname = \"lazy\"\ncommand = [\"./probe.sh\"]\n"
      "params = { start_vm = false }\n",
      {{"probe.sh", probe_script}});
  const Job job = p.run({"-j", "1"});
  EXPECT_EQ(job.process.exit_status, 0) << job.output();
  EXPECT_EQ(job.test("lazy")["status"], "PASS") << job.test("lazy")["reason"];
  const std::string out = job.file("tests/lazy/stdout");
  EXPECT_TRUE(contains(out, "marker absent")) << out;
  const std::string log = job.file("tests/lazy/test.log");
  const auto not_started = log.find("NOT STARTED vm1");
  const auto opened = log.find("OPEN vm1");
  ASSERT_NE(not_started, std::string::npos) << log;
  ASSERT_NE(opened, std::string::npos) << log;
  EXPECT_LT(not_started, opened) << log;
}

// ---------------------------------------------------------------------------------------------
// 7. Replay.

const char* replay_toml = R"([defaults]
timeout = 30

[[test]]
name = "r.fail"
command = ["sh", "-c", "echo ran; exit 1"]

[[test]]
name = "r.pass"
command = ["sh", "-c", "cat \"$VT_PARAMS\""]
params = { color = "red" }
)";

TEST(EngineResultsReplay, ReplaysEveryTestOrOnlyTheFailedOnesWithTheRecordedParams) {
  const Provider p(replay_toml);
  const Job first = p.run();
  EXPECT_EQ(first.process.exit_status, 1) << first.output();
  ASSERT_EQ(statuses(first.results),
            (std::map<std::string, std::string>{{"r.fail", "FAIL"}, {"r.pass", "PASS"}}));
  EXPECT_TRUE(contains(first.file("tests/r.pass/stdout"), "\"color\": \"red\""));

  // The provider changes after the job: replay still uses what the test ran with.
  std::string toml = replay_toml;
  toml.replace(toml.find("\"red\""), 5, "\"blue\"");
  sdk::write_file_atomic(p.toml(), toml);
  const Job fresh = p.run({"r.pass"});
  EXPECT_TRUE(contains(fresh.file("tests/r.pass/stdout"), "\"color\": \"blue\""))
      << fresh.file("tests/r.pass/stdout");

  const Job all = p.vtrun({"replay", first.dir.string()});
  EXPECT_EQ(all.process.exit_status, 1) << all.output();
  ASSERT_TRUE(fs::is_directory(all.dir)) << all.output();
  EXPECT_NE(fs::canonical(all.dir), fs::canonical(first.dir));
  EXPECT_EQ(statuses(all.results),
            (std::map<std::string, std::string>{{"r.fail", "FAIL"}, {"r.pass", "PASS"}}));
  const std::string params = all.file("tests/r.pass/stdout");
  EXPECT_TRUE(contains(params, "\"color\": \"red\"")) << params;
  EXPECT_FALSE(contains(params, "blue")) << params;
  EXPECT_EQ(all.results["job"]["backend"], "local");

  const Job failed = p.vtrun({"replay", first.dir.string(), "--failed"});
  EXPECT_EQ(failed.process.exit_status, 1) << failed.output();
  EXPECT_EQ(statuses(failed.results), (std::map<std::string, std::string>{{"r.fail", "FAIL"}}));
  EXPECT_EQ(failed.file("tests/r.fail/stdout"), "ran\n");
  EXPECT_FALSE(fs::exists(failed.dir / "tests/r.pass"));
}

TEST(EngineResultsReplay, FailedReplaysExactlyTheFailedIdNotTestsUnderItsPrefix) {
  // "net" failed, "net.ping" passed: the id is also a prefix selector of "net.ping".
  const Provider p(
      "[[test]]\nname = \"net\"\ncommand = [\"sh\", \"-c\", \"exit 1\"]\n\n"
      "[[test]]\nname = \"net.ping\"\ncommand = [\"true\"]\n");
  const Job first = p.run();
  ASSERT_EQ(statuses(first.results),
            (std::map<std::string, std::string>{{"net", "FAIL"}, {"net.ping", "PASS"}}))
      << first.output();
  const Job failed = p.vtrun({"replay", first.dir.string(), "--failed"});
  EXPECT_EQ(failed.process.exit_status, 1) << failed.output();
  EXPECT_EQ(statuses(failed.results), (std::map<std::string, std::string>{{"net", "FAIL"}}));
}

TEST(EngineResultsReplay, UnknownJobExitsTwoWithAClearMessage) {
  const Provider p(replay_toml);
  const auto r = run_vtrun({"replay", "nonexistent"}, p.root());
  EXPECT_EQ(r.exit_status, 2) << r.stdout_data << r.stderr_data;
  EXPECT_EQ(r.stdout_data, "");
  EXPECT_TRUE(contains(r.stderr_data, "no job 'nonexistent'")) << r.stderr_data;
  EXPECT_TRUE(contains(r.stderr_data, "job directory")) << r.stderr_data;
}

}  // namespace
}  // namespace vt::e2e
