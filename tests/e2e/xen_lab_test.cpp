// The xen backend against a real Xen hypervisor: the lab of images/xen-lab (Xen 4.17 with a PV
// dom0 under QEMU TCG), booted once for this whole binary, reached over ssh on 127.0.0.1 as a
// user's own dom0 would be (VTRUN_XEN_HOST). In it: the SDK's testbed conformance suite, the
// example provider on `--backend xen` (PV guests), a revert that undoes a test's disk and
// memory, warm starts from `xl save` images, and a `kill -9` of vtrun that `vtrun gc` (and the
// guardian before it) clears up: no domain, no device-mapper device, no loop device in dom0.
#include <gtest/gtest.h>
#include <signal.h>

#include <memory>
#include <thread>

#include "qemu_run.h"
#include "support/xen_lab.h"
#include "vt/sdk/conformance/testbed_conformance.h"

namespace vt::e2e {
namespace {

using namespace std::chrono_literals;
using test_support::XenLab;

XenLab* lab = nullptr;

class LabEnvironment final : public testing::Environment {
 public:
  void SetUp() override {
    if (XenLab::image_dir().empty())
      FAIL() << "the xen-lab image is not built (ctest runs `vtrun image build xen-lab` first)";
    lab = new XenLab();
  }
  void TearDown() override {
    delete lab;
    lab = nullptr;
  }
};

sdk::ExecRequest xen_request(const fs::path& dir, std::vector<std::string> args) {
  fs::create_directories(dir / "tmp");
  args.insert(args.begin(), {"--backend", "xen"});
  sdk::ExecRequest req = vtrun_request(args, dir, std::chrono::seconds(1500));
  req.env["TMPDIR"] = (dir / "tmp").string();
  return req;
}

// `vtrun run` of the providers in `providers`: with the lab's quick hotplug scripts, as its
// users would set them (docs/xen.md), or with Xen's own (the backend's defaults).
enum class Hotplug { lab_scripts, xen_scripts };
std::vector<std::string> run_args(const fs::path& providers,
                                  Hotplug hotplug = Hotplug::lab_scripts) {
  std::vector<std::string> args = {"--providers", providers.string(), "run"};
  if (hotplug == Hotplug::lab_scripts)
    args.insert(args.end(),
                {"--param", "xen_disk_script=vtrun-block", "--param", "xen_vif_script=vtrun-vif"});
  return args;
}

std::string dom0_ok(const std::string& script) {
  const auto r = lab->dom0(script);
  EXPECT_EQ(r.exit_status, 0) << script << ": " << r.stderr_data;
  return r.stdout_data;
}

// What vtrun may leave in dom0: domains, dm devices, loop devices, run dirs, saved images.
std::string dom0_leftovers() {
  return dom0_ok(
      "xl list | awk 'NR > 1 && $1 != \"Domain-0\" { print \"domain \" $1 }'; "
      "dmsetup ls 2>/dev/null | awk '/^vtrun-/ { print \"dm \" $1 }'; "
      "losetup -a 2>/dev/null | sed 's/^/loop /'; "
      "ls /var/lib/vtrun/run /var/lib/vtrun/save 2>/dev/null | grep -v ':$' | grep . | "
      "sed 's/^/file /'; true");
}

class XenLabTest : public testing::Test {
 protected:
  void SetUp() override { ASSERT_NE(lab, nullptr) << "the Xen lab did not boot"; }
};

TEST_F(XenLabTest, ExampleProviderEndsAsDesigned) {
  TempDir tmp;
  const auto r = core::run_process(xen_request(tmp.path(), run_args(example_providers())), nullptr);
  EXPECT_EQ(r.exit_status, 9) << r.stdout_data << r.stderr_data;
  const fs::path job = last_line(r.stdout_data);
  ASSERT_TRUE(fs::is_directory(job)) << r.stdout_data << r.stderr_data;
  const auto results = read_json(job / "results.json");
  EXPECT_EQ(results["job"]["backend"], "xen");
  EXPECT_EQ(statuses(results), expected_statuses_on("xen")) << sdk::read_file(job / "run.log");
  EXPECT_NE(sdk::read_file(job / "tests/testbed.inside/output/uname.txt").find("Linux"),
            std::string::npos);
  EXPECT_NE(sdk::read_file(job / "tests/vm.pair/stdout").find("vm1 reached vm2"),
            std::string::npos);
  // the guest's console, from dom0's xenconsoled
  EXPECT_NE(sdk::read_file(job / "tests/basic.pass/console.log").find("vtrun-guest: ready"),
            std::string::npos);
  EXPECT_EQ(dom0_leftovers(), "");
  EXPECT_EQ(files_under(tmp.path() / "state/vtrun/ledger"), std::vector<std::string>{});
}

// Two tests on one guest, reverted between them (the first says it breaks its testbed): what
// the first writes to the disk (a dm snapshot) and to memory
// is gone in the second, which starts from the saved image, not from a boot. On Xen's own
// hotplug scripts (`block`, `vif-bridge`), the defaults, which every other test here skips.
TEST_F(XenLabTest, RevertUndoesDiskAndMemoryAndRestoresWarm) {
  TempDir tmp;
  const auto providers = make_provider(
      tmp.path() / "p",
      "[[test]]\nname = \"a.write\"\nbreaks_testbed = true\ncommand = [\"vtctl\", \"exec\", "
      "\"--\", \"sh\", \"-c\", "
      "\"echo one > /srv/vtrun/marker && echo one > /tmp/marker && sync\"]\n"
      "[[test]]\nname = \"b.check\"\ndepends = [\"a.write\"]\ncommand = [\"vtctl\", \"exec\", "
      "\"--\", \"sh\", \"-c\", \"test ! -e /srv/vtrun/marker && test ! -e /tmp/marker && "
      "grep -q \\\" /srv/vtrun \\\" /proc/mounts\"]\n");
  const auto r = core::run_process(
      xen_request(tmp.path(), run_args(providers, Hotplug::xen_scripts)), nullptr);
  EXPECT_EQ(r.exit_status, 0) << r.stdout_data << r.stderr_data;
  const fs::path job = last_line(r.stdout_data);
  ASSERT_TRUE(fs::is_directory(job)) << r.stdout_data << r.stderr_data;
  const auto results = read_json(job / "results.json");
  EXPECT_EQ(statuses(results),
            (std::map<std::string, std::string>{{"a.write", "PASS"}, {"b.check", "PASS"}}))
      << sdk::read_file(job / "run.log");
  // One boot (before the save); the revert restored, so the guest's init did not run again.
  const std::string first = sdk::read_file(job / "tests/a.write/console.log");
  const std::string second = sdk::read_file(job / "tests/b.check/console.log");
  EXPECT_NE(first.find("vtrun-guest: ready"), std::string::npos) << first;
  EXPECT_EQ(second.find("vtrun-guest: ready"), std::string::npos) << second;
  EXPECT_EQ(dom0_leftovers(), "");
}

TEST_F(XenLabTest, KilledVtrunLeavesNoDomainAfterGc) {
  TempDir tmp;
  const auto providers = make_provider(
      tmp.path() / "p",
      "[[test]]\nname = \"busy\"\ncommand = [\"vtctl\", \"exec\", \"--\", \"sleep\", \"300\"]\n");
  auto vtrun = core::spawn_process(xen_request(tmp.path(), run_args(providers)), nullptr);
  // Normally the guest is saved after its boot and runs again, restored. Should `xl save` fail
  // (the backend then boots the guest again for the test), a guest that has run for a while
  // will do: there is a domain and a snapshot to leave behind either way.
  bool running = false;
  using Clock = std::chrono::steady_clock;
  Clock::time_point domain_since{};  // {}: no domain yet
  const auto deadline = Clock::now() + 900s;
  while (!running && Clock::now() < deadline) {
    std::this_thread::sleep_for(1s);
    const auto exited = vtrun->wait(1ms);
    ASSERT_FALSE(exited.has_value()) << "vtrun exited (" << *exited << ") before its test ran";
    const int state = lab->dom0(
                             "xl list | grep -q '^vtrun-' || exit 1; "
                             "ls /var/lib/vtrun/save/*.xl >/dev/null 2>&1 || exit 2")
                          .exit_status;
    if (state == 1) domain_since = {};
    if (state == 2 && domain_since == Clock::time_point{}) domain_since = Clock::now();
    running =
        state == 0 || (domain_since != Clock::time_point{} && Clock::now() - domain_since > 150s);
  }
  ASSERT_TRUE(running) << "the test never got its guest";
  std::this_thread::sleep_for(5s);  // the test runs in the restored guest now
  EXPECT_NE(dom0_leftovers(), "") << "nothing to leave behind: the kill would prove nothing";
  ASSERT_EQ(kill(vtrun->pid(), SIGKILL), 0);
  vtrun->wait(0ms);
  EXPECT_FALSE(files_under(tmp.path() / "state/vtrun/ledger").empty())
      << "a killed run must leave its ledger entries";
  const auto gc = core::run_process(xen_request(tmp.path(), {"gc"}), nullptr);
  EXPECT_EQ(gc.exit_status, 0) << gc.stdout_data << gc.stderr_data;
  EXPECT_EQ(dom0_leftovers(), "") << gc.stdout_data;
  EXPECT_EQ(files_under(tmp.path() / "state/vtrun/ledger"), std::vector<std::string>{})
      << gc.stdout_data;
}

TEST_F(XenLabTest, CheckReportsXlOnTheConfiguredDom0) {
  TempDir tmp;
  const auto r = core::run_process(xen_request(tmp.path(), {"check"}), nullptr);
  const std::string out = r.stdout_data + r.stderr_data;
  EXPECT_NE(out.find("xl on " + lab->host_uri()), std::string::npos) << out;
  EXPECT_NE(out.find("xen_version"), std::string::npos) << out;
  auto bad = xen_request(tmp.path(), {"check"});
  bad.env["VTRUN_XEN_HOST"] = "ssh://root@127.0.0.1:1";
  const auto b = core::run_process(bad, nullptr);
  EXPECT_NE((b.stdout_data + b.stderr_data).find("ssh failed"), std::string::npos)
      << b.stdout_data << b.stderr_data;
}

}  // namespace
}  // namespace vt::e2e

// The suite every backend passes, on the lab: xen_host and xen_ssh_key come from
// VTRUN_XEN_HOST / VTRUN_XEN_SSH_KEY, which the lab set. Each case is a job of its own, so a
// saved image would serve no second open: cold boots (xen_warm_start = no) save the xl save
// and restore of every case. Warm starts have their own test above.
VT_INSTANTIATE_TESTBED_CONFORMANCE(Xen, {.backend = "xen",
                                         .plugin_dirs = {VTRUN_PLUGIN_DIR},
                                         .params = {{"xen_warm_start", "no"},
                                                    {"xen_disk_script", "vtrun-block"},
                                                    {"xen_vif_script", "vtrun-vif"}},
                                         .open_timeout = std::chrono::seconds(600)});

int main(int argc, char** argv) {
  testing::InitGoogleTest(&argc, argv);
  testing::AddGlobalTestEnvironment(new vt::e2e::LabEnvironment);
  return RUN_ALL_TESTS();
}
