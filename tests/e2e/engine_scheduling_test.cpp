// The execution engine through the vtrun binary on the local backend: slots, the resource
// budget, named locks (within one vtrun and across two), the schedulers, --loop with
// `vtrun stop`, interrupts, --keep-testbed and --shell-fail. Test scripts write timestamps
// (`date +%s.%N`) into files; the tests compare the intervals, never wall-clock speed.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>

#include <algorithm>
#include <mutex>
#include <set>
#include <thread>

#include "support/child_processes.h"
#include "vtrun_env.h"

namespace vt::e2e {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

// When one test ran: the times its script wrote at its start and at its end.
struct Interval {
  double start = 0;
  double end = 0;
};

bool overlap(const Interval& a, const Interval& b) {
  return a.start < b.end && b.start < a.end;
}

// The most intervals that contain one point in time.
int max_concurrency(const std::vector<Interval>& all) {
  int best = 0;
  for (const auto& i : all) {
    int n = 0;
    for (const auto& j : all)
      if (j.start <= i.start && i.start < j.end) ++n;
    best = std::max(best, n);
  }
  return best;
}

using test_support::alive;

pid_t read_pid(const fs::path& file) {
  std::ifstream in(file);
  pid_t pid = 0;
  in >> pid;
  return pid;
}

template <class Predicate>
bool eventually(Predicate done, std::chrono::milliseconds limit) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (!done()) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(50ms);
  }
  return true;
}

// What a background vtrun printed so far.
class Collect final : public sdk::OutputSink {
 public:
  void on_output(sdk::Stream s, std::string_view b) override {
    std::lock_guard lock(mutex_);
    (s == sdk::Stream::out ? out_ : err_) += b;
  }
  std::string out() const {
    std::lock_guard lock(mutex_);
    return out_;
  }
  std::string err() const {
    std::lock_guard lock(mutex_);
    return err_;
  }

 private:
  mutable std::mutex mutex_;
  std::string out_, err_;
};

// vtrun started in the background on the local backend; killed at the end if still running.
class Background {
 public:
  Background(const std::vector<std::string>& args, const fs::path& cwd) {
    sdk::ExecRequest req = vtrun_request(args, cwd, std::chrono::seconds(0));
    req.env["VTRUN_BACKEND"] = "local";
    process_ = core::spawn_process(req, &sink_);
  }
  int pid() const { return process_->pid(); }
  std::optional<int> wait(std::chrono::milliseconds limit) { return process_->wait(limit); }
  const Collect& output() const { return sink_; }

 private:
  Collect sink_;  // outlives the process, which writes into it
  std::unique_ptr<sdk::Process> process_;
};

class EngineScheduling : public ::testing::Test {
 protected:
  TempDir tmp;
  fs::path ts = tmp.path() / "ts";
  fs::path lock_dir = tmp.path() / "locks";
  fs::path providers;

  void SetUp() override { fs::create_directories(ts); }

  // t.sh NAME SECONDS WAIT: records its start (and its name in `order`), waits until WAIT
  // tests have started (at most 5 s: a rendezvous that makes overlaps certain), sleeps
  // SECONDS, records its end.
  std::string script() const {
    return "#!/bin/sh\nts='" + ts.string() +
           "'\n"
           "date +%s.%N > \"$ts/$1.start.tmp\" && mv \"$ts/$1.start.tmp\" \"$ts/$1.start\"\n"
           "echo \"$1\" >> \"$ts/order\"\n"
           "started() { n=0; for f in \"$ts\"/*.start; do [ -e \"$f\" ] && n=$((n+1)); done; "
           "echo $n; }\n"
           "i=0\n"
           "while [ \"$(started)\" -lt \"${3:-0}\" ] && [ $i -lt 50 ]; do sleep 0.1; "
           "i=$((i+1)); done\n"
           "sleep \"$2\"\n"
           "date +%s.%N > \"$ts/$1.end\"\n";
  }

  static std::string test_toml(const std::string& name, const std::string& seconds, int wait = 0,
                               const std::string& extra = "") {
    return "[[test]]\nname = \"" + name + "\"\ncommand = [\"./t.sh\", \"" + name + "\", \"" +
           seconds + "\", \"" + std::to_string(wait) + "\"]\n" + extra + "\n";
  }

  // A provider "test" in tmp/provider running t.sh.
  void provider(const std::string& vtrun_toml) {
    providers = make_provider(tmp.path(), vtrun_toml, {{"t.sh", script()}});
  }

  sdk::ExecResult vtrun(std::vector<std::string> args) {
    args.insert(args.begin(), {"--providers", providers.string()});
    return run_vtrun(args, tmp.path(), std::chrono::seconds(60));
  }

