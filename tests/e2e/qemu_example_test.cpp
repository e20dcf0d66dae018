// The README's main job on the qemu backend, end to end with real VMs (TCG where KVM is
// unusable): every status, two VMs on one network, a reboot, console logs; and a vtrun killed
// mid-test leaves nothing behind once `vtrun gc` ran.
#include <gtest/gtest.h>
#include <signal.h>

#include <thread>

#include "qemu_run.h"
#include "vt/sdk/host.h"

namespace vt::e2e {
namespace {

using namespace std::chrono_literals;

TEST(QemuExample, EveryTestEndsAsDesignedOnRealVms) {
  TempDir tmp;
  const auto r = core::run_process(
      qemu_request(tmp.path(), {"--providers", example_providers().string(), "run"}), nullptr);
  EXPECT_EQ(r.exit_status, 9) << r.stdout_data << r.stderr_data;
  const fs::path job = last_line(r.stdout_data);
  ASSERT_TRUE(fs::is_directory(job)) << r.stdout_data << r.stderr_data;
  const auto results = read_json(job / "results.json");
  EXPECT_EQ(results["job"]["backend"], "qemu");
  EXPECT_EQ(statuses(results), expected_statuses_on("qemu")) << sdk::read_file(job / "run.log");

  // Every test that ran has the console of its VM (its own part of it when it got a VM an
  // earlier test left running); the pair has one per VM.
  int booted = 0;
  for (const char* id : {"basic.pass", "vtctl.exec", "testbed.inside", "vm.reboot", "vm.pair"}) {
    const fs::path console = job / "tests" / id / "console.log";
    ASSERT_TRUE(fs::is_regular_file(console)) << console;
    if (sdk::read_file(job / "tests" / id / "test.log").find("OPEN vm1") != std::string::npos) {
      ++booted;
      EXPECT_NE(sdk::read_file(console).find("vtrun-guest: ready"), std::string::npos) << console;
    }
  }
  // basic.pass boots the first VM; vm.pair and vm.reboot need machines of their own.
  EXPECT_GE(booted, 3) << "fewer boots than the plan needs: the console check saw too little";
  EXPECT_TRUE(fs::is_regular_file(job / "tests/vm.pair/console-vm2.log"));
  EXPECT_NE(sdk::read_file(job / "tests/testbed.inside/output/uname.txt").find("Linux"),
            std::string::npos);
  EXPECT_NE(sdk::read_file(job / "tests/vm.pair/stdout").find("vm1 reached vm2"),
            std::string::npos);
  // The reboot really rebooted: the console shows a second boot.
  const std::string reboot_console = sdk::read_file(job / "tests/vm.reboot/console.log");
  EXPECT_NE(reboot_console.find("vtrun-guest: ready"), reboot_console.rfind("vtrun-guest: ready"))
      << reboot_console;

  // Nothing is left: no QEMU, no runtime directory, overlay or saved state, an empty ledger.
  EXPECT_EQ(processes_mentioning(tmp.path().string()), std::vector<std::string>{});
  EXPECT_EQ(files_under(tmp.path() / "tmp"), std::vector<std::string>{});
  EXPECT_EQ(files_under(tmp.path() / "state/vtrun/ledger"), std::vector<std::string>{});
}

TEST(QemuExample, AKilledRunLeavesNothingAfterGc) {
  TempDir tmp;
  // A provider whose one test keeps its VM busy for a minute.
  sdk::write_file_atomic(tmp.path() / "p/provider/vtrun.toml",
                         "[[test]]\nname = \"busy\"\ncommand = [\"sh\", \"-c\", \"vtctl exec -- "
                         "sleep 60\"]\n");
  sdk::write_file_atomic(tmp.path() / "p/providers.d/p.toml",
                         "[provider]\nuri = \"../provider\"\n");
  auto run =
      qemu_request(tmp.path(), {"--providers", (tmp.path() / "p/providers.d").string(), "run"});
  auto vtrun = core::spawn_process(run, nullptr);

  // Wait until the test runs inside the VM: its ledger holds a QEMU process and overlays.
  const fs::path ledger = tmp.path() / "state/vtrun/ledger";
  bool running = false;
  for (int i = 0; i < 1200 && !running; ++i) {
    std::this_thread::sleep_for(100ms);
    for (const auto& f : files_under(tmp.path() / "vtrun-results"))
      if (f.find("busy/console.log") != std::string::npos &&
          sdk::read_file(f).find("vtrun-guest: ready") != std::string::npos)
        running = !processes_mentioning(tmp.path().string()).empty();
  }
  ASSERT_TRUE(running) << "the test never got its VM";
  std::this_thread::sleep_for(1s);
  bool has_overlay = false;
  for (const auto& f : files_under(tmp.path() / "tmp"))
    has_overlay = has_overlay || f.find(".qcow2") != std::string::npos;
  EXPECT_TRUE(has_overlay) << "the running VM has no overlay to leave behind";

  ASSERT_EQ(kill(vtrun->pid(), SIGKILL), 0);
  vtrun->wait(0ms);
  EXPECT_FALSE(files_under(ledger).empty()) << "a killed run must leave its ledger entries";

  const auto gc = core::run_process(qemu_request(tmp.path(), {"gc"}), nullptr);
  EXPECT_EQ(gc.exit_status, 0) << gc.stdout_data << gc.stderr_data;
  EXPECT_EQ(processes_mentioning(tmp.path().string()), std::vector<std::string>{});
  std::vector<std::string> left;
  for (const auto& f : files_under(tmp.path() / "tmp"))
    if (f.find(".qcow2") != std::string::npos || f.find("vtrun-qemu") != std::string::npos)
      left.push_back(f);
  EXPECT_EQ(left, std::vector<std::string>{}) << gc.stdout_data;
  EXPECT_EQ(files_under(ledger), std::vector<std::string>{}) << gc.stdout_data;
}

}  // namespace
}  // namespace vt::e2e
