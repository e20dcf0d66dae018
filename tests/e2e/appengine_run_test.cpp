// `vtrun --backend appengine run` end to end, as a team switching from Pantavisor's
// test.docker.sh runs it: a private dockerd (no firewall change, no docker0), the stand-in
// device image built and loaded by `vtrun image build appengine-standin`, and a copy of
// examples/pvtests with a failing test, a test that fails once and passes on its retry, a
// ready-script, a skipped test and a test recorded with -o; tests run two at a time. run.log
// is checked line shape by line shape against the reference's format; afterwards no
// container, slot lock or firewall change is left.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/file.h>
#include <unistd.h>

#include <csignal>
#include <regex>
#include <thread>

#include "support/docker_daemon.h"
#include "vtrun_env.h"

namespace vt::e2e {
namespace {

using test_support::DockerDaemon;

std::string firewall_rules() {
  if (::access("/usr/sbin/iptables", X_OK) != 0) return {};
  sdk::ExecRequest req;
  req.argv = {"/usr/sbin/iptables", "-S"};
  req.timeout = std::chrono::seconds(30);
  return core::run_process(req, nullptr).stdout_data;
}

// One dockerd and one stand-in image for the whole suite: each costs seconds.
class AppengineRunTest : public testing::Test {
 protected:
  static void SetUpTestSuite() {
    std::string why;
    if (!DockerDaemon::available(&why)) {
      skip_reason_ = new std::string(why);
      return;
    }
    rules_before_ = new std::string(firewall_rules());
    daemon_ = new DockerDaemon();
    cache_ = new TempDir();
    const auto built =
        run_vtrun_env({"image", "build", "appengine-standin", "--engine", DockerDaemon::cli()},
                      cache_->path(), env(), std::chrono::seconds(600));
    ASSERT_EQ(built.exit_status, 0) << built.stderr_data;
    ASSERT_NE(built.stderr_data.find("in the container engine as vtrun/appengine-standin:latest"),
              std::string::npos)
        << built.stderr_data;
  }

  static void TearDownTestSuite() {
    delete daemon_;  // removes what a failed test left, stops dockerd
    daemon_ = nullptr;
    delete cache_;
    cache_ = nullptr;
    if (rules_before_ != nullptr) {
      EXPECT_EQ(firewall_rules(), *rules_before_) << "dockerd changed the firewall";
    }
    delete rules_before_;
    rules_before_ = nullptr;
    delete skip_reason_;
    skip_reason_ = nullptr;
  }

  void SetUp() override {
    if (skip_reason_ != nullptr) GTEST_SKIP() << *skip_reason_;
    ASSERT_NE(daemon_, nullptr);
    fs::copy(fs::path(VTRUN_SOURCE_DIR) / "examples/pvtests", tree(), fs::copy_options::recursive);
    fs::create_directories(slots());
    fs::create_directories(shared());
    // The tree's params, as a team's would set them: our image, engine, slots, and a host
    // directory the flaky test keeps its count in (appengine_run_args).
    write("vtrun-params.toml",
          "[params]\nappengine_image = \"vtrun/appengine-standin:latest\"\n"
          "appengine_engine = \"" +
              DockerDaemon::cli() + "\"\nappengine_slot_dir = \"" + slots().string() +
              "\"\nappengine_first_port = 18222\nappengine_run_args = \"-v " + shared().string() +
              ":/shared\"\n");
  }

  void TearDown() override {
    if (skip_reason_ != nullptr || daemon_ == nullptr) return;
    // Nothing of the run is left: containers, slot locks.
    const auto ps = daemon_->docker({"ps", "-aq"});
    EXPECT_EQ(ps.stdout_data, "") << "containers left behind";
    for (const auto& entry : fs::directory_iterator(slots())) {
      const int fd = ::open(entry.path().c_str(), O_RDWR | O_CLOEXEC);
      ASSERT_GE(fd, 0);
      EXPECT_EQ(::flock(fd, LOCK_EX | LOCK_NB), 0) << entry.path() << " is still held";
      ::close(fd);
    }
  }