  Interval interval(const std::string& id) const {
    Interval i;
    i.start = std::stod(sdk::read_file(ts / (id + ".start")));
    i.end = std::stod(sdk::read_file(ts / (id + ".end")));
    return i;
  }
  std::vector<Interval> intervals(const std::vector<std::string>& ids) const {
    std::vector<Interval> out;
    for (const auto& id : ids) out.push_back(interval(id));
    return out;
  }

  // The tests in the order they started (t.sh appends its name).
  std::vector<std::string> order() const {
    if (!fs::exists(ts / "order")) return {};
    return lines_of(sdk::read_file(ts / "order"));
  }
  void forget_order() {
    fs::remove_all(ts);
    fs::create_directories(ts);
  }

  static json results_of(const sdk::ExecResult& r) {
    return read_json(fs::path(last_line(r.stdout_data)) / "results.json");
  }
  static std::vector<std::string> result_ids(const json& results) {
    std::vector<std::string> ids;
    for (const auto& t : results.at("tests")) ids.push_back(t.at("id"));
    return ids;
  }
};

class EngineSchedulingSlots : public EngineScheduling {};
class EngineSchedulingBudget : public EngineScheduling {};
class EngineSchedulingLocks : public EngineScheduling {};
class EngineSchedulingSchedulers : public EngineScheduling {};
class EngineSchedulingLoop : public EngineScheduling {};
class EngineSchedulingInterrupts : public EngineScheduling {};
class EngineSchedulingKeepTestbed : public EngineScheduling {};
class EngineSchedulingShellFail : public EngineScheduling {};

const std::map<std::string, std::string> abc_pass{{"a", "PASS"}, {"b", "PASS"}, {"c", "PASS"}};

// ---- 1. slots ---------------------------------------------------------------------------

TEST_F(EngineSchedulingSlots, ThreeSlotsRunThreeTestsAtOnce) {
  provider(test_toml("a", "1", 3) + test_toml("b", "1", 3) + test_toml("c", "1", 3));
  const auto r = vtrun({"run", "-j", "3"});
  ASSERT_EQ(r.exit_status, 0) << r.stdout_data << r.stderr_data;
  EXPECT_EQ(statuses(results_of(r)), abc_pass);
  const auto iv = intervals({"a", "b", "c"});
  EXPECT_TRUE(overlap(iv[0], iv[1]));
  EXPECT_TRUE(overlap(iv[0], iv[2]));
  EXPECT_TRUE(overlap(iv[1], iv[2]));
  EXPECT_EQ(max_concurrency(iv), 3);
}

TEST_F(EngineSchedulingSlots, OneSlotRunsOneTestAtATimeInPlanOrder) {
  provider(test_toml("a", "1") + test_toml("b", "1") + test_toml("c", "1"));
  const auto r = vtrun({"run", "-j", "1"});
  ASSERT_EQ(r.exit_status, 0) << r.stdout_data << r.stderr_data;
  EXPECT_EQ(statuses(results_of(r)), abc_pass);
  const auto iv = intervals({"a", "b", "c"});
  EXPECT_LE(iv[0].end, iv[1].start);
  EXPECT_LE(iv[1].end, iv[2].start);
  EXPECT_EQ(order(), (std::vector<std::string>{"a", "b", "c"}));
}

// ---- 2. the resource budget -------------------------------------------------------------

TEST_F(EngineSchedulingBudget, MemoryBudgetKeepsBigTestsApart) {
  const std::string mem = "params = { mem = 600 }";
  provider(test_toml("a", "0.5", 0, mem) + test_toml("b", "0.5", 0, mem) +
           test_toml("c", "0.5", 0, mem));
  const auto r = vtrun({"run", "-j", "3", "--max-mem", "1000"});
  ASSERT_EQ(r.exit_status, 0) << r.stdout_data << r.stderr_data;
  EXPECT_EQ(statuses(results_of(r)), abc_pass);
  EXPECT_EQ(max_concurrency(intervals({"a", "b", "c"})), 1);
}

TEST_F(EngineSchedulingBudget, CpuBudgetCountsSmp) {
  const std::string smp2 = "params = { smp = 2 }";
  provider(test_toml("a", "0.5", 0, smp2) + test_toml("b", "0.5", 0, smp2) +
           test_toml("c", "0.5", 0, smp2));
  const auto r = vtrun({"run", "-j", "3", "--max-cpus", "2"});
  ASSERT_EQ(r.exit_status, 0) << r.stdout_data << r.stderr_data;
  EXPECT_EQ(statuses(results_of(r)), abc_pass);
  EXPECT_EQ(max_concurrency(intervals({"a", "b", "c"})), 1);
}

TEST_F(EngineSchedulingBudget, CpuBudgetLetsTwoSingleCpuTestsRunTogether) {
  const std::string smp1 = "params = { smp = 1 }";
  provider(test_toml("a", "0.3", 2, smp1) + test_toml("b", "0.3", 2, smp1) +
           test_toml("c", "0.3", 2, smp1));
  const auto r = vtrun({"run", "-j", "3", "--max-cpus", "2"});
  ASSERT_EQ(r.exit_status, 0) << r.stdout_data << r.stderr_data;
  EXPECT_EQ(statuses(results_of(r)), abc_pass);
  const auto iv = intervals({"a", "b", "c"});
  EXPECT_EQ(max_concurrency(iv), 2);
  EXPECT_TRUE(overlap(iv[0], iv[1]));
}

