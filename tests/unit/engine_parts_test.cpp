// The runner's parts on their own: test costs, the budget, named locks, Avocado-VT's
// lifecycle params and the `_on_error` rule, and dependency cycles.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include "runner/machine_params.h"
#include "runner/named_locks.h"
#include "runner/resource_budget.h"
#include "runner/vm_lifecycle.h"
#include "support/test_support.h"
#include "vt/core/plan.h"
#include "vt/sdk/error.h"

namespace vt::core {
namespace {

namespace fs = std::filesystem;
using test_support::error_message;

TEST(TestCost, SumsSmpAndMemOverTheMachinesWithObjectSuffixes) {
  const auto one = test_cost({});
  EXPECT_EQ(one.machines, 1u);
  EXPECT_EQ(one.cpus, 1u);
  EXPECT_EQ(one.mem_mib, 0u);
  const auto two =
      test_cost({{"vms", "vm1 vm2"}, {"smp", "2"}, {"mem", "512"}, {"mem_vm2", "1024"}});
  EXPECT_EQ(two.machines, 2u);
  EXPECT_EQ(two.cpus, 4u);
  EXPECT_EQ(two.mem_mib, 1536u);
  // Not a whole number: counted as unset rather than guessed.
  const auto odd = test_cost({{"smp", "two"}, {"mem", "1G"}});
  EXPECT_EQ(odd.cpus, 1u);
  EXPECT_EQ(odd.mem_mib, 0u);
}

TEST(ResourceBudget, TestsStartWhileTheirCostFitsAndABigOneRunsAlone) {
  RunOptions options;
  options.jobs = 3;
  options.max_cpus = 4;
  options.max_mem_mib = 1000;
  ResourceBudget budget(options);
  EXPECT_EQ(budget.total().slots, 3u);
  const sdk::TestCost small{1, 1, 400}, big{1, 1, 5000}, wide{1, 3, 0};
  EXPECT_TRUE(budget.fits(small));
  budget.take(small);
  EXPECT_TRUE(budget.fits(small));
  budget.take(small);
  EXPECT_FALSE(budget.fits(small)) << "800 of 1000 MiB used: 400 more do not fit";
  EXPECT_FALSE(budget.fits(wide)) << "2 of 4 CPUs used: 3 more do not fit";
  EXPECT_FALSE(budget.fits(big)) << "over the whole budget: only when nothing runs";
  budget.give_back(small);
  budget.give_back(small);
  EXPECT_TRUE(budget.exceeds_total(big));
  EXPECT_TRUE(budget.fits(big));
  budget.take(big);
  EXPECT_FALSE(budget.fits(small)) << "a test over the budget runs alone";
  budget.give_back(big);
  EXPECT_EQ(budget.free().mem_mib, 1000u);
}

TEST(ResourceBudget, DefaultsComeFromTheMachineAndJ) {
  RunOptions options;
  options.jobs = 64;
  ResourceBudget budget(options);
  EXPECT_EQ(budget.total().slots, 64u);
  EXPECT_GE(budget.total().cpus, 64u) << "-j N always allows N one-CPU tests";
  EXPECT_GT(budget.total().mem_mib, 0u);
}

TEST(NamedLocks, ALockIsHeldOnceUntilReleasedAndTheDirIsShared) {
  test_support::TempDir tmp("vtrun-locks-");
  const NamedLocks locks(tmp.path() / "locks");
  struct stat st {};
  ASSERT_EQ(stat((tmp.path() / "locks").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 01777u) << "every user must be able to lock there";

  std::string busy;
  auto first = locks.try_acquire({"db", "image"}, &busy);
  ASSERT_TRUE(first.has_value());
  // flock is per open file, so even this process cannot take it twice.
  EXPECT_FALSE(locks.try_acquire({"image"}, &busy).has_value());
  EXPECT_EQ(busy, "image");
  // All or nothing: "other" must not stay taken when "db" is busy.
  EXPECT_FALSE(locks.try_acquire({"other", "db"}, &busy).has_value());
  EXPECT_TRUE(locks.try_acquire({"other"}, &busy).has_value());
  first.reset();
  EXPECT_TRUE(locks.try_acquire({"db", "image"}, &busy).has_value());
}

TEST(NamedLocks, NamesThatAreNotFileNamesAreRefused) {
  for (const char* good : {"db", "base-image", "image:tiny", "a.b_c"})
    EXPECT_NO_THROW(NamedLocks::check_name(good)) << good;
  for (const char* bad : {"", ".hidden", "a/b", "a b", "../x"})
    EXPECT_THROW(NamedLocks::check_name(bad), sdk::ConfigError) << bad;
}

TEST(VmLifecycle, AvocadoVtDefaultsAndValues) {
  const MachineStart start = start_rules({});
  EXPECT_TRUE(start.start);
  EXPECT_FALSE(start.restart);
  EXPECT_FALSE(start_rules({{"start_vm", "no"}}).start);
  EXPECT_TRUE(start_rules({{"restart_vm", "yes"}}).restart);
  const MachineStop stop = stop_rules({});
  EXPECT_FALSE(stop.kill);
  EXPECT_FALSE(stop.gracefully);
  EXPECT_EQ(stop.timeout, std::chrono::seconds(60));
  const MachineStop kill =
      stop_rules({{"kill_vm", "yes"}, {"kill_vm_gracefully", "yes"}, {"kill_vm_timeout", "2.5"}});
  EXPECT_TRUE(kill.kill);
  EXPECT_TRUE(kill.gracefully);
  EXPECT_EQ(kill.timeout, std::chrono::seconds(3));
  EXPECT_TRUE(stop_rules({{"breaks_testbed", "yes"}}).breaks_testbed);
}

TEST(VmLifecycle, OnErrorParamsReplaceTheirKeyOnlyAfterAFailure) {
  const sdk::Params params = {{"kill_vm", "no"}, {"kill_vm_on_error", "yes"}, {"mem", "512"}};
  EXPECT_EQ(after_test_params(params, false), params);
  const sdk::Params failed = after_test_params(params, true);
  EXPECT_EQ(failed.at("kill_vm"), "yes");
  EXPECT_EQ(failed.at("mem"), "512");
  EXPECT_TRUE(stop_rules(failed).kill);
  // Any key follows the rule, not only kill_vm.
  EXPECT_EQ(after_test_params({{"x_on_error", "1"}}, true).at("x"), "1");
}

TestCase node(const std::string& id, std::vector<std::string> depends, int line) {
  TestCase t;
  t.id = id;
  t.depends = std::move(depends);
  t.source = "/p/vtrun.toml";
  t.line = line;
  return t;
}

TEST(DependencyCycles, ACycleIsNamedWithTheFileAndLine) {
  EXPECT_NO_THROW(check_dependency_cycles(
      {node("a", {}, 1), node("b", {"a"}, 5), node("c", {"a", "b", "elsewhere"}, 9)}));
  const std::string message = error_message([] {
    check_dependency_cycles(
        {node("a", {"c"}, 1), node("b", {"a"}, 5), node("c", {"b"}, 9), node("d", {"c"}, 13)});
  });
  EXPECT_NE(message.find("/p/vtrun.toml:"), std::string::npos) << message;
  EXPECT_NE(message.find("dependency cycle: a -> c -> b -> a"), std::string::npos) << message;
  const std::string self = error_message([] { check_dependency_cycles({node("x", {"x"}, 3)}); });
  EXPECT_NE(self.find("dependency cycle: x -> x"), std::string::npos) << self;
}

}  // namespace
}  // namespace vt::core
