// The scheduler plugins (plugins/schedulers), compiled in and driven directly: select and
// order on small plans, the shard partition's guarantees, and the external protocol against
// real shell scripts run by the core's Host.
#include <gtest/gtest.h>

#include <algorithm>
#include <deque>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "external_scheduler.h"
#include "parallel_scheduler.h"
#include "priority_scheduler.h"
#include "sequential_scheduler.h"
#include "shard_scheduler.h"
#include "shuffle_scheduler.h"
#include "support/test_support.h"
#include "vt/core/core_host.h"
#include "vt/sdk/error.h"

namespace vt::schedulers {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using test_support::error_message;
using test_support::TempDir;
using test_support::write_file;
using Indices = std::vector<std::size_t>;

sdk::TestInfo test(std::string id, std::vector<std::string> depends = {}, int priority = 0,
                   bool slow = false) {
  sdk::TestInfo info;
  info.id = std::move(id);
  info.provider = "local";
  info.depends = std::move(depends);
  info.priority = priority;
  info.slow = slow;
  return info;
}

sdk::SchedulerSpec spec(sdk::Params options = {}, unsigned jobs = 1, std::uint64_t seed = 0) {
  sdk::SchedulerSpec s;
  s.jobs = jobs;
  s.seed = seed;
  s.options = std::move(options);
  return s;
}

sdk::FreeCapacity free_slots(unsigned slots) {
  return {slots, 8, 8192};
}

std::vector<std::string> ids(const std::vector<sdk::TestInfo>& plan, const Indices& indices) {
  std::vector<std::string> out;
  for (std::size_t i : indices) out.push_back(plan.at(i).id);
  return out;
}

// `n` independent tests t00, t01, …
std::vector<sdk::TestInfo> numbered_plan(std::size_t n) {
  std::vector<sdk::TestInfo> plan;
  for (std::size_t i = 0; i < n; ++i)
    plan.push_back(test((i < 10 ? "t0" : "t") + std::to_string(i)));
  return plan;
}

// Drives a scheduler the way the core does, with `jobs` slots: select, then ask for an order
// whenever something changed, start what fits, finish the oldest running test. Returns the ids
// in the order they started.
std::vector<std::string> simulate(sdk::Scheduler& scheduler, const std::vector<sdk::TestInfo>& plan,
                                  unsigned jobs) {
  const Indices selected = scheduler.select(plan);
  std::map<std::string, std::size_t> index_of;
  for (std::size_t i = 0; i < plan.size(); ++i) index_of[plan[i].id] = i;
  std::set<std::size_t> waiting(selected.begin(), selected.end()), done;
  std::deque<std::size_t> running;
  std::vector<std::string> started;
  for (;;) {
    Indices ready;
    for (std::size_t i : waiting) {
      bool ok = true;
      for (const auto& dep : plan[i].depends) ok = ok && done.count(index_of.at(dep)) == 1;
      if (ok) ready.push_back(i);
    }
    const auto chosen =
        scheduler.order(ready, free_slots(jobs - static_cast<unsigned>(running.size())));
    for (std::size_t i : chosen) {
      EXPECT_EQ(waiting.count(i), 1u) << plan[i].id << " returned but not ready";
      if (running.size() == jobs) break;
      waiting.erase(i);
      running.push_back(i);
      started.push_back(plan[i].id);
    }
    if (running.empty()) break;
    done.insert(running.front());
    scheduler.completed(running.front(), sdk::Status::pass);
    running.pop_front();
  }
  EXPECT_TRUE(waiting.empty()) << waiting.size() << " tests never started";
  return started;
}

// --- sequential and parallel ------------------------------------------------------------

TEST(SequentialScheduler, SelectsEverythingAndStartsOneTestAtATime) {
  const std::vector<sdk::TestInfo> plan{test("a"), test("b"), test("c")};
  SequentialScheduler s(spec({}, 4));
  EXPECT_EQ(s.select(plan), (Indices{0, 1, 2}));
  EXPECT_EQ(s.order({1, 2}, free_slots(4)), (Indices{1}));
  EXPECT_EQ(s.order({2, 1}, free_slots(4)), (Indices{1})) << "plan order, whatever ready says";
  EXPECT_EQ(s.order({1, 2}, free_slots(3)), Indices{}) << "a test runs: wait for it";
  EXPECT_EQ(s.order({}, free_slots(4)), Indices{});
  EXPECT_EQ(simulate(s, plan, 4), (std::vector<std::string>{"a", "b", "c"}));
}

TEST(SequentialScheduler, TreatsZeroJobsAsOne) {
  SequentialScheduler s(spec({}, 0));
  s.select({test("a"), test("b")});
  EXPECT_EQ(s.order({0, 1}, free_slots(1)), (Indices{0}));
  EXPECT_EQ(s.order({1}, free_slots(0)), Indices{});
}

TEST(ParallelScheduler, ReturnsEveryReadyTestInPlanOrder) {
  ParallelScheduler s(spec({}, 2));
  EXPECT_EQ(s.select({test("a"), test("b"), test("c"), test("d")}), (Indices{0, 1, 2, 3}));
  EXPECT_EQ(s.order({3, 0, 2}, free_slots(2)), (Indices{0, 2, 3}));
  EXPECT_EQ(s.order({}, free_slots(2)), Indices{});
}

TEST(SchedulerOptions, EverySchedulerRefusesUnknownKeys) {
  EXPECT_EQ(error_message<sdk::ConfigError>([] {
              SequentialScheduler s(spec({{"x", "1"}}));
            }),
            "scheduler 'sequential': unknown option 'x' — it takes none");
  EXPECT_EQ(error_message<sdk::ConfigError>([] {
              ParallelScheduler s(spec({{"x", "1"}}));
            }),
            "scheduler 'parallel': unknown option 'x' — it takes none");
  EXPECT_EQ(error_message<sdk::ConfigError>([] {
              PriorityScheduler s(spec({{"x", "1"}}));
            }),
            "scheduler 'priority': unknown option 'x' — it takes: slow");
  EXPECT_EQ(error_message<sdk::ConfigError>([] {
              ShuffleScheduler s(spec({{"x", "1"}}));
            }),
            "scheduler 'shuffle': unknown option 'x' — it takes none");
  EXPECT_EQ(error_message<sdk::ConfigError>([] {
              ShardScheduler s(spec({{"shard", "1/2"}, {"x", "1"}}));
            }),
            "scheduler 'shard': unknown option 'x' — it takes: shard");
  EXPECT_EQ(error_message<sdk::ConfigError>([] {
              TempDir tmp("vt-sched-");
              core::CoreHost host{tmp.path() / "ledger", 0};
              ExternalScheduler s(host, spec({{"program", "/bin/true"}, {"x", "1"}}));
            }),
            "scheduler 'external': unknown option 'x' — it takes: program, timeout");
}

TEST(SchedulerOptions, DedicatedFlagsSayWhichSchedulerTheyBelongTo) {
  EXPECT_NE(error_message<sdk::ConfigError>([] {
              ParallelScheduler s(spec({{"slow", "yes"}}));
            }).find("--slow is an option of --scheduler priority"),
            std::string::npos);
  EXPECT_NE(error_message<sdk::ConfigError>([] {
              ShuffleScheduler s(spec({{"shard", "1/2"}}));
            }).find("--shard i/N is an option of --scheduler shard"),
            std::string::npos);
}

// --- priority ---------------------------------------------------------------------------

TEST(PriorityScheduler, HigherPriorityFirstTiesInPlanOrder) {
  const std::vector<sdk::TestInfo> plan{test("a", {}, 0), test("b", {}, 5),  test("c", {}, 5),
                                        test("d", {}, 1), test("e", {}, -3), test("f", {}, 5)};
  PriorityScheduler s(spec());
  EXPECT_EQ(s.select(plan), (Indices{0, 1, 2, 3, 4, 5}));
  EXPECT_EQ(ids(plan, s.order({0, 1, 2, 3, 4, 5}, free_slots(1))),
            (std::vector<std::string>{"b", "c", "f", "d", "a", "e"}));
  EXPECT_EQ(ids(plan, s.order({5, 4, 2}, free_slots(1))),
            (std::vector<std::string>{"c", "f", "e"}));
}

TEST(PriorityScheduler, LeavesOutSlowTestsUnlessAskedFor) {
  const std::vector<sdk::TestInfo> plan{test("quick"), test("soak", {}, 9, true), test("boot")};
  PriorityScheduler fast(spec());
  EXPECT_EQ(ids(plan, fast.select(plan)), (std::vector<std::string>{"quick", "boot"}));
  PriorityScheduler all(spec({{"slow", "yes"}}));
  EXPECT_EQ(ids(plan, all.select(plan)), (std::vector<std::string>{"quick", "soak", "boot"}));
  PriorityScheduler no(spec({{"slow", "no"}}));
  EXPECT_EQ(no.select(plan).size(), 2u);
}

TEST(PriorityScheduler, KeepsSlowTestsThatASelectedTestNeedsTransitively) {
  const std::vector<sdk::TestInfo> plan{
      test("install", {}, 0, true),                   // slow, needed through image
      test("image", {"install"}, 0, true),            // slow, needed by boot
      test("boot", {"image"}),                        // selected: pulls both in
      test("soak", {}, 0, true),                      // slow, needed by nothing
      test("soak.after", {"soak", "boot"}, 0, true),  // slow, depends on a selected test
  };
  PriorityScheduler s(spec());
  EXPECT_EQ(ids(plan, s.select(plan)), (std::vector<std::string>{"install", "image", "boot"}));
}

TEST(PriorityScheduler, RefusesABadSlowValue) {
  EXPECT_NE(error_message<sdk::ConfigError>([] {
              PriorityScheduler s(spec({{"slow", "maybe"}}));
            }).find("option 'slow' is 'maybe', expected yes or no"),
            std::string::npos);
}

// --- shuffle ----------------------------------------------------------------------------

std::vector<std::string> shuffled(const std::vector<sdk::TestInfo>& plan, std::uint64_t seed) {
  ShuffleScheduler s(spec({}, 1, seed));
  const Indices all = s.select(plan);
  EXPECT_EQ(all.size(), plan.size());
  return ids(plan, s.order(all, free_slots(1)));
}

TEST(ShuffleScheduler, SameSeedSameOrderOtherSeedOtherOrder) {
  const auto plan = numbered_plan(20);
  const auto order42 = shuffled(plan, 42);
  EXPECT_EQ(shuffled(plan, 42), order42);
  EXPECT_NE(shuffled(plan, 43), order42);
  EXPECT_NE(shuffled(plan, 0), order42);
  EXPECT_NE(order42, ids(plan, Indices{0,  1,  2,  3,  4,  5,  6,  7,  8,  9,
                                       10, 11, 12, 13, 14, 15, 16, 17, 18, 19}))
      << "a shuffle that keeps plan order";
  auto sorted = order42;
  std::sort(sorted.begin(), sorted.end());
  EXPECT_EQ(sorted, ids(plan, Indices{0,  1,  2,  3,  4,  5,  6,  7,  8,  9,
                                      10, 11, 12, 13, 14, 15, 16, 17, 18, 19}))
      << "a permutation of the plan";
}

TEST(ShuffleScheduler, OrderIsTheSameOnEveryBuild) {
  // Golden values (checked against an independent Python FNV-1a + splitmix64): a change here
  // changes the order of every recorded `--seed` run.
  EXPECT_EQ(shuffle_rank(0, ""), 0xc3817c016ba4ff30ULL);
  EXPECT_EQ(shuffle_rank(42, "boot.smoke"), 0x7ca6d23f1a41d344ULL);
  const std::vector<sdk::TestInfo> plan{test("a"), test("b"), test("c"), test("d"), test("e")};
  EXPECT_EQ(shuffled(plan, 42), (std::vector<std::string>{"b", "c", "a", "d", "e"}));
}

TEST(ShuffleScheduler, KeepsDependencyOrderGivenReadyTests) {
  // A chain and a diamond among independent tests: a dependent never starts before its
  // dependencies, with one slot or several, whatever the seed.
  auto plan = numbered_plan(12);
  plan[3].depends = {"t01"};
  plan[5].depends = {"t03"};
  plan[8].depends = {"t05", "t02"};
  plan[11].depends = {"t08"};
  for (std::uint64_t seed : {1u, 2u, 3u, 42u, 1000u})
    for (unsigned jobs : {1u, 3u}) {
      ShuffleScheduler s(spec({}, jobs, seed));
      const auto started = simulate(s, plan, jobs);
      ASSERT_EQ(started.size(), plan.size());
      auto pos = [&](const std::string& id) {
        return std::find(started.begin(), started.end(), id) - started.begin();
      };
      for (const auto& t : plan)
        for (const auto& dep : t.depends)
          EXPECT_LT(pos(dep), pos(t.id)) << t.id << " before " << dep << ", seed " << seed;
    }
}

// --- shard ------------------------------------------------------------------------------

Indices shard_of(const std::vector<sdk::TestInfo>& plan, const std::string& which) {
  ShardScheduler s(spec({{"shard", which}}));
  return s.select(plan);
}

TEST(ShardScheduler, ParsesShardSpecs) {
  EXPECT_EQ(parse_shard("2/4").index, 2u);
  EXPECT_EQ(parse_shard("2/4").count, 4u);
  EXPECT_EQ(parse_shard("1/1").count, 1u);
  EXPECT_EQ(parse_shard("10/10").index, 10u);
  for (const char* bad : {"", "2", "/", "0/4", "5/4", "2/0", "-1/4", "+1/4", "1/-4", " 1/4", "1/4 ",
                          "1//4", "1/4/8", "a/b", "1.5/4", "99999999999/99999999999"}) {
    const auto message = error_message<sdk::ConfigError>([&] { parse_shard(bad); });
    EXPECT_NE(message.find("scheduler 'shard': bad shard '" + std::string(bad) + "'"),
              std::string::npos)
        << message;
    EXPECT_NE(message.find("e.g. --shard 2/4"), std::string::npos) << message;
  }
  EXPECT_NE(error_message<sdk::ConfigError>([] { parse_shard("5/4"); }).find("shard 5 of only 4"),
            std::string::npos);
}

TEST(ShardScheduler, RefusesAMissingOrBadOption) {
  EXPECT_EQ(error_message<sdk::ConfigError>([] { ShardScheduler s(spec()); }),
            "scheduler 'shard': option 'shard' is missing — say which part of the plan to run, "
            "e.g. --shard 2/4 (or --scheduler-option shard=2/4)");
  EXPECT_NE(error_message<sdk::ConfigError>([] {
              ShardScheduler s(spec({{"shard", "0/3"}}));
            }).find("bad shard '0/3'"),
            std::string::npos);
}

// 40 tests: chains, a diamond, a dependency on a later test and singletons.
std::vector<sdk::TestInfo> grouped_plan() {
  auto plan = numbered_plan(40);
  plan[1].depends = {"t00"};
  plan[2].depends = {"t01"};  // t00-t01-t02
  plan[7].depends = {"t05"};
  plan[9].depends = {"t07", "t08"};  // t05-t07-t08-t09
  plan[12].depends = {"t30"};        // reaches forward: t12-t30-t31
  plan[31].depends = {"t30"};
  for (std::size_t i = 20; i < 26; ++i) plan[i].depends = {"t19"};  // t19..t25: a group of 7
  return plan;
}

TEST(ShardScheduler, PartitionsAreDisjointCoverThePlanAndAreBalanced) {
  const auto plan = grouped_plan();
  const std::vector<std::set<std::string>> groups{
      {"t00", "t01", "t02"},
      {"t05", "t07", "t08", "t09"},
      {"t12", "t30", "t31"},
      {"t19", "t20", "t21", "t22", "t23", "t24", "t25"}};
  const std::size_t largest_group = 7;
  for (unsigned n = 1; n <= 7; ++n) {
    std::map<std::string, unsigned> owner;
    std::size_t smallest = plan.size(), biggest = 0;
    for (unsigned i = 1; i <= n; ++i) {
      const std::string which = std::to_string(i) + "/" + std::to_string(n);
      const Indices part = shard_of(plan, which);
      EXPECT_TRUE(std::is_sorted(part.begin(), part.end())) << which << ": plan order";
      EXPECT_EQ(shard_of(plan, which), part) << which << ": stable";
      for (const auto& id : ids(plan, part))
        EXPECT_TRUE(owner.emplace(id, i).second) << id << " in two shards of " << n;
      smallest = std::min(smallest, part.size());
      biggest = std::max(biggest, part.size());
    }
    EXPECT_EQ(owner.size(), plan.size()) << "the shards of " << n << " cover the plan";
    EXPECT_LE(biggest - smallest, largest_group) << n << " shards";
    for (const auto& group : groups)
      for (const auto& id : group)
        EXPECT_EQ(owner[id], owner[*group.begin()]) << id << " left its group, " << n << " shards";
  }
}

TEST(ShardScheduler, GivesTheSameShardsForASmallFixedPlan) {
  // Groups by first test: {a,b} {c,e} {d} {f} {g}; each to the least loaded shard, ties low.
  const std::vector<sdk::TestInfo> plan{test("a"),        test("b", {"a"}), test("c"), test("d"),
                                        test("e", {"c"}), test("f"),        test("g")};
  EXPECT_EQ(ids(plan, shard_of(plan, "1/3")), (std::vector<std::string>{"a", "b", "g"}));
  EXPECT_EQ(ids(plan, shard_of(plan, "2/3")), (std::vector<std::string>{"c", "e"}));
  EXPECT_EQ(ids(plan, shard_of(plan, "3/3")), (std::vector<std::string>{"d", "f"}));
  EXPECT_EQ(ids(plan, shard_of(plan, "1/1")),
            (std::vector<std::string>{"a", "b", "c", "d", "e", "f", "g"}));
  EXPECT_EQ(ids(plan, shard_of(plan, "1/2")), (std::vector<std::string>{"a", "b", "d", "g"}));
  EXPECT_EQ(ids(plan, shard_of(plan, "2/2")), (std::vector<std::string>{"c", "e", "f"}));
  // More shards than groups: the extra shards are empty, not an error.
  EXPECT_EQ(shard_of(plan, "6/6"), Indices{});
}

TEST(ShardScheduler, OrdersInPlanOrder) {
  ShardScheduler s(spec({{"shard", "1/1"}}));
  s.select({test("a"), test("b"), test("c")});
  EXPECT_EQ(s.order({2, 0}, free_slots(4)), (Indices{0, 2}));
}

// --- external ---------------------------------------------------------------------------

class ExternalSchedulerTest : public ::testing::Test {
 protected:
  // An executable /bin/sh script in the temp dir.
  std::string script(const std::string& name, const std::string& body) {
    const auto path = tmp_.path() / name;
    write_file(path, "#!/bin/sh\n" + body);
    fs::permissions(path, fs::perms::owner_all);
    return path.string();
  }
  // A program that saves its stdin to stdin.json and prints answer.json.
  std::string recorder() {
    return script("next-test", "cat > '" + (tmp_.path() / "stdin.json").string() + "'\ncat '" +
                                   (tmp_.path() / "answer.json").string() + "'\n");
  }
  void answer(const std::string& text) { write_file(tmp_.path() / "answer.json", text); }
  json received() {
    std::ifstream in(tmp_.path() / "stdin.json");
    return json::parse(in);
  }
  std::string failure(const std::string& program, const std::string& answer_text = "",
                      sdk::Params extra = {}) {
    answer(answer_text);
    extra["program"] = program;
    ExternalScheduler s(host_, spec(extra));
    s.select(plan_);
    return error_message([&] { s.order({0, 1}, free_slots(2)); });
  }

