// The resource ledger and its sweep: what FileLedger writes, which owners count as dead (also a
// recycled pid), what a cleanup may do wrong without keeping the entry, and what keeps it.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <nlohmann/json.hpp>
#include <thread>

#include "support/child_processes.h"
#include "support/test_support.h"
#include "vt/core/core_host.h"
#include "vt/core/ledger_sweep.h"
#include "vt/sdk/files.h"

namespace vt::core {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using Action = SweepItem::Action;
using namespace std::chrono_literals;

using test_support::dead_pid;
using test_support::Sleeper;

class LedgerSweep : public ::testing::Test {
 protected:
  test_support::TempDir tmp{"vtrun-ledger-"};
  fs::path ledger = tmp.path() / "ledger";
  CoreHost host{tmp.path() / "host-ledger", 0};

  fs::path entry(const std::string& file, json doc) {
    doc.emplace("created", 1700000000);
    return test_support::write_file(ledger / file, doc.dump());
  }
  json dead_entry(const std::string& name, std::vector<std::string> cleanup) {
    return {{"kind", "vm"}, {"name", name}, {"cleanup", cleanup}, {"owner_pid", dead_pid()}};
  }
  SweepItem only_item(const SweepReport& report) {
    EXPECT_EQ(report.items.size(), 1u);
    return report.items.at(0);
  }
};

TEST(ProcessStartTime, NamesLiveProcessesOnly) {
  EXPECT_TRUE(process_start_time(getpid()).has_value());
  EXPECT_EQ(process_start_time(getpid()), process_start_time(getpid()));
  EXPECT_FALSE(process_start_time(dead_pid()).has_value());
  EXPECT_FALSE(process_start_time(0).has_value());
  // A zombie is dead, though /proc still lists it.
  const pid_t zombie = fork();
  if (zombie == 0) _exit(0);
  std::this_thread::sleep_for(100ms);
  EXPECT_FALSE(process_start_time(zombie).has_value());
  waitpid(zombie, nullptr, 0);
}

TEST_F(LedgerSweep, FileLedgerRecordsTheStartTimesOfOwnerAndProcess) {
  FileLedger file_ledger(ledger);
  Sleeper sleeper;
  const std::string token = file_ledger.record({"process", "p1", {"true"}, sleeper.pid()});
  const json doc = json::parse(sdk::read_file(ledger / (token + ".json")));
  EXPECT_EQ(doc.at("owner_pid"), getpid());
  EXPECT_EQ(doc.at("owner_start").get<std::uint64_t>(), *process_start_time(getpid()));
  EXPECT_EQ(doc.at("pid"), sleeper.pid());
  EXPECT_EQ(doc.at("pid_start").get<std::uint64_t>(), *process_start_time(sleeper.pid()));
  // Its own entries are those of a live owner.
  EXPECT_EQ(only_item(sweep_ledger(ledger, host)).action, Action::kept);
  EXPECT_TRUE(fs::exists(ledger / (token + ".json")));
}

TEST_F(LedgerSweep, MissingDirectoryIsAnEmptyLedger) {
  const auto report = sweep_ledger(tmp.path() / "nowhere", host);
  EXPECT_TRUE(report.items.empty());
  EXPECT_TRUE(report.ok());
  EXPECT_FALSE(fs::exists(tmp.path() / "nowhere"));
}

TEST_F(LedgerSweep, DeadOwnerIsCleanedUpAndDropped) {
  const auto victim = test_support::write_file(tmp.path() / "overlay.qcow2", "x");
  const auto file = entry("a.json", dead_entry("vm1", {"rm", victim.string()}));
  const auto report = sweep_ledger(ledger, host);
  const auto item = only_item(report);
  EXPECT_EQ(item.action, Action::removed);
  EXPECT_EQ(item.kind, "vm");
  EXPECT_EQ(item.name, "vm1");
  EXPECT_TRUE(item.notes.empty());
  EXPECT_FALSE(fs::exists(victim));
  EXPECT_FALSE(fs::exists(file));
  EXPECT_TRUE(report.ok());
}

TEST_F(LedgerSweep, LiveOwnerIsKeptAndARecycledPidIsNot) {
  const auto live = entry("live.json", {{"kind", "vm"},
                                        {"name", "mine"},
                                        {"cleanup", {"false"}},
                                        {"owner_pid", getpid()},
                                        {"owner_start", *process_start_time(getpid())}});
  // Our pid, but another start time: the owner that wrote it is gone, the pid was reused.
  const auto recycled = entry("recycled.json", {{"kind", "vm"},
                                                {"name", "theirs"},
                                                {"cleanup", json::array()},
                                                {"owner_pid", getpid()},
                                                {"owner_start", 1}});
  const auto report = sweep_ledger(ledger, host);
  ASSERT_EQ(report.items.size(), 2u);
  EXPECT_EQ(report.items[0].name, "mine");
  EXPECT_EQ(report.items[0].action, Action::kept);
  EXPECT_EQ(report.items[0].owner_pid, getpid());
  EXPECT_EQ(report.items[1].name, "theirs");
  EXPECT_EQ(report.items[1].action, Action::removed);
  EXPECT_TRUE(fs::exists(live));
  EXPECT_FALSE(fs::exists(recycled));
}

TEST_F(LedgerSweep, ProcessOfADeadOwnerIsKilled) {
  Sleeper sleeper;
  json doc = dead_entry("qemu-vm1", {});
  doc["kind"] = "process";
  doc["pid"] = sleeper.pid();
  doc["pid_start"] = *process_start_time(sleeper.pid());
  entry("p.json", doc);
  const auto item = only_item(sweep_ledger(ledger, host));
  EXPECT_EQ(item.action, Action::removed);
  ASSERT_EQ(item.notes.size(), 1u);
  EXPECT_EQ(item.notes[0], "killed pid " + std::to_string(sleeper.pid()));
  EXPECT_NE(sleeper.ended_by_within(5s), 0);
}

TEST_F(LedgerSweep, ProcessWithAnotherStartTimeIsNotKilled) {
  Sleeper sleeper;  // has the recorded pid, but is not the process that was recorded
  json doc = dead_entry("qemu-vm1", {});
  doc["pid"] = sleeper.pid();
  doc["pid_start"] = 1;
  entry("p.json", doc);
  const auto item = only_item(sweep_ledger(ledger, host));
  EXPECT_EQ(item.action, Action::removed);
  EXPECT_TRUE(item.notes.empty());
  EXPECT_EQ(sleeper.ended_by_within(200ms), 0);
}

TEST_F(LedgerSweep, NonZeroCleanupExitIsNotedAndTheEntryStillDropped) {
  const auto file =
      entry("a.json", dead_entry("vm1", {"sh", "-c", "echo nothing matched >&2; exit 1"}));
  const auto report = sweep_ledger(ledger, host);
  const auto item = only_item(report);
  EXPECT_EQ(item.action, Action::removed);
  ASSERT_EQ(item.notes.size(), 1u);
  EXPECT_EQ(item.notes[0],
            "cleanup `sh -c echo nothing matched >&2; exit 1` exited 1: nothing matched");
  EXPECT_FALSE(fs::exists(file));
  EXPECT_TRUE(report.ok());
}

TEST_F(LedgerSweep, CleanupThatCannotStartKeepsTheEntry) {
  const auto file = entry("a.json", dead_entry("vm1", {"no-such-command-vtrun-test"}));
  const auto report = sweep_ledger(ledger, host);
  const auto item = only_item(report);
  EXPECT_EQ(item.action, Action::failed);
  ASSERT_EQ(item.notes.size(), 1u);
  EXPECT_NE(item.notes[0].find("cleanup `no-such-command-vtrun-test` cannot start: "),
            std::string::npos)
      << item.notes[0];
  EXPECT_TRUE(fs::exists(file));
  EXPECT_FALSE(report.ok());
}

TEST_F(LedgerSweep, CleanupThatTimesOutKeepsTheEntry) {
  const auto file = entry("a.json", dead_entry("vm1", {"sleep", "30"}));
  SweepOptions options;
  options.cleanup_timeout = 300ms;
  const auto started = std::chrono::steady_clock::now();
  const auto report = sweep_ledger(ledger, host, options);
  EXPECT_LT(std::chrono::steady_clock::now() - started, 10s);
  const auto item = only_item(report);
  EXPECT_EQ(item.action, Action::failed);
  ASSERT_EQ(item.notes.size(), 1u);
  EXPECT_EQ(item.notes[0].rfind("cleanup `sleep 30` timed out after ", 0), 0u) << item.notes[0];
  EXPECT_TRUE(fs::exists(file));
  EXPECT_FALSE(report.ok());
}

TEST_F(LedgerSweep, DryRunChangesNothing) {
  const auto victim = test_support::write_file(tmp.path() / "overlay.qcow2", "x");
  Sleeper sleeper;
  json doc = dead_entry("vm1", {"rm", victim.string()});
  doc["pid"] = sleeper.pid();
  const auto file = entry("a.json", doc);
  SweepOptions options;
  options.dry_run = true;
  const auto item = only_item(sweep_ledger(ledger, host, options));
  EXPECT_EQ(item.action, Action::removed);
  EXPECT_EQ(item.notes,
            std::vector<std::string>{"would kill pid " + std::to_string(sleeper.pid())});
  EXPECT_TRUE(fs::exists(file));
  EXPECT_TRUE(fs::exists(victim));
  EXPECT_EQ(sleeper.ended_by_within(200ms), 0);
}

TEST_F(LedgerSweep, UnreadableFilesAreReportedAndLeft) {
  const auto garbage = test_support::write_file(ledger / "garbage.json", "not json {");
  const auto partial = entry("partial.json", {{"kind", "vm"}, {"name", "x"}});
  const auto wrong_type =
      entry("wrong.json",
            {{"kind", "vm"}, {"name", "x"}, {"cleanup", "rm -rf /"}, {"owner_pid", dead_pid()}});
  test_support::write_file(ledger / "a.json.tmp.1.0", "ignored: not an entry (yet)");
  const auto report = sweep_ledger(ledger, host);
  ASSERT_EQ(report.items.size(), 3u);
  for (const auto& item : report.items) {
    EXPECT_EQ(item.action, Action::unreadable) << item.file;
    ASSERT_EQ(item.notes.size(), 1u);
    EXPECT_EQ(item.notes[0].find("[json.exception"), std::string::npos) << item.notes[0];
  }
  EXPECT_EQ(report.items[0].file, garbage);
  EXPECT_EQ(report.items[1].file, partial);
  EXPECT_EQ(report.items[1].notes[0], "no 'cleanup' field");
  EXPECT_EQ(report.items[2].file, wrong_type);
  EXPECT_TRUE(fs::exists(garbage));
  EXPECT_TRUE(fs::exists(partial));
  EXPECT_TRUE(fs::exists(wrong_type));
  EXPECT_TRUE(report.ok());  // nothing vtrun could remove was left behind
}

}  // namespace
}  // namespace vt::core