  static std::map<std::string, std::string> env() {
    return {{"DOCKER_HOST", daemon_->socket_env()},
            {"VTRUN_CACHE_DIR", (cache_->path() / "cache").string()}};
  }

  fs::path tree() const { return tmp_.path() / "pvtests"; }
  fs::path slots() const { return tmp_.path() / "slots"; }
  fs::path shared() const { return tmp_.path() / "shared"; }
  fs::path workspace(const std::string& name) const { return tmp_.path() / name; }

  void write(const std::string& relative, const std::string& text) const {
    sdk::write_file_atomic(tree() / relative, text);
  }

  // A test made as a user makes one (vtrun add), with `script` as resources/test.
  void add_test(const std::string& id, const std::string& script) const {
    const auto added = run_vtrun_env({"add", id}, tree(), env());
    ASSERT_EQ(added.exit_status, 0) << added.stderr_data;
    write(id + "/resources/test", script);
  }

  sdk::ExecResult vtrun(std::vector<std::string> args) const {
    args.insert(args.begin(), {"--backend", "appengine"});
    return run_vtrun_env(args, tree(), env(), std::chrono::seconds(600));
  }

  static inline DockerDaemon* daemon_ = nullptr;
  static inline TempDir* cache_ = nullptr;
  static inline std::string* rules_before_ = nullptr;
  static inline std::string* skip_reason_ = nullptr;
  TempDir tmp_;
};

// Every line of a compatibility-mode run.log has one of the reference's shapes.
void expect_reference_shapes(const std::string& log) {
  const std::regex debug(R"(\[pvtest\] [0-9]+ DEBUG -- \[vtrun\]: (workspace|run\.log)=/.*)");
  const std::regex result(
      R"(\[pvtest\] [0-9]+ (INFO|ERROR) -- \[vtrun\]: '[^']+' (PASSED|FAILED|ABORTED) \([0-9]+ s\))");
  const std::regex skipped(R"(\[pvtest\] [0-9]+ INFO -- \[vtrun\]: '[^']+' SKIPPED)");
  const std::regex retry(
      R"(\[pvtest\] [0-9]+ INFO -- \[vtrun\]: retry '[^']+' attempt [0-9]+/[0-9]+ after failure)");
  bool in_diff = false;
  for (const std::string& line : lines_of(log)) {
    if (line.rfind("--- diff: ", 0) == 0 && line.size() > 14 &&
        line.compare(line.size() - 4, 4, " ---") == 0) {
      in_diff = true;
      continue;
    }
    if (line == "--- end diff ---") {
      EXPECT_TRUE(in_diff) << "an end without a start";
      in_diff = false;
      continue;
    }
    if (in_diff) continue;
    const bool known = std::regex_match(line, debug) || std::regex_match(line, result) ||
                       std::regex_match(line, skipped) || std::regex_match(line, retry) ||
                       line == std::string(80, '=') || line == "SUMMARY";
    EXPECT_TRUE(known) << "a line of no reference shape: '" << line << "'";
  }
  EXPECT_FALSE(in_diff) << "a diff without its end";
}

TEST_F(AppengineRunTest, ATreeRunsAsWithPantavisorsRunner) {
  // Fails: its output never matches.
  add_test("local/core/mismatch", "#!/bin/bash\n# 2\n# 3\n\necho \"actual value\"\n");
  write("local/core/mismatch/output", "expected value\r\n");
  // Fails once, passes on its retry: the count lives on the host, in /shared.
  add_test("local/core/flaky",
           "#!/bin/bash\n# 2\n# 3\n\nn=$(cat /shared/count 2>/dev/null || echo 0)\n"
           "echo $((n + 1)) > /shared/count\n"
           "if [ \"$n\" = 0 ]; then echo first; else echo again; fi\n");
  write("local/core/flaky/output", "again\r\n");

  const auto r = vtrun({"run", "local", "-p", "2", "-r", "1", "-w", workspace("ws").string()});
  EXPECT_EQ(r.exit_status, 1) << r.stderr_data;  // mismatch FAILED: the reference exits 1
  EXPECT_EQ(last_line(r.stdout_data), workspace("ws").string());
  const std::string log = sdk::read_file(workspace("ws") / "run.log");
  expect_reference_shapes(log);
  for (const char* line :
       {"'local/control/devmeta' PASSED", "'local/control/ready-script' PASSED",
        "'local/core/config-overload' PASSED", "'local/lifecycle/deployed-tarballs' PASSED",
        "'local/runtime/skipped' SKIPPED", "'local/core/flaky' FAILED",
        "'local/core/flaky.1' PASSED", "retry 'local/core/flaky' attempt 1/1 after failure",
        "'local/core/mismatch' FAILED", "'local/core/mismatch.1' FAILED"})
    EXPECT_NE(log.find(line), std::string::npos) << line << " missing in\n" << log;
  // The diff, as pvtest-run's plain diff leaves it, inline and in tests/<id>/diff.
  const std::string diff = "1c1\n< expected value\r\n---\n> actual value\r\n";
  EXPECT_NE(log.find("--- diff: local/core/mismatch ---\n" + diff + "--- end diff ---"),
            std::string::npos)
      << log;
  EXPECT_EQ(sdk::read_file(workspace("ws") / "tests/local/core/mismatch/diff"), diff);
  // The SUMMARY repeats the results.
  const auto summary = log.find("SUMMARY\n");
  ASSERT_NE(summary, std::string::npos);
  EXPECT_NE(log.find("'local/core/flaky.1' PASSED", summary), std::string::npos);
  EXPECT_NE(log.find("--- diff: local/core/mismatch.1 ---", summary), std::string::npos);
  // Each attempt had its own device storage; a skipped test had none.
  EXPECT_TRUE(fs::is_directory(workspace("ws") / "tests/local/core/flaky/storage/trails"));
  EXPECT_TRUE(fs::is_directory(workspace("ws") / "tests/local/core/flaky.1/storage/trails"));
  EXPECT_FALSE(fs::exists(workspace("ws") / "tests/local/runtime/skipped/storage"));
  // The ready-script ran before READY and its work is what the test saw.
  EXPECT_EQ(sdk::read_file(workspace("ws") / "tests/local/control/ready-script/stdout"),
            sdk::read_file(tree() / "local/control/ready-script/output"));
  const auto results = read_json(workspace("ws") / "results.json");
  const auto status = statuses(results);
  EXPECT_EQ(status.at("local/core/flaky"), "PASS");
  EXPECT_EQ(status.at("local/core/mismatch"), "FAIL");
  EXPECT_EQ(status.at("local/runtime/skipped"), "SKIP");
}

TEST_F(AppengineRunTest, OverwriteRecordsTheOutputThatThenPasses) {
  add_test("local/core/recorded",
           "#!/bin/bash\n# 2\n# 3\n\necho to stdout\necho to stderr >&2\n"
           "pvcontrol devmeta ls | jq -r '.[\"pantavisor.status\"]'\n");
  const auto recorded =
      vtrun({"run", "local/core/recorded", "-o", "-w", workspace("rec").string()});
  ASSERT_EQ(recorded.exit_status, 0) << recorded.stderr_data;
  // Recorded under a pty: both streams in order, CR LF, the trace lines in pvtest's PS4.
  const std::string output = sdk::read_file(tree() / "local/core/recorded/output");
  const std::regex trace("\\[pvtest\\] [0-9]+ DEBUG -- \\[test-script\\]: [^\r]*\r");
  std::string kept;
  int traces = 0;
  for (const std::string& line : lines_of(output))
    std::regex_match(line, trace) ? ++traces : (kept += line + "\n", 0);
  EXPECT_EQ(kept, "to stdout\r\nto stderr\r\nREADY\r\n") << output;
  EXPECT_EQ(traces, 4) << output;  // line 5 on: two echos, the pipeline's two commands
  const auto again = vtrun({"run", "local/core/recorded", "-w", workspace("again").string()});
  EXPECT_EQ(again.exit_status, 0) << again.stderr_data;
  EXPECT_NE(sdk::read_file(workspace("again") / "run.log").find("'local/core/recorded' PASSED"),
            std::string::npos);
}

TEST_F(AppengineRunTest, ADeviceThatNeverGetsReadyFailsWithTheProbeNamed) {
  const auto r =
      vtrun({"run", "local/control/devmeta", "--param", "appengine_ready_value=NEVER", "--param",
             "appengine_ready_timeout=2", "-r", "1", "-w", workspace("nr").string()});
  EXPECT_EQ(r.exit_status, 1);
  const std::string log = sdk::read_file(workspace("nr") / "run.log");
  EXPECT_NE(log.find("'local/control/devmeta' FAILED"), std::string::npos) << log;
  // A device that failed is retried as a mismatch is: pvtest-run exits 1 for both.
  EXPECT_NE(log.find("'local/control/devmeta.1' FAILED"), std::string::npos) << log;
  EXPECT_NE(log.find("READY (pantavisor.status) not reached within 2 s"), std::string::npos) << log;
}

// Ctrl-C during a test: it is ABORTED, the run exits 1 as the reference's, the device is
// powered off and removed, and results so far are kept.
TEST_F(AppengineRunTest, AnInterruptAbortsTheRunningTestAndLeavesNothing) {
  add_test("local/core/hangs", "#!/bin/bash\n# 2\n# 3\n\ntouch /shared/started\nsleep 300\n");
  sdk::ExecRequest req = vtrun_request(
      {"--backend", "appengine", "run", "local/core/hangs", "-w", workspace("int").string()},
      tree(), std::chrono::seconds(0));
  for (const auto& [k, v] : env()) req.env[k] = v;
  struct Discard : sdk::OutputSink {
    void on_output(sdk::Stream, std::string_view) override {}
  } sink;
  auto vtrun = core::spawn_process(req, &sink);
  for (int i = 0; i < 1200 && !fs::exists(shared() / "started"); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  ASSERT_TRUE(fs::exists(shared() / "started")) << "the test never started";
  ::kill(vtrun->pid(), SIGINT);
  const auto status = vtrun->wait(std::chrono::seconds(180));
  ASSERT_TRUE(status.has_value()) << "vtrun did not stop after SIGINT";
  EXPECT_EQ(*status, 1);
  const std::string log = sdk::read_file(workspace("int") / "run.log");
  EXPECT_NE(log.find("'local/core/hangs' ABORTED"), std::string::npos) << log;
  expect_reference_shapes(log);
  EXPECT_EQ(statuses(read_json(workspace("int") / "results.json")).at("local/core/hangs"),
            "INTERRUPTED");
}

// -V: the launcher is started with -V and the container sees VALGRIND=true; the stand-in has
// no valgrind and says so in the console, as its README describes.
TEST_F(AppengineRunTest, ValgrindModeReachesTheLauncher) {
  const auto r = vtrun({"run", "local/control/devmeta", "-V", "-w", workspace("vg").string()});
  EXPECT_EQ(r.exit_status, 0) << r.stderr_data;
  const fs::path dir = workspace("vg") / "tests/local/control/devmeta";
  const std::string console = sdk::read_file(dir / "console.log");
  EXPECT_NE(console.find("starting pv-appengine -d 0 -V"), std::string::npos) << console;
  EXPECT_NE(console.find("valgrind"), std::string::npos) << console;
  EXPECT_NE(sdk::read_file(dir / "container.env").find("VALGRIND=true\n"), std::string::npos);
  EXPECT_TRUE(fs::is_directory(dir / "valgrind"));
}

TEST_F(AppengineRunTest, LsListsTheTreeWithDescriptions) {
  const auto r = run_vtrun_env({"ls", "-d", tree().string()}, tmp_.path(), env());
  ASSERT_EQ(r.exit_status, 0) << r.stderr_data;
  const auto lines = lines_of(r.stdout_data);
  ASSERT_EQ(lines.size(), 6u) << r.stdout_data;
  EXPECT_EQ(lines[0].rfind("test ", 0), 0u);
  EXPECT_EQ(lines[1].rfind("local/control/devmeta ", 0), 0u);
  EXPECT_NE(lines[1].find("device metadata and containers once READY"), std::string::npos);
  EXPECT_EQ(lines[5].rfind("local/runtime/skipped ", 0), 0u);
}

}  // namespace
}  // namespace vt::e2e
