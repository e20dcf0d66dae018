// `vtrun gc` and the sweep at the start of `vtrun run`, on a ledger directory of hand-written
// entries ($VTRUN_LEDGER_DIR): what is removed, killed, kept and reported.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <thread>

#include "support/child_processes.h"
#include "vt/core/ledger_sweep.h"
#include "vtrun_env.h"

namespace vt::e2e {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

using test_support::dead_pid;
using test_support::Sleeper;

class GcCommand : public ::testing::Test {
 protected:
  TempDir tmp;
  fs::path ledger = tmp.path() / "ledger";
  fs::path victim = tmp.path() / "overlay.qcow2";

  void entry(const std::string& file, json doc) {
    doc.emplace("created", 1700000000);
    sdk::write_file_atomic(ledger / file, doc.dump(2) + "\n");
  }
  sdk::ExecResult gc(std::vector<std::string> args = {}) {
    args.insert(args.begin(), "gc");
    return run_vtrun_env(args, tmp.path(), {{"VTRUN_LEDGER_DIR", ledger.string()}});
  }
  // The ledger of the brief: a dead owner's overlay, our own VM, a dead owner's process, junk.
  void write_ledger(pid_t sleeper) {
    sdk::write_file_atomic(victim, "x");
    entry("a-dead.json", {{"kind", "overlay"},
                          {"name", "job1-vm1.qcow2"},
                          {"cleanup", {"rm", victim.string()}},
                          {"owner_pid", dead_pid()},
                          {"owner_start", 12345}});
    entry("b-live.json", {{"kind", "vm"},
                          {"name", "job2-vm1"},
                          {"cleanup", {"false"}},
                          {"owner_pid", getpid()},
                          {"owner_start", *core::process_start_time(getpid())}});
    entry("c-process.json", {{"kind", "process"},
                             {"name", "qemu-job1-vm1"},
                             {"cleanup", {"pkill", "-f", "vtrun-gc-test-matches-nothing"}},
                             {"owner_pid", dead_pid()},
                             {"pid", sleeper},
                             {"pid_start", *core::process_start_time(sleeper)}});
    sdk::write_file_atomic(ledger / "d-garbage.json", "{ not json\n");
  }
};

TEST_F(GcCommand, RemovesWhatDeadOwnersLeftAndKeepsTheRest) {
  Sleeper sleeper;
  write_ledger(sleeper.pid());
  const auto r = gc();
  EXPECT_EQ(r.exit_status, 0) << r.stdout_data << r.stderr_data;
  const auto lines = lines_of(r.stdout_data);
  ASSERT_EQ(lines.size(), 5u) << r.stdout_data;
  EXPECT_EQ(lines[0], "removed overlay job1-vm1.qcow2");
  EXPECT_EQ(lines[1], "kept vm job2-vm1 (owner " + std::to_string(getpid()) + " is running)");
  // pkill found nothing (exit 1): noted, and the entry is dropped all the same.
  EXPECT_EQ(lines[2], "removed process qemu-job1-vm1 (killed pid " + std::to_string(sleeper.pid()) +
                          "; cleanup `pkill -f vtrun-gc-test-matches-nothing` exited 1)");
  EXPECT_EQ(lines[3].rfind("unreadable " + (ledger / "d-garbage.json").string() + ": ", 0), 0u)
      << lines[3];
  EXPECT_EQ(lines[4],
            "gc: removed 2, kept 1, failed 0, unreadable 1 (ledger " + ledger.string() + ")");
  EXPECT_EQ(sleeper.ended_by_within(5s), SIGKILL);
  EXPECT_FALSE(fs::exists(victim));
  EXPECT_FALSE(fs::exists(ledger / "a-dead.json"));
  EXPECT_TRUE(fs::exists(ledger / "b-live.json"));
  EXPECT_FALSE(fs::exists(ledger / "c-process.json"));
  EXPECT_TRUE(fs::exists(ledger / "d-garbage.json"));

  // What is left is stable: a second gc removes nothing more.
  const auto again = gc();
  EXPECT_EQ(again.exit_status, 0);
  EXPECT_EQ(last_line(again.stdout_data),
            "gc: removed 0, kept 1, failed 0, unreadable 1 (ledger " + ledger.string() + ")");
}

TEST_F(GcCommand, DryRunOnlyLists) {
  Sleeper sleeper;
  write_ledger(sleeper.pid());
  const auto r = gc({"--dry-run"});
  EXPECT_EQ(r.exit_status, 0) << r.stdout_data << r.stderr_data;
  const auto lines = lines_of(r.stdout_data);
  ASSERT_EQ(lines.size(), 5u) << r.stdout_data;
  EXPECT_EQ(lines[0], "would remove overlay job1-vm1.qcow2");
  EXPECT_EQ(lines[2], "would remove process qemu-job1-vm1 (would kill pid " +
                          std::to_string(sleeper.pid()) + ")");
  EXPECT_EQ(lines[4], "gc (dry run): would remove 2, kept 1, failed 0, unreadable 1 (ledger " +
                          ledger.string() + ")");
  EXPECT_EQ(sleeper.ended_by_within(300ms), 0) << "a dry run killed the process";
  EXPECT_TRUE(fs::exists(victim));
  for (const char* f : {"a-dead.json", "b-live.json", "c-process.json", "d-garbage.json"})
    EXPECT_TRUE(fs::exists(ledger / f)) << f;
}

TEST_F(GcCommand, CleanupThatCannotStartKeepsTheEntryAndFails) {
  entry("a.json", {{"kind", "container"},
                   {"name", "vtrun-slot1"},
                   {"cleanup", {"no-such-engine-vtrun-test", "rm", "-f", "vtrun-slot1"}},
                   {"owner_pid", dead_pid()}});
  const auto r = gc();
  EXPECT_EQ(r.exit_status, 1) << r.stdout_data << r.stderr_data;
  EXPECT_EQ(lines_of(r.stdout_data)
                .at(0)
                .rfind("failed container vtrun-slot1: cleanup `no-such-engine-vtrun-test rm -f "
                       "vtrun-slot1` cannot start: ",
                       0),
            0u)
      << r.stdout_data;
  EXPECT_EQ(last_line(r.stdout_data),
            "gc: removed 0, kept 0, failed 1, unreadable 0 (ledger " + ledger.string() + ")");
  EXPECT_TRUE(fs::exists(ledger / "a.json"));
}

TEST_F(GcCommand, EmptyOrMissingLedger) {
  const auto r = gc();
  EXPECT_EQ(r.exit_status, 0) << r.stderr_data;
  EXPECT_EQ(r.stdout_data,
            "gc: removed 0, kept 0, failed 0, unreadable 0 (ledger " + ledger.string() + ")\n");
}

TEST_F(GcCommand, DefaultLedgerIsUnderXdgStateHome) {
  const fs::path state_ledger = tmp.path() / "state/vtrun/ledger";
  sdk::write_file_atomic(
      state_ledger / "a.json",
      json{{"kind", "vm"}, {"name", "old"}, {"cleanup", json::array()}, {"owner_pid", dead_pid()}}
          .dump());
  const auto r = run_vtrun({"gc"}, tmp.path());
  EXPECT_EQ(r.exit_status, 0) << r.stderr_data;
  EXPECT_EQ(lines_of(r.stdout_data).at(0), "removed vm old");
  EXPECT_FALSE(fs::exists(state_ledger / "a.json"));
}

TEST_F(GcCommand, RunSweepsWhatACrashedRunLeftFirst) {
  sdk::write_file_atomic(victim, "x");
  entry("a.json", {{"kind", "overlay"},
                   {"name", "crashed.qcow2"},
                   {"cleanup", {"rm", victim.string()}},
                   {"owner_pid", dead_pid()}});
  const auto providers =
      make_provider(tmp.path(), "[[test]]\nname = \"ok\"\ncommand = [\"true\"]\n");
  const auto r = run_vtrun_env({"-v", "--providers", providers.string(), "run"}, tmp.path(),
                               {{"VTRUN_LEDGER_DIR", ledger.string()}, {"VTRUN_BACKEND", "local"}});
  EXPECT_EQ(r.exit_status, 0) << r.stdout_data << r.stderr_data;
  EXPECT_FALSE(fs::exists(victim));
  EXPECT_FALSE(fs::exists(ledger / "a.json"));
  EXPECT_NE(r.stderr_data.find("[gc] removed overlay crashed.qcow2 left by a crashed run"),
            std::string::npos)
      << r.stderr_data;
}

}  // namespace
}  // namespace vt::e2e