  TempDir tmp_{"vt-sched-"};
  core::CoreHost host_{tmp_.path() / "ledger", 0};
  std::vector<sdk::TestInfo> plan_{test("a"), test("b"), test("c", {"a"})};
};

TEST_F(ExternalSchedulerTest, SendsTheReadyTestsAndStateAndFollowsTheAnswer) {
  plan_[0].tags = {"smoke", "boot"};
  plan_[0].priority = 7;
  plan_[0].params = {{"vms", "vm1 vm2"}, {"mem", "512"}};
  plan_[0].cost = {2, 4, 1024};
  plan_[0].locks = {"usb-hub"};
  plan_[1].slow = true;
  ExternalScheduler s(host_, spec({{"program", recorder()}}, 3, 42));
  EXPECT_EQ(s.select(plan_), (Indices{0, 1, 2}));

  answer(R"({"run": ["b", "a"], "comment": "ignored"})");
  EXPECT_EQ(s.order({0, 1}, {3, 6, 2048}), (Indices{1, 0}));
  json in = received();
  EXPECT_EQ(in["protocol"], "vtrun-scheduler/1");
  EXPECT_EQ(in["phase"], "order");
  EXPECT_EQ(in["jobs"], 3);
  EXPECT_EQ(in["seed"], 42);
  ASSERT_EQ(in["ready"].size(), 2u);
  EXPECT_EQ(in["ready"][0], json::parse(R"({"index": 0, "id": "a", "provider": "local",
      "tags": ["smoke", "boot"], "priority": 7, "slow": false, "depends": [],
      "params": {"mem": "512", "vms": "vm1 vm2"},
      "cost": {"machines": 2, "cpus": 4, "mem_mib": 1024}, "locks": ["usb-hub"]})"));
  EXPECT_EQ(in["ready"][1]["id"], "b");
  EXPECT_EQ(in["ready"][1]["slow"], true);
  EXPECT_EQ(in["running"], json::array());
  EXPECT_EQ(in["finished"], json::array());
  EXPECT_EQ(in["free"], json::parse(R"({"slots": 3, "cpus": 6, "mem_mib": 2048})"));

  // a and b started; a finished; c became ready.
  s.completed(0, sdk::Status::fail);
  answer(R"({"run": ["c"]})");
  EXPECT_EQ(s.order({2}, free_slots(2)), (Indices{2}));
  in = received();
  EXPECT_EQ(in["running"], json::parse(R"(["b"])"));
  EXPECT_EQ(in["finished"], json::parse(R"([{"id": "a", "status": "FAIL"}])"));
  EXPECT_EQ(in["ready"][0]["depends"], json::parse(R"(["a"])"));
}

TEST_F(ExternalSchedulerTest, AnEmptyAnswerMeansWaitAndNothingReadyAsksNothing) {
  ExternalScheduler s(host_, spec({{"program", recorder()}}));
  s.select(plan_);
  answer(R"({"run": []})");
  EXPECT_EQ(s.order({0, 1}, free_slots(1)), Indices{});
  // A test returned earlier that is still ready has not started: it is not "running".
  answer(R"({"run": ["a"]})");
  EXPECT_EQ(s.order({0, 1}, free_slots(1)), (Indices{0}));
  EXPECT_EQ(s.order({0, 1}, free_slots(1)), (Indices{0}));
  EXPECT_EQ(received()["running"], json::array());

  fs::remove(tmp_.path() / "stdin.json");
  EXPECT_EQ(s.order({}, free_slots(1)), Indices{});
  EXPECT_FALSE(fs::exists(tmp_.path() / "stdin.json")) << "the program ran with nothing ready";
}

TEST_F(ExternalSchedulerTest, ProgramFromPathAndTheDefaultSelect) {
  // A bare name is looked up in PATH: `cat` echoes the request, which has no "run" key.
  ExternalScheduler s(host_, spec({{"program", "cat"}}));
  EXPECT_EQ(s.select(plan_), (Indices{0, 1, 2}));
  EXPECT_NE(error_message([&] { s.order({0}, free_slots(1)); }).find("without a \"run\" key"),
            std::string::npos);
}

TEST_F(ExternalSchedulerTest, ANonZeroExitIsAnErrorWithWhatItPrinted) {
  const auto program = script("fails", "echo 'no database' >&2\nexit 1\n");
  const auto message = failure(program);
  EXPECT_NE(message.find("scheduler 'external': program '" + program + "' exited with status 1"),
            std::string::npos)
      << message;
  EXPECT_NE(message.find("stderr: 'no database'"), std::string::npos) << message;
  EXPECT_NE(message.find("expected exit status 0 and {\"run\": [\"id\", …]} on stdout"),
            std::string::npos)
      << message;
}

TEST_F(ExternalSchedulerTest, InvalidJsonIsAnError) {
  const auto program = script("chatty", "echo 'starting a and b'\n");
  const auto message = failure(program);
  EXPECT_NE(message.find("program '" + program + "' printed something that is not JSON"),
            std::string::npos)
      << message;
  EXPECT_NE(message.find("stdout: 'starting a and b'"), std::string::npos) << message;
}

TEST_F(ExternalSchedulerTest, MistypedAnswersAreErrors) {
  EXPECT_NE(failure(recorder(), R"({"run": "a"})").find("\"run\" that is not an array"),
            std::string::npos);
  EXPECT_NE(failure(recorder(), R"({"run": [0]})").find("0 in \"run\", which is not a test id"),
            std::string::npos);
  EXPECT_NE(failure(recorder(), R"(["a"])").find("without a \"run\" key"), std::string::npos);
  EXPECT_NE(failure(recorder(), R"({"run": ["a", "a"]})").find("names 'a' twice"),
            std::string::npos);
}

TEST_F(ExternalSchedulerTest, AnIdThatIsNotReadyIsAnError) {
  // c exists but waits for a; zzz does not exist.
  const auto not_ready = failure(recorder(), R"({"run": ["c"]})");
  EXPECT_NE(not_ready.find("names 'c', which is not ready (ready: 'a', 'b')"), std::string::npos)
      << not_ready;
  EXPECT_NE(failure(recorder(), R"({"run": ["zzz"]})").find("names 'zzz', which is not ready"),
            std::string::npos);
}

TEST_F(ExternalSchedulerTest, LongOutputIsCutTo200Bytes) {
  const auto message = failure(recorder(), std::string(1000, 'x'));
  EXPECT_NE(message.find("stdout: '" + std::string(200, 'x') + "…'"), std::string::npos) << message;
  EXPECT_EQ(message.find(std::string(201, 'x')), std::string::npos);
}

TEST_F(ExternalSchedulerTest, ATimeoutKillsTheProgramAndIsAnError) {
  const auto program = script("slow", "cat > /dev/null\necho thinking\nsleep 30\n");
  const auto started = std::chrono::steady_clock::now();
  answer("");
  ExternalScheduler s(host_, spec({{"program", program}, {"timeout", "1"}}));
  s.select(plan_);
  const auto message = error_message<sdk::TimeoutError>([&] { s.order({0}, free_slots(1)); });
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(15));
  EXPECT_NE(message.find("program '" + program + "' gave no answer within 1 s"), std::string::npos)
      << message;
}