TEST_F(EngineSchedulingBudget, TestBiggerThanTheWholeBudgetRunsAlone) {
  provider(test_toml("small1", "0.3", 0, "params = { mem = 100 }") +
           test_toml("big", "0.5", 0, "params = { mem = 5000 }") +
           test_toml("small2", "0.3", 0, "params = { mem = 100 }"));
  const auto r = vtrun({"run", "-j", "3", "--max-mem", "1000"});
  ASSERT_EQ(r.exit_status, 0) << r.stdout_data << r.stderr_data;
  EXPECT_EQ(statuses(results_of(r)), (std::map<std::string, std::string>{
                                         {"small1", "PASS"}, {"big", "PASS"}, {"small2", "PASS"}}));
  const auto big = interval("big");
  EXPECT_FALSE(overlap(big, interval("small1")));
  EXPECT_FALSE(overlap(big, interval("small2")));
  EXPECT_NE(r.stderr_data.find("'big' needs more than the whole budget"), std::string::npos)
      << r.stderr_data;
}

// ---- 3. named locks ---------------------------------------------------------------------

TEST_F(EngineSchedulingLocks, TestsSharingALockNeverOverlapOthersDo) {
  // db1 waits until `free` runs; `free` waits until db2 runs: `free` spans both.
  const std::string db = "locks = [\"db\"]";
  provider(test_toml("db1", "0.3", 2, db) + test_toml("db2", "0.3", 0, db) +
           test_toml("free", "0.2", 3));
  const auto r = vtrun({"run", "-j", "2", "--lock-dir", lock_dir.string()});
  ASSERT_EQ(r.exit_status, 0) << r.stdout_data << r.stderr_data;
  EXPECT_EQ(statuses(results_of(r)), (std::map<std::string, std::string>{
                                         {"db1", "PASS"}, {"db2", "PASS"}, {"free", "PASS"}}));
  const auto db1 = interval("db1"), db2 = interval("db2"), free = interval("free");
  EXPECT_FALSE(overlap(db1, db2));
  EXPECT_TRUE(overlap(free, db1));
  EXPECT_TRUE(overlap(free, db2));
}

// Two vtrun processes, each with its own provider (test `pa` and `pb`) and results.
class TwoProcesses : public EngineScheduling {
 protected:
  fs::path a = tmp.path() / "a";
  fs::path b = tmp.path() / "b";
  fs::path shared_locks = tmp.path() / "locks/shared";

  void providers_with(const std::string& lock_a, const std::string& lock_b, int wait) {
    make_provider(a, test_toml("pa", "1", wait, "locks = [\"" + lock_a + "\"]"),
                  {{"t.sh", script()}});
    make_provider(b, test_toml("pb", "1", wait, "locks = [\"" + lock_b + "\"]"),
                  {{"t.sh", script()}});
  }
  void run_both() {
    auto args = [&](const fs::path& root) {
      return std::vector<std::string>{"--providers", (root / "providers.d").string(), "run",
                                      "--lock-dir", shared_locks.string()};
    };
    Background first(args(a), a);
    Background second(args(b), b);
    const auto s1 = first.wait(30s), s2 = second.wait(30s);
    ASSERT_TRUE(s1 && s2) << "a vtrun did not end";
    EXPECT_EQ(*s1, 0) << first.output().err();
    EXPECT_EQ(*s2, 0) << second.output().err();
  }
};
class EngineSchedulingLocksAcrossProcesses : public TwoProcesses {};

