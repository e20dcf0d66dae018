// What a job does when things go wrong: timeouts, interrupts, bad input.
#include <gtest/gtest.h>
#include <signal.h>

#include <thread>

#include "support/child_processes.h"
#include "vtrun_cli.h"

namespace vt::e2e {
namespace {

using test_support::alive;

std::vector<pid_t> read_pids(const fs::path& file) {
  std::vector<pid_t> pids;
  std::ifstream in(file);
  for (pid_t p; in >> p;) pids.push_back(p);
  return pids;
}

// The test records its own pid and those of a background child and a setsid'd grandchild.
const char* hang_script = R"(#!/bin/sh
sleep 300 &
echo $! >> "$PIDS"
setsid sleep 301 &
echo $! >> "$PIDS"
echo $$ >> "$PIDS"
sleep 302
)";

TEST(Robustness, TimeoutKillsTheWholeProcessTree) {
  TempDir tmp;
  const auto pids_file = tmp.path() / "pids";
  const auto providers = make_provider(
      tmp.path(),
      "[[test]]\nname = \"hang\"\ncommand = [\"./hang.sh\"]\ntimeout = 1\nparams = { x = \"1\" }\n",
      {{"hang.sh", std::string(hang_script)}});
  setenv("PIDS", pids_file.c_str(), 1);
  const auto r = run_vtrun({"--providers", providers.string(), "run"}, tmp.path());
  unsetenv("PIDS");
  EXPECT_EQ(r.exit_status, 8) << r.stdout_data << r.stderr_data;
  const auto results = read_json(fs::path(last_line(r.stdout_data)) / "results.json");
  EXPECT_EQ(results["tests"][0]["status"], "INTERRUPTED");
  EXPECT_EQ(results["tests"][0]["reason"], "timed out after 1 s; process tree killed");
  const auto pids = read_pids(pids_file);
  ASSERT_EQ(pids.size(), 3u);
  for (pid_t p : pids) EXPECT_FALSE(alive(p)) << "pid " << p << " outlived the timeout";
}

TEST(Robustness, DaemonThatEscapedItsSessionIsKilledAfterTheTest) {
  TempDir tmp;
  const auto pids_file = tmp.path() / "pids";
  // The middle shell exits at once, so the setsid'd sleep is an orphan in a session of its own:
  // neither the test's session nor its parent chain leads to it any more.
  const auto providers =
      make_provider(tmp.path(), "[[test]]\nname = \"daemon\"\ncommand = [\"./daemon.sh\"]\n",
                    {{"daemon.sh",
                      "#!/bin/sh\nsh -c 'setsid sleep 303 >/dev/null 2>&1 & echo $! >> \"$PIDS\"'\n"
                      "sleep 0.2\nexit 0\n"}});
  setenv("PIDS", pids_file.c_str(), 1);
  const auto r = run_vtrun({"--providers", providers.string(), "run"}, tmp.path());
  unsetenv("PIDS");
  EXPECT_EQ(r.exit_status, 0) << r.stdout_data << r.stderr_data;
  EXPECT_NE(r.stderr_data.find("killed 1 process(es) a test left running"), std::string::npos)
      << r.stderr_data;
  const auto pids = read_pids(pids_file);
  ASSERT_EQ(pids.size(), 1u);
  EXPECT_FALSE(alive(pids[0])) << "the escaped daemon outlived vtrun";
}

TEST(Robustness, SigtermInterruptsRunningTestsAndKeepsResults) {
  TempDir tmp;
  const auto pids_file = tmp.path() / "pids";
  const auto providers = make_provider(tmp.path(),
                                       "[[test]]\nname = \"first\"\ncommand = \"true\"\n"
                                       "[[test]]\nname = \"hang\"\ncommand = [\"./hang.sh\"]\n"
                                       "[[test]]\nname = \"never\"\ncommand = \"true\"\n",
                                       {{"hang.sh", std::string(hang_script)}});
  sdk::ExecRequest req;
  req.argv = {vtrun_binary().string(), "--providers", providers.string(), "run"};
  req.cwd = tmp.path().string();
  req.env = {{"PIDS", pids_file.string()}, {"VTRUN_PLUGIN_PATH", ""}};
  struct Collect : sdk::OutputSink {
    std::string out;
    std::mutex m;
    void on_output(sdk::Stream s, std::string_view b) override {
      std::lock_guard l(m);
      if (s == sdk::Stream::out) out += b;
    }
  } sink;
  auto vtrun = core::spawn_process(req, &sink);
  // Wait until the hanging test is really running, then stop the job like CI would. Its VM
  // boots under TCG, slowly when the machine is busy (a minute at most).
  for (int i = 0; i < 1200 && read_pids(pids_file).size() < 3; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  ASSERT_EQ(read_pids(pids_file).size(), 3u);
  kill(vtrun->pid(), SIGTERM);
  const auto status = vtrun->wait(std::chrono::seconds(30));
  ASSERT_TRUE(status.has_value()) << "vtrun did not stop after SIGTERM";
  EXPECT_EQ(*status & 8, 8);
  const auto job = tmp.path() / "vtrun-results/latest";
  const auto results = read_json(job / "results.json");
  EXPECT_EQ(statuses(results),
            (std::map<std::string, std::string>{
                {"first", "PASS"}, {"hang", "INTERRUPTED"}, {"never", "CANCEL"}}));
  for (pid_t p : read_pids(pids_file)) EXPECT_FALSE(alive(p)) << "pid " << p << " survived";
}

TEST(Robustness, BadInputNamesFileAndLine) {
  TempDir tmp;
  const auto providers =
      make_provider(tmp.path(), "[[test]]\nname = \"a\"\ncommand = \"true\"\ntimout = 3\n");
  const auto r = run_vtrun({"--providers", providers.string(), "run"}, tmp.path());
  EXPECT_EQ(r.exit_status, 2);
  const std::string file = (tmp.path() / "provider/vtrun.toml").lexically_normal().string();
  EXPECT_EQ(r.stderr_data.rfind("vtrun: error: " + file + ":4: ", 0), 0u) << r.stderr_data;
  EXPECT_NE(r.stderr_data.find("'timout'"), std::string::npos) << r.stderr_data;
  EXPECT_FALSE(fs::exists(tmp.path() / "vtrun-results")) << "no job for input that cannot run";
}

TEST(Robustness, UnknownBackendIsAUsageError) {
  TempDir tmp;
  const auto r = run_vtrun(
      {"--backend", "warp", "--providers", example_providers().string(), "run", "basic.pass"},
      tmp.path());
  EXPECT_EQ(r.exit_status, 2);
  EXPECT_EQ(r.stderr_data,
            "vtrun: error: unknown backend 'warp' — known: appengine, local, qemu, xen; `vtrun "
            "plugins` shows "
            "what was found and refused\n");
}

TEST(Robustness, UnknownReporterOrSchedulerFailsBeforeAnyJobDirectoryExists) {
  TempDir tmp;
  const auto reporter = run_vtrun(
      {"--providers", example_providers().string(), "run", "--reporter", "tap", "basic.pass"},
      tmp.path());
  EXPECT_EQ(reporter.exit_status, 2);
  EXPECT_EQ(reporter.stderr_data,
            "vtrun: error: unknown reporter 'tap' — known: console, json, junit; `vtrun plugins` "
            "shows what was found and refused\n");
  const auto scheduler = run_vtrun(
      {"--providers", example_providers().string(), "run", "--scheduler", "slurm", "basic.pass"},
      tmp.path());
  EXPECT_EQ(scheduler.exit_status, 2);
  EXPECT_NE(scheduler.stderr_data.find("unknown scheduler 'slurm'"), std::string::npos);
  EXPECT_FALSE(fs::exists(tmp.path() / "vtrun-results"))
      << "a job directory for a run that never started";
}

TEST(Robustness, ClosedStdoutDoesNotStopTheJob) {
  TempDir tmp;
  const auto providers =
      make_provider(tmp.path(),
                    "[[test]]\nname = \"a\"\ncommand = [\"sh\", \"-c\", \"sleep 0.2\"]\n"
                    "[[test]]\nname = \"b\"\ncommand = [\"sh\", \"-c\", \"sleep 0.2\"]\n");
  // `vtrun run | head -1`: the reader is gone after the first line.
  sdk::ExecRequest req{{"sh", "-c", "\"$0\" --providers \"$1\" run | head -n 1",
                        vtrun_binary().string(), providers.string()},
                       {{"VTRUN_PLUGIN_PATH", ""}},
                       tmp.path().string(),
                       "",
                       std::chrono::seconds(60),
                       false};
  const auto r = core::run_process(req, nullptr);
  EXPECT_EQ(r.exit_status, 0) << r.stderr_data;
  EXPECT_NE(r.stderr_data.find("reporter 'console' failed"), std::string::npos) << r.stderr_data;
  EXPECT_EQ(statuses(read_json(tmp.path() / "vtrun-results/latest/results.json")),
            (std::map<std::string, std::string>{{"a", "PASS"}, {"b", "PASS"}}));
}

TEST(Robustness, MissingProvidersDirectoryIsExplained) {
  TempDir tmp;
  const auto r = run_vtrun({"--providers", (tmp.path() / "nope").string(), "list"}, tmp.path());
  EXPECT_EQ(r.exit_status, 2);
  EXPECT_NE(r.stderr_data.find((tmp.path() / "nope").string()), std::string::npos) << r.stderr_data;
}

TEST(Robustness, PluginsCommandFollowsTheLineFormat) {
  TempDir tmp;
  const auto r = run_vtrun({"plugins"}, tmp.path());
  EXPECT_EQ(r.exit_status, 0);
  EXPECT_NE(r.stdout_data.find("backend local 0.1.0 " + std::string(VTRUN_PLUGIN_DIR) +
                               "/libvt_local.so\n"),
            std::string::npos)
      << r.stdout_data;
  EXPECT_NE(r.stdout_data.find("reporter junit 0.1.0 "), std::string::npos);
  EXPECT_NE(r.stdout_data.find("scheduler parallel 0.2.0 "), std::string::npos);
  EXPECT_EQ(r.stdout_data.find("refused"), std::string::npos);

  sdk::ExecRequest req{{vtrun_binary().string(), "plugins"},
                       {{"VTRUN_PLUGIN_PATH", VTRUN_FIXTURE_PLUGIN_DIR}},
                       tmp.path().string(),
                       "",
                       std::chrono::seconds(60),
                       false};
  const auto with_fixtures = core::run_process(req, nullptr);
  EXPECT_NE(with_fixtures.stdout_data.find("refused " + std::string(VTRUN_FIXTURE_PLUGIN_DIR) +
                                           "/libvt_fixture_wrong_abi.so: plugin "
                                           "'libvt_fixture_wrong_abi.so': ABI version"),
            std::string::npos)
      << with_fixtures.stdout_data;
}

}  // namespace
}  // namespace vt::e2e