TEST_F(ExternalSchedulerTest, AProgramThatCannotStartIsAnError) {
  const auto message = failure("vtrun-no-such-scheduler-program");
  EXPECT_NE(message.find("program 'vtrun-no-such-scheduler-program' could not be started"),
            std::string::npos)
      << message;
}

TEST_F(ExternalSchedulerTest, RefusesBadOptions) {
  EXPECT_NE(error_message<sdk::ConfigError>([&] { ExternalScheduler s(host_, spec()); })
                .find("option 'program' is missing — name the program that chooses the tests, "
                      "e.g. --scheduler-option program=./next-test"),
            std::string::npos);
  const auto missing = (tmp_.path() / "nothing-here").string();
  EXPECT_NE(error_message<sdk::ConfigError>([&] {
              ExternalScheduler s(host_, spec({{"program", missing}}));
            }).find("program '" + missing + "' is not an executable file"),
            std::string::npos);
  const auto not_executable = write_file(tmp_.path() / "plain.txt", "x").string();
  EXPECT_NE(error_message<sdk::ConfigError>([&] {
              ExternalScheduler s(host_, spec({{"program", not_executable}}));
            }).find("is not an executable file"),
            std::string::npos);
  for (const char* bad : {"0", "-5", "soon", "1.5", ""})
    EXPECT_NE(error_message<sdk::ConfigError>([&] {
                ExternalScheduler s(host_, spec({{"program", recorder()}, {"timeout", bad}}));
              }).find("option 'timeout' is '" + std::string(bad) + "', expected a whole number"),
              std::string::npos)
        << bad;
}

}  // namespace
}  // namespace vt::schedulers
