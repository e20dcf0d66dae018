// The execution engine on real VMs: a VM kept between tests while its params do not change,
// Avocado-VT's kill_vm / kill_vm_gracefully / breaks_testbed, the guest-reported verdict read
// from the serial console, and an interrupt that leaves no VM behind.
#include <gtest/gtest.h>
#include <signal.h>

#include <thread>

#include "qemu_run.h"
#include "vt/sdk/host.h"

namespace vt::e2e {
namespace {

using namespace std::chrono_literals;

std::string test_log(const fs::path& job, const std::string& id) {
  return sdk::read_file(job / "tests" / id / "test.log");
}

fs::path run_ok(const fs::path& dir, const fs::path& providers, int expected_exit,
                std::vector<std::string> extra = {}) {
  std::vector<std::string> args = {"--providers", providers.string(), "run"};
  args.insert(args.end(), extra.begin(), extra.end());
  const auto r = core::run_process(qemu_request(dir, args), nullptr);
  EXPECT_EQ(r.exit_status, expected_exit) << r.stdout_data << r.stderr_data;
  return last_line(r.stdout_data);
}

TEST(QemuEngine, AVmIsKeptWhileItsParamsDoNotChange) {
  TempDir tmp;
  // A chain, so the order is fixed: each step says whether the marker the previous one left
  // in the scratch directory is still there.
  const std::string look =
      "vtctl exec -- sh -c 'test -e marker && echo marker-present || echo marker-absent; "
      "echo x > marker'";
  const fs::path providers = make_provider(tmp.path(), R"([[test]]
name = "a.first"
command = ["sh", "-c", ")" + look + R"("]

[[test]]
name = "b.kept"
command = ["sh", "-c", ")" + look + R"("]
depends = ["a.first"]
params = { kill_vm = true, kill_vm_gracefully = true, kill_vm_timeout = 60 }

[[test]]
name = "c.fresh"
command = ["sh", "-c", ")" + look + R"("]
depends = ["b.kept"]
breaks_testbed = true

[[test]]
name = "d.reverted"
command = ["sh", "-c", ")" + look + R"("]
depends = ["c.fresh"]

[[test]]
name = "e.other-machine"
command = ["sh", "-c", ")" + look + R"("]
depends = ["d.reverted"]
params = { mem = 320 }
)");
  const fs::path job = run_ok(tmp.path(), providers, 0);
  ASSERT_TRUE(fs::is_directory(job));
  auto out = [&](const char* id) { return sdk::read_file(job / "tests" / id / "stdout"); };

  EXPECT_NE(test_log(job, "a.first").find("OPEN vm1"), std::string::npos);
  EXPECT_NE(test_log(job, "a.first").find("KEEP vm1"), std::string::npos);
  EXPECT_EQ(out("a.first"), "marker-absent\n");
  // Same params: the same VM, no boot, and what a.first left is there.
  EXPECT_NE(test_log(job, "b.kept").find("REUSE vm1 (kept after a.first"), std::string::npos)
      << test_log(job, "b.kept");
  EXPECT_EQ(out("b.kept"), "marker-present\n");
  EXPECT_NE(test_log(job, "b.kept").find("SHUTDOWN vm1"), std::string::npos);
  EXPECT_EQ(sdk::read_file(job / "debug.log").find("did not power off"), std::string::npos)
      << "kill_vm_gracefully: the guest must power itself off";
  // kill_vm: the next test starts a new VM from the base image.
  EXPECT_NE(test_log(job, "c.fresh").find("OPEN vm1"), std::string::npos);
  EXPECT_EQ(out("c.fresh"), "marker-absent\n");
  // breaks_testbed: kept, but reverted before its next use.
  EXPECT_NE(test_log(job, "c.fresh").find("reverted before its next use"), std::string::npos);
  EXPECT_NE(test_log(job, "d.reverted").find("REVERT vm1 (c.fresh declared breaks_testbed)"),
            std::string::npos)
      << test_log(job, "d.reverted");
  EXPECT_EQ(out("d.reverted"), "marker-absent\n");
  // Other machine params: another VM.
  EXPECT_NE(test_log(job, "e.other-machine").find("OPEN vm1"), std::string::npos);
  EXPECT_EQ(out("e.other-machine"), "marker-absent\n");

  // Nothing is left once the job is over.
  EXPECT_EQ(processes_mentioning(tmp.path().string()), std::vector<std::string>{});
  EXPECT_EQ(files_under(tmp.path() / "state/vtrun/ledger"), std::vector<std::string>{});
}

TEST(QemuEngine, TheGuestReportsItsStatusOnTheConsole) {
  TempDir tmp;
  auto report = [](const char* name, const char* code, const char* extra) {
    return std::string("[[test]]\nname = \"") + name +
           "\"\nrun_in = \"testbed\"\nverdict = \"guest-reported\"\ncommand = [\"sh\", \"-c\", "
           "\"" +
           (code[0] != '\0'
                ? std::string("echo vtrun-test: EXIT_STATUS=") + code + " > /dev/console"
                : std::string("true")) +
           "\"]\n" + extra + "\n";
  };
  const fs::path providers = make_provider(
      tmp.path(), report("g.pass", "0", "") + report("g.skip", "77", "") +
                      report("g.fail", "3", "") +
                      report("g.silent", "", "params = { guest_status_timeout = 1 }") +
                      report("g.systemd", "123", "params = { guest_success_code = 123 }"));
  const fs::path job = run_ok(tmp.path(), providers, 1);
  ASSERT_TRUE(fs::is_directory(job));
  const auto results = read_json(job / "results.json");
  const std::map<std::string, std::string> expected = {{"g.pass", "PASS"},
                                                       {"g.skip", "SKIP"},
                                                       {"g.fail", "FAIL"},
                                                       {"g.silent", "ERROR"},
                                                       {"g.systemd", "PASS"}};
  EXPECT_EQ(statuses(results), expected) << sdk::read_file(job / "run.log");
  for (const auto& t : results["tests"]) {
    const std::string reason = t["reason"];
    if (t["id"] == "g.fail") {
      EXPECT_NE(reason.find("3"), std::string::npos) << reason;
    } else if (t["id"] == "g.silent") {
      EXPECT_NE(reason.find("no status"), std::string::npos) << reason;
    }
  }
  // One VM served them all, and each test saw only its own part of the console.
  EXPECT_NE(test_log(job, "g.fail").find("REUSE vm1"), std::string::npos);
  const std::string console = sdk::read_file(job / "tests/g.fail/console.log");
  EXPECT_NE(console.find("EXIT_STATUS=3"), std::string::npos) << console;
  EXPECT_EQ(console.find("EXIT_STATUS=0"), std::string::npos) << console;
}

TEST(QemuEngine, AnInterruptEndsTheTestCleanlyAndLeavesNoVm) {
  TempDir tmp;
  const fs::path providers = make_provider(tmp.path(), R"([[test]]
name = "busy"
command = ["sh", "-c", "trap 'echo cleaned > \"$VT_OUTPUT_DIR/cleaned\"; exit 1' TERM; vtctl exec -- sleep 120 & wait"]

[[test]]
name = "later"
command = ["true"]
depends = ["busy"]
)");
  auto vtrun = core::spawn_process(
      qemu_request(tmp.path(), {"--providers", providers.string(), "run"}), nullptr);
  // Wait until the VM runs the test's command.
  bool running = false;
  for (int i = 0; i < 1200 && !running; ++i) {
    std::this_thread::sleep_for(100ms);
    for (const auto& f : files_under(tmp.path() / "vtrun-results"))
      if (f.find("busy/console.log") != std::string::npos)
        running = sdk::read_file(f).find("vtrun-guest: ready") != std::string::npos;
  }
  ASSERT_TRUE(running) << "the test never got its VM";
  std::this_thread::sleep_for(2s);
  ASSERT_EQ(kill(vtrun->pid(), SIGINT), 0);
  const auto status = vtrun->wait(60s);
  ASSERT_TRUE(status.has_value()) << "vtrun did not end within 60 s of one SIGINT";
  EXPECT_EQ(*status & 8, 8) << "exit status " << *status;

  const fs::path job = tmp.path() / "vtrun-results/latest";
  const auto results = read_json(job / "results.json");
  const std::map<std::string, std::string> expected = {{"busy", "INTERRUPTED"},
                                                       {"later", "CANCEL"}};
  EXPECT_EQ(statuses(results), expected) << sdk::read_file(job / "run.log");
  EXPECT_TRUE(fs::exists(job / "tests/busy/output/cleaned")) << "the test's TERM trap did not run";
  EXPECT_EQ(processes_mentioning(tmp.path().string()), std::vector<std::string>{});
  EXPECT_EQ(files_under(tmp.path() / "state/vtrun/ledger"), std::vector<std::string>{});
}

}  // namespace
}  // namespace vt::e2e