TEST_F(EngineSchedulingLocksAcrossProcesses, SameLockNameKeepsTwoVtrunsApart) {
  providers_with("shared-image", "shared-image", 0);
  ASSERT_FALSE(fs::exists(tmp.path() / "locks"));
  run_both();
  EXPECT_FALSE(overlap(interval("pa"), interval("pb")));
  // Created for every user of the host: sticky and world-writable, whatever the umask.
  struct stat st {};
  ASSERT_EQ(stat(shared_locks.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 01777u);
  EXPECT_TRUE(fs::exists(shared_locks / "shared-image.lock"));
}

TEST_F(EngineSchedulingLocksAcrossProcesses, DifferentLockNamesRunTogether) {
  providers_with("image-a", "image-b", 2);
  run_both();
  EXPECT_TRUE(overlap(interval("pa"), interval("pb")));
}

TEST_F(EngineSchedulingLocks, BadLockNameIsAUsageErrorWithFileAndLine) {
  provider(
      "[[test]]\nname = \"ok\"\ncommand = \"true\"\n"
      "[[test]]\nname = \"bad\"\ncommand = \"true\"\nlocks = [\"a/b\"]\n");
  const auto r = vtrun({"run", "--lock-dir", lock_dir.string()});
  EXPECT_EQ(r.exit_status, 2) << r.stdout_data << r.stderr_data;
  const std::string file = (tmp.path() / "provider/vtrun.toml").lexically_normal().string();
  EXPECT_EQ(r.stderr_data.rfind("vtrun: error: " + file + ":4: test 'bad': lock name 'a/b'", 0), 0u)
      << r.stderr_data;
  EXPECT_FALSE(fs::exists(tmp.path() / "vtrun-results")) << "a job for input that cannot run";
}

// ---- 4. schedulers ----------------------------------------------------------------------

TEST_F(EngineSchedulingSchedulers, PriorityRunsHigherFirstAndSlowOnlyWithSlow) {
  provider(test_toml("low", "0", 0, "priority = 1") + test_toml("high", "0", 0, "priority = 5") +
           test_toml("mid", "0", 0, "priority = 3") +
           test_toml("heavy", "0", 0, "priority = 10\ntags = [\"slow\"]"));
  EXPECT_EQ(vtrun({"list"}).stdout_data, "low\nhigh\nmid\nheavy\n");
  EXPECT_EQ(vtrun({"list", "--scheduler", "priority"}).stdout_data, "low\nhigh\nmid\n");
  EXPECT_EQ(vtrun({"list", "--scheduler", "priority", "--slow"}).stdout_data,
            "low\nhigh\nmid\nheavy\n");

  const auto quick = vtrun({"run", "-j", "1", "--scheduler", "priority"});
  ASSERT_EQ(quick.exit_status, 0) << quick.stdout_data << quick.stderr_data;
  EXPECT_EQ(order(), (std::vector<std::string>{"high", "mid", "low"}));
  EXPECT_EQ(statuses(results_of(quick)), (std::map<std::string, std::string>{
                                             {"high", "PASS"}, {"low", "PASS"}, {"mid", "PASS"}}));

  forget_order();
  const auto all = vtrun({"run", "-j", "1", "--scheduler", "priority", "--slow"});
  ASSERT_EQ(all.exit_status, 0) << all.stdout_data << all.stderr_data;
  EXPECT_EQ(order(), (std::vector<std::string>{"heavy", "high", "mid", "low"}));
  EXPECT_EQ(statuses(results_of(all)).at("heavy"), "PASS");
}

// docs/scheduling.md: `vtrun list` prints exactly the tests the same `vtrun run` runs; a
// Cartesian test is slow by its param `slow = yes`.
TEST_F(EngineSchedulingSchedulers, ListAgreesWithRunOnCartesianSlowTests) {
  sdk::write_file_atomic(tmp.path() / "cprov/tests/cfg/work.cfg",
                         "- work:\n    type = work\n    variants:\n        - quick:\n"
                         "        - heavy:\n            slow = yes\n");
  sdk::write_file_atomic(tmp.path() / "cprov/tests/work.sh", "#!/bin/sh\nexit 0\n");
  fs::permissions(tmp.path() / "cprov/tests/work.sh", fs::perms::owner_all);
  sdk::write_file_atomic(tmp.path() / "providers.d/c.toml",
                         "[provider]\nuri = \"../cprov\"\nformat = \"cartesian\"\n");
  providers = tmp.path() / "providers.d";
  EXPECT_EQ(vtrun({"list"}).stdout_data, "work.quick\nwork.heavy\n");
  const auto run = vtrun({"run", "--scheduler", "priority"});
  ASSERT_EQ(run.exit_status, 0) << run.stdout_data << run.stderr_data;
  const auto ran = result_ids(results_of(run));
  EXPECT_EQ(ran, std::vector<std::string>{"work.quick"}) << "slow = yes is not slow";
  const auto listed = vtrun({"list", "--scheduler", "priority"});
  EXPECT_EQ(lines_of(listed.stdout_data), ran) << "list and run disagree";
}

TEST_F(EngineSchedulingSchedulers, ShuffleOrderIsFixedBySeed) {
  std::string toml;
  std::vector<std::string> ids;
  for (int i = 1; i <= 8; ++i) {
    ids.push_back("t" + std::to_string(i));
    toml += test_toml(ids.back(), "0");
  }
  provider(toml);
  auto run_order = [&](const std::string& seed) {
    forget_order();
    const auto r = vtrun({"run", "-j", "1", "--scheduler", "shuffle", "--seed", seed});
    EXPECT_EQ(r.exit_status, 0) << r.stdout_data << r.stderr_data;
    EXPECT_EQ(read_json(fs::path(last_line(r.stdout_data)) / "job.json")["config"]["seed"],
              std::stoull(seed));
    return order();
  };
  const auto five = run_order("5");
  std::vector<std::string> sorted = five;
  std::sort(sorted.begin(), sorted.end());
  EXPECT_EQ(sorted, ids) << "every test runs exactly once";
  EXPECT_EQ(run_order("5"), five);
  EXPECT_NE(run_order("6"), five);
}

TEST_F(EngineSchedulingSchedulers, ShardsPartitionThePlanAndRunWhatListPrints) {
  std::string toml;
  std::set<std::string> all;
  for (int i = 1; i <= 7; ++i) {
    const std::string id = "s" + std::to_string(i);
    all.insert(id);
    toml += test_toml(id, "0", 0, i == 4 ? "depends = [\"s3\"]" : "");
  }
  provider(toml);
  std::set<std::string> seen;
  std::size_t total = 0;
  std::vector<std::string> second;
  for (int i = 1; i <= 3; ++i) {
    const auto r = vtrun({"list", "--shard", std::to_string(i) + "/3"});
    ASSERT_EQ(r.exit_status, 0) << r.stderr_data;
    auto lines = lines_of(r.stdout_data);
    EXPECT_FALSE(lines.empty()) << "shard " << i;
    total += lines.size();
    seen.insert(lines.begin(), lines.end());
    if (i == 2) second = lines;
  }
  EXPECT_EQ(seen, all);
  EXPECT_EQ(total, all.size()) << "a test in two shards";

  const auto run = vtrun({"run", "--shard", "2/3"});
  ASSERT_EQ(run.exit_status, 0) << run.stdout_data << run.stderr_data;
  EXPECT_EQ(result_ids(results_of(run)), second);
  auto ran = order();
  std::sort(ran.begin(), ran.end());
  std::sort(second.begin(), second.end());
  EXPECT_EQ(ran, second);

  for (const char* cmd : {"list", "run"}) {
    const auto bad = vtrun({cmd, "--shard", "0/3"});
    EXPECT_EQ(bad.exit_status, 2) << cmd << ": " << bad.stdout_data << bad.stderr_data;
  }
}

TEST_F(EngineSchedulingSchedulers, ExternalProgramChoosesTheOrder) {
  provider(test_toml("a", "0") + test_toml("b", "0") + test_toml("c", "0") + test_toml("d", "0"));
  const fs::path program = tmp.path() / "last-ready";
  sdk::write_file_atomic(program, "#!/bin/sh\nexec jq -c '{run: [.ready[-1].id]}'\n");
  fs::permissions(program, fs::perms::owner_all);
  const auto r = vtrun({"run", "-j", "1", "--scheduler", "external", "--scheduler-option",
                        "program=" + program.string()});
  ASSERT_EQ(r.exit_status, 0) << r.stdout_data << r.stderr_data;
  EXPECT_EQ(order(), (std::vector<std::string>{"d", "c", "b", "a"}));
  EXPECT_EQ(statuses(results_of(r)),
            (std::map<std::string, std::string>{
                {"a", "PASS"}, {"b", "PASS"}, {"c", "PASS"}, {"d", "PASS"}}));
}

TEST_F(EngineSchedulingSchedulers, ExternalProgramPrintingGarbageIsAJobError) {
  provider(test_toml("a", "0") + test_toml("b", "0"));
  const fs::path program = tmp.path() / "garbage";
  sdk::write_file_atomic(program, "#!/bin/sh\ncat >/dev/null\necho 'this is not json'\n");
  fs::permissions(program, fs::perms::owner_all);
  const auto r = vtrun(
      {"run", "--scheduler", "external", "--scheduler-option", "program=" + program.string()});
  EXPECT_EQ(r.exit_status & 2, 2) << r.exit_status << r.stdout_data << r.stderr_data;
  const fs::path job = tmp.path() / "vtrun-results/latest";
  ASSERT_TRUE(fs::exists(job / "results.json")) << r.stderr_data;
  const auto results = read_json(job / "results.json");
  EXPECT_EQ(statuses(results),
            (std::map<std::string, std::string>{{"a", "CANCEL"}, {"b", "CANCEL"}}));
  for (const auto& t : results["tests"])
    EXPECT_NE(t["reason"].get<std::string>().find("scheduler 'external'"), std::string::npos)
        << t["reason"];
  EXPECT_EQ(results["job"]["exit_code"].get<int>() & 2, 2) << results["job"];
  EXPECT_TRUE(order().empty()) << "a test started";
}

// ---- 5. --loop and vtrun stop -----------------------------------------------------------

TEST_F(EngineSchedulingLoop, StopEndsALoopAfterTheRunningTestAndRoundsAlternateProviders) {
  // Two providers, p1 and p2, with two quick tests each.
  for (const char* p : {"p1", "p2"}) {
    const std::string name = p;
    sdk::write_file_atomic(tmp.path() / name / "vtrun.toml",
                           test_toml(name + ".a", "0.1") + test_toml(name + ".b", "0.1"));
    sdk::write_file_atomic(tmp.path() / name / "t.sh", script());
    fs::permissions(tmp.path() / name / "t.sh", fs::perms::owner_all);
    sdk::write_file_atomic(tmp.path() / "providers.d" / (name + ".toml"),
                           "[provider]\nuri = \"../" + name + "\"\n");
  }
  providers = tmp.path() / "providers.d";
  const fs::path results_dir = tmp.path() / "res";
  Background loop({"--providers", providers.string(), "-r", results_dir.string(), "run", "--loop"},
                  tmp.path());
  const fs::path results_json = results_dir / "latest/results.json";
  auto count = [&] {
    try {
      return read_json(results_json)["tests"].size();
    } catch (const std::exception&) {
      return std::size_t{0};
    }
  };
  ASSERT_TRUE(eventually([&] { return count() >= 6; }, 10s)) << loop.output().err();
  ASSERT_FALSE(loop.wait(1ms).has_value()) << "the loop ended by itself";
  const auto stop = run_vtrun({"-r", results_dir.string(), "stop"}, tmp.path());
  EXPECT_EQ(stop.exit_status, 0) << stop.stdout_data << stop.stderr_data;
  EXPECT_NE(stop.stdout_data.find("asked vtrun (pid " + std::to_string(loop.pid()) + ") to stop"),
            std::string::npos)
      << stop.stdout_data;
  const auto status = loop.wait(10s);
  ASSERT_TRUE(status.has_value()) << "vtrun --loop did not stop";
  EXPECT_EQ(*status, 0) << loop.output().err();

  const auto results = read_json(results_json);
  ASSERT_GE(results["tests"].size(), 6u);
  std::vector<std::string> first_round;
  bool second_round = false;
  for (const auto& t : results["tests"]) {
    EXPECT_EQ(t["status"], "PASS") << t;
    const std::string logdir = t["logdir"];
    if (logdir.rfind("tests/", 0) == 0) first_round.push_back(t["id"]);
    if (logdir == "rounds/2/tests/" + t["id"].get<std::string>()) second_round = true;
  }
  EXPECT_TRUE(second_round) << results["tests"];
  EXPECT_EQ(first_round, (std::vector<std::string>{"p1.a", "p2.a", "p1.b", "p2.b"}));
  const auto started = order();
  ASSERT_GE(started.size(), 6u);
  EXPECT_EQ(std::vector<std::string>(started.begin(), started.begin() + 6),
            (std::vector<std::string>{"p1.a", "p2.a", "p1.b", "p2.b", "p1.a", "p2.a"}));
  EXPECT_EQ(results["job"]["exit_code"], 0);
}

TEST_F(EngineSchedulingLoop, SigtermLetsTheRunningTestFinish) {
  provider(test_toml("long", "2"));
  Background loop({"--providers", providers.string(), "run", "--loop"}, tmp.path());
  ASSERT_TRUE(eventually([&] { return fs::exists(ts / "long.start"); }, 10s))
      << loop.output().err();
  ASSERT_EQ(kill(loop.pid(), SIGTERM), 0);
  const auto status = loop.wait(10s);
  ASSERT_TRUE(status.has_value()) << "vtrun --loop did not stop after SIGTERM";
  EXPECT_EQ(*status, 0) << loop.output().err();
  EXPECT_TRUE(fs::exists(ts / "long.end")) << "the running test was cut short";
  const auto results = read_json(tmp.path() / "vtrun-results/latest/results.json");
  ASSERT_EQ(results["tests"].size(), 1u) << results;
  EXPECT_EQ(results["tests"][0]["status"], "PASS") << results["tests"][0];
}

// ---- 6. interrupts ----------------------------------------------------------------------

TEST_F(EngineSchedulingInterrupts, OneInterruptLetsTheTestCleanUpAndCancelsTheRest) {
  const fs::path d = tmp.path();
  provider(
      "[[test]]\nname = \"long\"\ncommand = [\"./long.sh\"]\ntimeout = 60\n"
      "[[test]]\nname = \"later\"\ncommand = \"true\"\n");
  sdk::write_file_atomic(tmp.path() / "provider/long.sh",
                         "#!/bin/sh\nd='" + d.string() +
                             "'\n"
                             "trap 'echo cleaned > \"$d/cleaned\"; exit 1' TERM\n"
                             "(trap '' TERM; exec sleep 300) &\n"
                             "echo $! > \"$d/child\"\n"
                             "echo $$ > \"$d/pid\"\n"
                             "sleep 30 &\nwait $!\n");
  fs::permissions(tmp.path() / "provider/long.sh", fs::perms::owner_all);
  Background run({"--providers", providers.string(), "run"}, tmp.path());
  ASSERT_TRUE(eventually([&] { return fs::exists(d / "pid") && fs::exists(d / "child"); }, 10s))
      << run.output().err();
  const pid_t pid = read_pid(d / "pid"), child = read_pid(d / "child");
  ASSERT_TRUE(alive(pid) && alive(child));
  ASSERT_EQ(kill(run.pid(), SIGINT), 0);
  const auto status = run.wait(10s);
  ASSERT_TRUE(status.has_value()) << "vtrun did not end after SIGINT";
  EXPECT_EQ(*status & 8, 8) << *status;
  EXPECT_TRUE(fs::exists(d / "cleaned")) << "the test got no chance to clean up";
  const fs::path job = tmp.path() / "vtrun-results/latest";
  ASSERT_TRUE(fs::exists(job / "run.log"));
  ASSERT_TRUE(fs::exists(job / "results.json"));
  EXPECT_EQ(statuses(read_json(job / "results.json")),
            (std::map<std::string, std::string>{{"long", "INTERRUPTED"}, {"later", "CANCEL"}}));
  EXPECT_NE(sdk::read_file(job / "run.log").find("INTERRUPTED"), std::string::npos);
  EXPECT_FALSE(alive(pid)) << "the test's shell survived";
  EXPECT_FALSE(alive(child)) << "the test's TERM-ignoring child survived";
}

TEST_F(EngineSchedulingInterrupts, SecondInterruptKillsATestThatIgnoresTerm) {
  const fs::path d = tmp.path();
  provider("[[test]]\nname = \"stubborn\"\ncommand = [\"./stubborn.sh\"]\ntimeout = 60\n");
  sdk::write_file_atomic(tmp.path() / "provider/stubborn.sh",
                         "#!/bin/sh\nd='" + d.string() +
                             "'\ntrap '' TERM\nsleep 300 &\necho $! > \"$d/child\"\n"
                             "echo $$ > \"$d/pid\"\nsleep 30\n");
  fs::permissions(tmp.path() / "provider/stubborn.sh", fs::perms::owner_all);
  Background run({"--providers", providers.string(), "run"}, tmp.path());
  ASSERT_TRUE(eventually([&] { return fs::exists(d / "pid") && fs::exists(d / "child"); }, 10s))
      << run.output().err();
  const pid_t pid = read_pid(d / "pid"), child = read_pid(d / "child");
  ASSERT_EQ(kill(run.pid(), SIGINT), 0);
  // The first interrupt only asks (SIGTERM, ignored): vtrun waits for the test.
  EXPECT_FALSE(run.wait(1s).has_value()) << "vtrun did not wait for the test to clean up";
  EXPECT_TRUE(alive(pid));
  ASSERT_EQ(kill(run.pid(), SIGINT), 0);
  const auto status = run.wait(10s);
  ASSERT_TRUE(status.has_value()) << "vtrun did not end after the second SIGINT";
  EXPECT_EQ(*status & 8, 8) << *status;
  EXPECT_EQ(statuses(read_json(tmp.path() / "vtrun-results/latest/results.json")),
            (std::map<std::string, std::string>{{"stubborn", "INTERRUPTED"}}));
  EXPECT_FALSE(alive(pid));
  EXPECT_FALSE(alive(child));
}

// ---- 7. --keep-testbed ------------------------------------------------------------------

TEST_F(EngineSchedulingKeepTestbed, KeptTestbedAnswersVtctlUntilStop) {
  provider("[[test]]\nname = \"broken\"\ncommand = [\"sh\", \"-c\", \"exit 1\"]\n");
  Background run({"--providers", providers.string(), "run", "--keep-testbed"}, tmp.path());
  std::string line;
  ASSERT_TRUE(eventually(
      [&] {
        const std::string err = run.output().err();
        const auto at = err.find("VT_CONTROL_SOCKET=");
        const auto end = err.find('\n', at);
        if (at == std::string::npos || end == std::string::npos) return false;
        line = err.substr(at, end - at);
        return true;
      },
      15s))
      << run.output().err();
  EXPECT_NE(run.output().err().find("broken / vm1:"), std::string::npos) << run.output().err();
  const std::string socket = line.substr(18, line.find(' ') - 18);
  EXPECT_TRUE(fs::exists(socket)) << line;
  // The printed line, as a user pastes it into a shell (vtctl in PATH).
  const char* path = std::getenv("PATH");
  const auto vtctl = core::run_process(
      {{"sh", "-c", line},
       {{"PATH", std::string(VTRUN_BIN_DIR) + ":" + (path != nullptr ? path : "/usr/bin:/bin")}},
       tmp.path().string(),
       "",
       std::chrono::seconds(20),
       false},
      nullptr);
  EXPECT_EQ(vtctl.exit_status, 0) << line << "\n" << vtctl.stdout_data << vtctl.stderr_data;
  EXPECT_NE(vtctl.stdout_data.find("Linux"), std::string::npos) << vtctl.stdout_data;
  EXPECT_FALSE(run.wait(1ms).has_value()) << "vtrun did not hold the testbed";

  const auto stop = run_vtrun({"stop"}, tmp.path());
  EXPECT_EQ(stop.exit_status, 0) << stop.stdout_data << stop.stderr_data;
  const auto status = run.wait(10s);
  ASSERT_TRUE(status.has_value()) << "vtrun did not end after vtrun stop";
  // The job had ended before: closing its kept testbeds is not an interrupt of it.
  EXPECT_EQ(*status, 1) << run.output().err();
  EXPECT_FALSE(fs::exists(socket));
  EXPECT_EQ(statuses(read_json(tmp.path() / "vtrun-results/latest/results.json")),
            (std::map<std::string, std::string>{{"broken", "FAIL"}}));
}

// The second line printed for a kept testbed opens a shell on it, pasted as it is.
TEST_F(EngineSchedulingKeepTestbed, PrintedShellLineWorksWhenPasted) {
  provider("[[test]]\nname = \"broken\"\ncommand = [\"sh\", \"-c\", \"exit 1\"]\n");
  Background run({"--providers", providers.string(), "run", "--keep-testbed"}, tmp.path());
  std::string shell_line;
  ASSERT_TRUE(eventually(
      [&] {
        const auto lines = lines_of(run.output().err());
        for (std::size_t i = 0; i + 1 < lines.size(); ++i)
          if (lines[i].find("VT_CONTROL_SOCKET=") != std::string::npos) {
            shell_line = lines[i + 1].substr(lines[i + 1].find_first_not_of(' '));
            return true;
          }
        return false;
      },
      15s))
      << run.output().err();
  const auto shell = core::run_process({{"sh", "-c", shell_line},
                                        {{"SHELL", "/bin/sh"}},
                                        tmp.path().string(),
                                        "echo in-$((6*7)); pwd\nexit\n",
                                        std::chrono::seconds(20),
                                        false},
                                       nullptr);
  EXPECT_EQ(shell.exit_status, 0) << shell_line << "\n" << shell.stdout_data << shell.stderr_data;
  EXPECT_NE(shell.stdout_data.find("in-42"), std::string::npos)
      << shell_line << "\n"
      << shell.stdout_data << shell.stderr_data;
  EXPECT_NE(shell.stdout_data.find("/vtrun-local-vm1-"), std::string::npos) << shell.stdout_data;
  ASSERT_EQ(kill(run.pid(), SIGINT), 0);
  EXPECT_TRUE(run.wait(10s).has_value()) << "Ctrl-C did not end vtrun";
}

// ---- 8. --shell-fail --------------------------------------------------------------------

TEST_F(EngineSchedulingShellFail, WithoutATerminalTheJobGoesOn) {
  provider(
      "[[test]]\nname = \"broken\"\ncommand = [\"sh\", \"-c\", \"exit 1\"]\n"
      "[[test]]\nname = \"after\"\ncommand = \"true\"\n");
  const auto r = vtrun({"run", "--shell-fail"});
  EXPECT_EQ(r.exit_status, 1) << r.stdout_data << r.stderr_data;
  EXPECT_NE(r.stderr_data.find("--shell-fail: stdin is not a terminal; no shell for 'broken'"),
            std::string::npos)
      << r.stderr_data;
  EXPECT_EQ(statuses(results_of(r)),
            (std::map<std::string, std::string>{{"broken", "FAIL"}, {"after", "PASS"}}));
}

TEST_F(EngineSchedulingShellFail, WithATerminalTheShellRunsOnTheTestbed) {
  provider("[[test]]\nname = \"broken\"\ncommand = [\"sh\", \"-c\", \"exit 1\"]\n");
  const std::string command =
      "'" + vtrun_binary().string() + "' --providers '" + providers.string() + "' run --shell-fail";
  sdk::ExecRequest req;
  req.argv = {"script", "-qec", command, "/dev/null"};
  req.cwd = tmp.path().string();
  req.env = {{"VTRUN_PLUGIN_PATH", ""},
             {"XDG_STATE_HOME", (tmp.path() / "state").string()},
             {"VTRUN_BACKEND", "local"},
             {"SHELL", "/bin/sh"}};
  // The echo of the typed line shows $((6*7)); only the shell prints 42.
  req.stdin_data = "echo hi-from-shell-$((6*7))\nexit\n";
  req.timeout = std::chrono::seconds(30);
  const auto r = core::run_process(req, nullptr);
  EXPECT_FALSE(r.timed_out) << r.stdout_data;
  EXPECT_EQ(r.exit_status, 1) << r.stdout_data << r.stderr_data;
  EXPECT_NE(r.stdout_data.find("a shell on testbed 'vm1'"), std::string::npos) << r.stdout_data;
  EXPECT_NE(r.stdout_data.find("hi-from-shell-42"), std::string::npos) << r.stdout_data;
  EXPECT_EQ(statuses(read_json(tmp.path() / "vtrun-results/latest/results.json")),
            (std::map<std::string, std::string>{{"broken", "FAIL"}}));
}

}  // namespace
}  // namespace vt::e2e
