// The execution engine on real VMs: a VM kept between tests while its params do not change,
// Avocado-VT's kill_vm / kill_vm_gracefully / breaks_testbed, the guest-reported verdict read
// from the serial console, and an interrupt that leaves no VM behind.
#include <gtest/gtest.h>
#include <signal.h>

#include <mutex>
#include <sstream>
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

// Host timestamps a test's script writes: "<start> <end>" in seconds.
std::pair<double, double> interval(const fs::path& file) {
  std::istringstream in(sdk::read_file(file));
  double a = 0, b = 0;
  in >> a >> b;
  return {a, b};
}

TEST(QemuEngine, RetriesTheBudgetAndReplayOnVms) {
  TempDir tmp;
  const fs::path ts = tmp.path() / "ts";
  fs::create_directories(ts);
  // Each test boots its own VM (kill_vm): the budget of 400 MiB lets one 256 MiB VM run at a
  // time although there are two slots.
  // Single quotes only: this goes into a TOML string.
  const std::string timed =
      "s=$(date +%s.%N); vtctl exec -- true; echo $s $(date +%s.%N) > '" + ts.string() + "'/";
  const fs::path providers = make_provider(
      tmp.path(),
      R"([[test]]
name = "flaky"
command = ["sh", "-c", ")" +
          timed +
          R"(flaky; n=$(cat ../count 2>/dev/null || echo 0); echo $((n+1)) > ../count; [ $n -ge 1 ]"]
params = { mem = 256, kill_vm = true }

[[test]]
name = "steady"
command = ["sh", "-c", ")" +
          timed + R"(steady"]
params = { mem = 256, kill_vm = true }

[[test]]
name = "broken"
command = ["sh", "-c", ")" +
          timed + R"(broken; exit 1"]
params = { mem = 256, kill_vm = true }
)");
  const fs::path job =
      run_ok(tmp.path(), providers, 1, {"-j", "2", "--max-mem", "400", "--retries", "1"});
  ASSERT_TRUE(fs::is_directory(job));
  const auto results = read_json(job / "results.json");
  EXPECT_EQ(statuses(results), (std::map<std::string, std::string>{
                                   {"flaky", "PASS"}, {"steady", "PASS"}, {"broken", "FAIL"}}))
      << sdk::read_file(job / "run.log");
  for (const auto& t : results["tests"]) {
    if (t["id"] == "flaky") {
      EXPECT_EQ(t["attempts"], 2);
      EXPECT_NE(t["reason"].get<std::string>().find("flaky"), std::string::npos);
    } else if (t["id"] == "broken") {
      EXPECT_EQ(t["attempts"], 2);
    }
  }
  EXPECT_TRUE(fs::is_regular_file(job / "tests/flaky.1/console.log"))
      << "the retry has its own directory and its own VM";
  // Never two VMs at once: the budget, not the slots, decided.
  const auto a = interval(ts / "flaky"), b = interval(ts / "steady"), c = interval(ts / "broken");
  for (const auto& [x, y] : {std::pair{a, b}, std::pair{a, c}, std::pair{b, c}})
    EXPECT_TRUE(x.second <= y.first || y.second <= x.first)
        << x.first << "-" << x.second << " overlaps " << y.first << "-" << y.second;

  // Replaying the failed test runs it alone, on qemu again, with its recorded params.
  const auto replay =
      core::run_process(qemu_request(tmp.path(), {"replay", job.string(), "--failed"}), nullptr);
  EXPECT_EQ(replay.exit_status, 1) << replay.stdout_data << replay.stderr_data;
  const fs::path again = last_line(replay.stdout_data);
  ASSERT_TRUE(fs::is_directory(again)) << replay.stdout_data << replay.stderr_data;
  const auto replayed = read_json(again / "results.json");
  EXPECT_EQ(replayed["job"]["backend"], "qemu");
  EXPECT_EQ(statuses(replayed), (std::map<std::string, std::string>{{"broken", "FAIL"}}));
  EXPECT_EQ(read_json(again / "job.json")["config"]["max_mem_mib"], 400);
  EXPECT_EQ(processes_mentioning(tmp.path().string()), std::vector<std::string>{});
}

// What a background vtrun prints on stderr so far.
class StderrSink final : public sdk::OutputSink {
 public:
  void on_output(sdk::Stream stream, std::string_view bytes) override {
    if (stream != sdk::Stream::err) return;
    std::lock_guard lock(mutex_);
    text_.append(bytes);
  }
  std::string text() const {
    std::lock_guard lock(mutex_);
    return text_;
  }

 private:
  mutable std::mutex mutex_;
  std::string text_;
};

TEST(QemuEngine, AKeptVmAnswersVtctlUntilStop) {
  TempDir tmp;
  const fs::path providers = make_provider(tmp.path(), R"([[test]]
name = "broken"
command = ["sh", "-c", "vtctl exec -- sh -c 'echo left-by-the-test > evidence'; exit 1"]
)");
  StderrSink err;
  auto vtrun = core::spawn_process(
      qemu_request(tmp.path(), {"--providers", providers.string(), "run", "--keep-testbed"}), &err);
  std::string line;
  for (int i = 0; i < 3000 && line.empty(); ++i) {
    std::this_thread::sleep_for(100ms);
    const std::string text = err.text();
    const auto at = text.find("VT_CONTROL_SOCKET=");
    const auto end = text.find('\n', at);
    if (at != std::string::npos && end != std::string::npos) line = text.substr(at, end - at);
  }
  ASSERT_FALSE(line.empty()) << "vtrun never said how to reach the kept VM:\n" << err.text();
  // The printed line, with `cat evidence` instead of the example command.
  const std::string command = line.substr(0, line.find(" -- ")) + " -- cat evidence";
  const char* path = std::getenv("PATH");
  const auto vtctl = core::run_process(
      {{"sh", "-c", command},
       {{"PATH", std::string(VTRUN_BIN_DIR) + ":" + (path != nullptr ? path : "/usr/bin:/bin")}},
       tmp.path().string(),
       "",
       60s,
       false},
      nullptr);
  EXPECT_EQ(vtctl.stdout_data, "left-by-the-test\n") << command << "\n" << vtctl.stderr_data;
  EXPECT_FALSE(processes_mentioning(tmp.path().string()).empty()) << "the VM is not running";

  const auto stop = core::run_process(qemu_request(tmp.path(), {"stop"}), nullptr);
  EXPECT_EQ(stop.exit_status, 0) << stop.stdout_data << stop.stderr_data;
  const auto status = vtrun->wait(60s);
  ASSERT_TRUE(status.has_value()) << "vtrun did not end after vtrun stop";
  EXPECT_EQ(*status, 1) << err.text();
  EXPECT_EQ(processes_mentioning(tmp.path().string()), std::vector<std::string>{});
  EXPECT_EQ(files_under(tmp.path() / "state/vtrun/ledger"), std::vector<std::string>{});
}

}  // namespace
}  // namespace vt::e2e
