// The appengine backend (plugins/appengine) against a real container engine: a private dockerd
// (support/docker_daemon.h), and podman with private storage when it is installed. The plugin
// is loaded through the real plugin loader and driven with a real CoreHost, on the stand-in
// device image built by images/appengine-standin/build.sh once per test binary. Slots live in
// a private directory, so runs on the same host (and Pantavisor's own runner) are not touched.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "support/docker_daemon.h"
#include "support/test_support.h"
#include "vt/core/core_host.h"
#include "vt/core/plugin_registry.h"
#include "vt/core/process.h"
#include "vt/sdk/error.h"

namespace vt::appengine {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using test_support::DockerDaemon;
using test_support::TempDir;

constexpr const char* network = "test-appengine-net";

std::string read_text(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// The stand-in image, built once per test binary (ctest runs each test in a process of its own,
// so there once per test): the directory holding rootfs.tar and image.json, which
// appengine_image may name. Empty, with `error` set, when the build failed.
fs::path standin_image(std::string* error) {
  static std::unique_ptr<TempDir> dir;
  static std::string failure;
  if (!dir && failure.empty()) {
    auto made = std::make_unique<TempDir>("vt-standin-");
    sdk::ExecRequest request;
    request.argv = {"sh", std::string(VTRUN_SOURCE_DIR) + "/images/appengine-standin/build.sh",
                    (made->path() / "image").string()};
    request.timeout = 600s;
    const auto r = core::run_process(request, nullptr);
    if (r.exit_status == 0)
      dir = std::move(made);
    else
      failure = "images/appengine-standin/build.sh exited " + std::to_string(r.exit_status) + ": " +
                r.stderr_data + r.stdout_data;
  }
  *error = failure;
  return dir ? dir->path() / "image" : fs::path();
}

// A TCP port nobody listens on, on any address (docker-proxy of another daemon binds 0.0.0.0).
bool port_is_free(int port) {
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<std::uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_ANY);
  const bool ok = bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  close(fd);
  return ok;
}

// The first of two free consecutive ports from `from` on.
int free_port_pair(int from) {
  for (int port = from; port < from + 2000; port += 2)
    if (port_is_free(port) && port_is_free(port + 1)) return port;
  throw std::runtime_error("no two free consecutive ports from " + std::to_string(from));
}

// Whether slot `n` of `dir` can be taken now (flock on a descriptor of our own, as another run
// would): false while a testbed holds it.
bool slot_is_free(const fs::path& dir, int n) {
  const auto path = dir / ("pv_appengine.slot." + std::to_string(n) + ".lock");
  const int fd = ::open(path.c_str(), O_RDWR | O_CLOEXEC);
  if (fd < 0) return true;
  const bool free = flock(fd, LOCK_EX | LOCK_NB) == 0;
  close(fd);  // releases it again
  return free;
}

// Ledger entries not released: one JSON file each (core::FileLedger).
std::vector<std::string> open_ledger_entries(const fs::path& dir) {
  std::vector<std::string> out;
  std::error_code ec;
  for (auto it = fs::directory_iterator(dir, ec); !ec && it != fs::directory_iterator();
       it.increment(ec))
    if (it->path().extension() == ".json") out.push_back(read_text(it->path()));
  return out;
}

// `word` quoted for sh.
std::string sh_quote(const std::string& word) {
  std::string out = "'";
  for (char c : word) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

std::string lines_of(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& item : items) out += item + "\n";
  return out;
}

// What an engine run in the tests needs: the appengine_engine param, the CLI with its global
// options for the tests' own checks, and the network the devices get.
struct EngineSetup {
  std::string engine_param;
  std::vector<std::string> cli;
  std::string network;
};

// The fixture: a private slot directory, ledger and log directories per test, the plugin
// loaded through the real loader, and testbeds made with the stand-in image. Subclasses say
// which engine (SetUpTestSuite) and may skip.
class AppengineTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!skip_reason().empty()) GTEST_SKIP() << skip_reason();
    ASSERT_TRUE(setup_error().empty()) << setup_error();
    ASSERT_NE(setup(), nullptr);
    std::string error;
    image_ = standin_image(&error);
    ASSERT_TRUE(error.empty()) << error;
    work_ = std::make_unique<TempDir>("vt-ae-");
    slots_ = work_->path() / "slots";
    fs::create_directories(slots_);
    registry_.load_directories({VTRUN_PLUGIN_DIR});
    if (registry_.find(sdk::PluginKind::backend, "appengine") == nullptr) {
      std::string refused;
      for (const auto& r : registry_.refused()) refused += "\n  refused: " + r.reason;
      GTEST_FAIL() << "backend 'appengine' was not loaded from '" << VTRUN_PLUGIN_DIR << "'"
                   << refused << "\n  — build vt_appengine first";
    }
    host_ = std::make_unique<core::CoreHost>(ledger_dir(), 0);
    first_port_ = free_port_pair(18222);
  }

  void TearDown() override {
    for (auto& testbed : testbeds_) testbed->close();
    testbeds_.clear();
    host_.reset();
    if (work_ && setup() != nullptr) {
      // Whatever a test did, closing its testbeds leaves no container behind.
      const auto left = containers();
      EXPECT_TRUE(left.empty()) << "containers left after close():\n" << lines_of(left);
      for (const auto& name : left) engine({"rm", "-f", name});
    }
  }

  // Set by the subclass's SetUpTestSuite.
  static EngineSetup*& setup() {
    static EngineSetup* s = nullptr;
    return s;
  }
  static std::string& skip_reason() {
    static std::string reason;
    return reason;
  }
  // Why the engine could not be set up although the host has it (a test failure, not a skip).
  static std::string& setup_error() {
    static std::string error;
    return error;
  }

  fs::path ledger_dir() const { return work_->path() / "ledger"; }

  sdk::Params base_params() const {
    return {{"appengine_engine", setup()->engine_param},
            {"appengine_image", image_.string()},
            {"appengine_network", setup()->network},
            {"appengine_slot_dir", slots_.string()},
            {"appengine_first_port", std::to_string(first_port_)}};
  }

  // A new (unopened) testbed with the base params, less `unset`, and `extra` over them;
  // closed in TearDown.
  sdk::Testbed& make(const sdk::Params& extra = {}, const std::vector<std::string>& unset = {}) {
    sdk::Params params = base_params();
    for (const auto& key : unset) params.erase(key);
    for (const auto& [key, value] : extra) params[key] = value;
    const fs::path log_dir = work_->path() / ("log" + std::to_string(testbeds_.size()));
    testbeds_.push_back(registry_.make_testbed("appengine", *host_, {"vm1", params, log_dir}));
    return *testbeds_.back();
  }

  // open(), failing the test with the error and the device's console when it throws.
  std::optional<std::string> open(sdk::Testbed& testbed) {
    try {
      return testbed.open();
    } catch (const std::exception& e) {
      ADD_FAILURE() << "open() threw: " << e.what() << "\nconsole.log:\n"
                    << read_text(testbed.console());
    }
    return std::nullopt;
  }

  // `sh -c script` on the testbed. In "/" unless `cwd` says otherwise: the scratch directory
  // (the default, an empty cwd) has a test of its own, ExecRunsInTheScratchDirectoryByDefault.
  static sdk::ExecResult run(sdk::Testbed& testbed, const std::string& script, bool pty = false,
                             const std::string& stdin_data = {},
                             std::chrono::milliseconds timeout = 120s,
                             const std::string& cwd = "/") {
    sdk::ExecRequest request;
    request.argv = {"sh", "-c", script};
    request.cwd = cwd;
    request.pty = pty;
    request.stdin_data = stdin_data;
    request.timeout = timeout;
    return testbed.exec(request, nullptr);
  }

  // The engine's CLI (with its global options) run on the host, output collected.
  static sdk::ExecResult engine(const std::vector<std::string>& args) {
    sdk::ExecRequest request;
    request.argv = setup()->cli;
    request.argv.insert(request.argv.end(), args.begin(), args.end());
    request.timeout = 120s;
    return core::run_process(request, nullptr);
  }

  // The names of all containers of the engine, running or not.
  static std::vector<std::string> containers() {
    const auto r = engine({"ps", "-a", "--format", "{{.Names}}"});
    EXPECT_EQ(r.exit_status, 0) << r.stderr_data;
    std::vector<std::string> out;
    std::istringstream lines(r.stdout_data);
    for (std::string line; std::getline(lines, line);)
      if (!line.empty()) out.push_back(line);
    return out;
  }

  static std::string container_id(const std::string& name) {
    const auto r = engine({"inspect", "--format", "{{.Id}}", name});
    EXPECT_EQ(r.exit_status, 0) << r.stderr_data;
    return r.stdout_data;
  }

  // The device reports READY the way Pantavisor's runner checks it.
  static void expect_ready(sdk::Testbed& testbed) {
    const auto r = run(testbed, "pvcontrol devmeta ls");
    EXPECT_EQ(r.exit_status, 0) << r.stderr_data;
    EXPECT_NE(r.stdout_data.find("\"pantavisor.status\":\"READY\""), std::string::npos)
        << r.stdout_data;
  }

  fs::path image_;
  std::unique_ptr<TempDir> work_;
  fs::path slots_;
  int first_port_ = 0;
  // Declaration order: the testbeds go before the host they use (TearDown closes them first).
  core::PluginRegistry registry_;
  std::unique_ptr<core::CoreHost> host_;
  std::vector<core::PluginPtr<sdk::Testbed>> testbeds_;
};

// ---------------------------------------------------------------------------------------------
// docker: a private dockerd for the whole binary run (one per process under ctest).

class AppengineDocker : public AppengineTest {
 protected:
  static void SetUpTestSuite() {
    skip_reason().clear();
    setup_error().clear();
    std::string why;
    if (!DockerDaemon::available(&why)) {
      skip_reason() = why;
      return;
    }
    try {
      daemon_ = std::make_unique<DockerDaemon>();
    } catch (const std::exception& e) {
      setup_error() = std::string("cannot start a private dockerd: ") + e.what();
      return;
    }
    if (const char* old = std::getenv("DOCKER_HOST")) saved_host_ = old;
    // The plugin's engine CLI inherits it: every docker command goes to our daemon.
    setenv("DOCKER_HOST", daemon_->socket_env().c_str(), 1);
    engine_ = {DockerDaemon::cli(), {DockerDaemon::cli()}, network};
    setup() = &engine_;
  }
  static void TearDownTestSuite() {
    setup() = nullptr;
    daemon_.reset();
    if (saved_host_)
      setenv("DOCKER_HOST", saved_host_->c_str(), 1);
    else
      unsetenv("DOCKER_HOST");
    saved_host_.reset();
  }

  static std::unique_ptr<DockerDaemon> daemon_;
  static std::optional<std::string> saved_host_;
  static EngineSetup engine_;
};
std::unique_ptr<DockerDaemon> AppengineDocker::daemon_;
std::optional<std::string> AppengineDocker::saved_host_;
EngineSetup AppengineDocker::engine_;

TEST_F(AppengineDocker, OpenBringsTheDeviceToReady) {
  auto& testbed = make();
  const auto scratch = open(testbed);
  ASSERT_TRUE(scratch);
  EXPECT_EQ(*scratch, "/work/vtrun");
  expect_ready(testbed);
  const auto names = containers();
  EXPECT_EQ(names, std::vector<std::string>{"pantavisor-tester-0"});
  const auto ps = run(testbed, "ps");
  EXPECT_NE(ps.stdout_data.find(" pantavisor\n"), std::string::npos) << ps.stdout_data;
}

TEST_F(AppengineDocker, ExecRunsInTheScratchDirectoryByDefault) {
  auto& testbed = make();
  const auto scratch = open(testbed);
  ASSERT_TRUE(scratch);
  const auto r = run(testbed, "pwd", false, {}, 120s, "");
  EXPECT_EQ(r.exit_status, 0) << r.stdout_data << r.stderr_data;
  EXPECT_EQ(r.stdout_data, *scratch + "\n");
  const auto other = run(testbed, "pwd", false, {}, 120s, "/tmp");
  EXPECT_EQ(other.stdout_data, "/tmp\n");
  // A fresh container after revert() has it as well.
  EXPECT_EQ(testbed.revert(), *scratch);
  EXPECT_EQ(run(testbed, "pwd", false, {}, 120s, "").stdout_data, *scratch + "\n");
}

TEST_F(AppengineDocker, TheImageMayBeNamedByItsRootfsTar) {
  auto& testbed =
      make({{"appengine_image", (image_ / "rootfs.tar").string()}, {"appengine_bringup", "no"}});
  ASSERT_TRUE(open(testbed));
  const auto image = engine({"inspect", "--format", "{{.Config.Image}}", "pantavisor-tester-0"});
  EXPECT_EQ(image.stdout_data, "vtrun/appengine-standin:latest\n") << image.stderr_data;
  EXPECT_EQ(run(testbed, "cat /etc/pantavisor-standin-release").exit_status, 0);
}

TEST_F(AppengineDocker, ConsoleHoldsTheLaunchersLines) {
  auto& testbed = make();
  ASSERT_TRUE(open(testbed));
  ASSERT_FALSE(testbed.console().empty());
  const std::string console = read_text(testbed.console());
  EXPECT_NE(console.find("[pv-appengine]"), std::string::npos) << console;
  EXPECT_NE(console.find("[vtrun-appengine]: device READY"), std::string::npos) << console;
}

TEST_F(AppengineDocker, ExecWithPtyMergesStreamsInOrderWithCrLf) {
  auto& testbed = make();
  ASSERT_TRUE(open(testbed));
  const auto r = run(testbed, "echo one; echo two >&2; echo three; echo four >&2", true);
  EXPECT_EQ(r.exit_status, 0);
  EXPECT_EQ(r.stdout_data, "one\r\ntwo\r\nthree\r\nfour\r\n");
  EXPECT_EQ(r.stderr_data, "");
  EXPECT_EQ(run(testbed, "exit 7", true).exit_status, 7);
  const auto tty = run(testbed, "test -t 0 && test -t 1 && echo tty", true);
  EXPECT_EQ(tty.stdout_data, "tty\r\n");
}

TEST_F(AppengineDocker, ExecWithoutPtyKeepsStreamsApartAndReturnsTheExitCode) {
  auto& testbed = make();
  ASSERT_TRUE(open(testbed));
  const auto r = run(testbed, "echo out; echo err >&2; echo out2; exit 3");
  EXPECT_EQ(r.exit_status, 3);
  EXPECT_FALSE(r.timed_out);
  EXPECT_EQ(r.stdout_data, "out\nout2\n");
  EXPECT_EQ(r.stderr_data, "err\n");
  EXPECT_EQ(run(testbed, "true").exit_status, 0);
  EXPECT_EQ(run(testbed, "exit 125").exit_status, 125);
  EXPECT_EQ(run(testbed, "test -t 1 || echo notty").stdout_data, "notty\n");
}

TEST_F(AppengineDocker, ExitStatus255OfTheCommandIsReportedAs254) {
  auto& testbed = make();
  ASSERT_TRUE(open(testbed));
  // 255 means "the channel failed" (sdk::channel_failure); the command's own 255 is not that.
  EXPECT_EQ(run(testbed, "exit 255").exit_status, 254);
  EXPECT_EQ(run(testbed, "exit 255", true).exit_status, 254);
  EXPECT_EQ(run(testbed, "exit 254").exit_status, 254);
}

TEST_F(AppengineDocker, StdinIsPassedWithoutPty) {
  auto& testbed = make();
  ASSERT_TRUE(open(testbed));
  const std::string input = "first line\nsecond line\nno newline at the end";
  const auto r = run(testbed, "cat", false, input);
  EXPECT_EQ(r.exit_status, 0) << r.stderr_data;
  EXPECT_EQ(r.stdout_data, input);
  const auto count = run(testbed, "wc -c", false, std::string(100000, 'x'));
  EXPECT_EQ(count.stdout_data.substr(count.stdout_data.find_first_not_of(' ')), "100000\n");
}

// The processes in the container whose command line has `marker`, once those that are still
// going away have gone (given 20 s; the answer comes as soon as there are none).
std::string processes_with(sdk::Testbed& testbed, const std::string& marker) {
  sdk::ExecRequest request;
  request.argv = {"sh", "-c", "ps -o pid,args | grep -F " + sh_quote(marker) + " | grep -v grep"};
  request.cwd = "/";
  request.timeout = 60s;
  const auto deadline = std::chrono::steady_clock::now() + 20s;
  for (;;) {
    const std::string found = testbed.exec(request, nullptr).stdout_data;
    if (found.empty() || std::chrono::steady_clock::now() >= deadline) return found;
    std::this_thread::sleep_for(500ms);
  }
}

TEST_F(AppengineDocker, ExecTimeoutKillsTheCommandAndTheTestbedStaysUsable) {
  auto& testbed = make();
  ASSERT_TRUE(open(testbed));
  const auto r = run(testbed, "echo started; exec sleep 3171", false, {}, 3s);
  EXPECT_TRUE(r.timed_out);
  EXPECT_NE(r.exit_status, 0);
  // What it printed before the limit (nothing, on a host too slow to start it by then).
  EXPECT_TRUE(r.stdout_data == "started\n" || r.stdout_data.empty()) << r.stdout_data;
  // The command in the container is gone, not only the engine's client on the host.
  EXPECT_EQ(processes_with(testbed, "sleep 3171"), "") << "still running after the timeout";
  const auto pty = run(testbed, "exec sleep 3172", true, {}, 3s);
  EXPECT_TRUE(pty.timed_out);
  EXPECT_EQ(processes_with(testbed, "sleep 3172"), "") << "still running after the timeout";

  const auto after = run(testbed, "echo still here");
  EXPECT_EQ(after.exit_status, 0);
  EXPECT_FALSE(after.timed_out);
  EXPECT_EQ(after.stdout_data, "still here\n");
  expect_ready(testbed);
}

TEST_F(AppengineDocker, CopiesFilesAndDirectoriesInAndOut) {
  auto& testbed = make();
  ASSERT_TRUE(open(testbed));
  const fs::path host = work_->path() / "host";
  std::string bytes;
  for (int i = 0; i < 3000; ++i) bytes += static_cast<char>(i % 256);  // every byte value
  test_support::write_file(host / "file.bin", bytes);
  test_support::write_file(host / "tree/a/b.txt", "bee\n");
  test_support::write_file(host / "tree/c.txt", "sea\n");

  // A file: to a path whose parent does not exist yet, and back.
  testbed.copy_in((host / "file.bin").string(), "/tmp/in/deeper/file.bin");
  EXPECT_EQ(run(testbed, "wc -c < /tmp/in/deeper/file.bin").stdout_data, "3000\n");
  testbed.copy_out("/tmp/in/deeper/file.bin", (host / "back/file.bin").string());
  EXPECT_EQ(read_text(host / "back/file.bin"), bytes);

  // A directory: both ends in '/', the contents go (not the directory itself).
  testbed.copy_in((host / "tree").string() + "/", "/tmp/dst/");
  const auto listing = run(testbed, "cd /tmp/dst && find . -type f | sort && cat a/b.txt c.txt");
  EXPECT_EQ(listing.stdout_data, "./a/b.txt\n./c.txt\nbee\nsea\n") << listing.stderr_data;
  run(testbed, "echo new > /tmp/dst/a/new.txt");
  testbed.copy_out("/tmp/dst/", (host / "out").string() + "/");
  EXPECT_EQ(read_text(host / "out/a/b.txt"), "bee\n");
  EXPECT_EQ(read_text(host / "out/c.txt"), "sea\n");
  EXPECT_EQ(read_text(host / "out/a/new.txt"), "new\n");
  EXPECT_FALSE(fs::exists(host / "out/dst"));

  // Only one side ending in '/' is a mistake, named before anything is copied.
  EXPECT_THROW(testbed.copy_in((host / "file.bin").string(), "/tmp/x/"), sdk::ConfigError);
  EXPECT_THROW(testbed.copy_in((host / "tree").string() + "/", "/tmp/x"), sdk::ConfigError);
  EXPECT_THROW(testbed.copy_out("/tmp/dst/", (host / "o2").string()), sdk::ConfigError);
  EXPECT_THROW(testbed.copy_out("/tmp/dst", (host / "o3").string() + "/"), sdk::ConfigError);
  EXPECT_EQ(run(testbed, "test -e /tmp/x || echo absent").stdout_data, "absent\n");
  EXPECT_FALSE(fs::exists(host / "o2"));
}

TEST_F(AppengineDocker, RevertGivesAFreshContainerWithEmptyStorage) {
  auto& testbed = make();
  ASSERT_TRUE(open(testbed));
  const std::string before = container_id("pantavisor-tester-0");
  ASSERT_EQ(run(testbed, "echo x > /var/pantavisor/storage/vt-marker && echo y > /root/vt-marker")
                .exit_status,
            0);
  const std::string scratch = testbed.revert();
  EXPECT_EQ(scratch, "/work/vtrun");
  EXPECT_NE(container_id("pantavisor-tester-0"), before);
  const auto r = run(testbed, "ls /var/pantavisor/storage/vt-marker /root/vt-marker");
  EXPECT_NE(r.exit_status, 0) << r.stdout_data;
  EXPECT_EQ(r.stdout_data, "");
  expect_ready(testbed);
  EXPECT_EQ(containers(), std::vector<std::string>{"pantavisor-tester-0"});
}

TEST_F(AppengineDocker, TwoTestbedsGetSlotsZeroAndOneWithTheirPorts) {
  // The default ports (8222 + slot) unless something on this host has them already.
  const bool defaults = port_is_free(8222) && port_is_free(8223);
  const int first = defaults ? 8222 : first_port_;
  if (!defaults) std::cout << "ports 8222/8223 are taken here: checking " << first << "/+1\n";
  const std::vector<std::string> unset =
      defaults ? std::vector<std::string>{"appengine_first_port"} : std::vector<std::string>{};
  auto& a = make({}, unset);
  auto& b = make({}, unset);
  ASSERT_TRUE(open(a));
  ASSERT_TRUE(open(b));
  EXPECT_EQ(run(a, "hostname").stdout_data, "pantavisor-tester-0\n");
  EXPECT_EQ(run(b, "hostname").stdout_data, "pantavisor-tester-1\n");
  auto names = containers();
  std::sort(names.begin(), names.end());
  EXPECT_EQ(names, (std::vector<std::string>{"pantavisor-tester-0", "pantavisor-tester-1"}));
  for (int slot = 0; slot < 2; ++slot) {
    const auto port = engine({"port", "pantavisor-tester-" + std::to_string(slot), "8222"});
    EXPECT_EQ(port.exit_status, 0) << port.stderr_data;
    EXPECT_NE(port.stdout_data.find(":" + std::to_string(first + slot) + "\n"), std::string::npos)
        << "slot " << slot << ": " << port.stdout_data;
    EXPECT_FALSE(slot_is_free(slots_, slot)) << "slot " << slot << " is not held while open";
  }
  expect_ready(a);
  expect_ready(b);

  a.close();
  b.close();
  EXPECT_TRUE(containers().empty()) << lines_of(containers());
  EXPECT_TRUE(slot_is_free(slots_, 0));
  EXPECT_TRUE(slot_is_free(slots_, 1));
  EXPECT_TRUE(open_ledger_entries(ledger_dir()).empty())
      << lines_of(open_ledger_entries(ledger_dir()));
}

TEST_F(AppengineDocker, CloseRemovesTheContainerAndReleasesSlotAndLedger) {
  auto& testbed = make();
  ASSERT_TRUE(open(testbed));
  EXPECT_FALSE(slot_is_free(slots_, 0));
  EXPECT_EQ(open_ledger_entries(ledger_dir()).size(), 1u);
  testbed.close();
  EXPECT_TRUE(containers().empty()) << lines_of(containers());
  EXPECT_TRUE(slot_is_free(slots_, 0));
  EXPECT_TRUE(open_ledger_entries(ledger_dir()).empty())
      << lines_of(open_ledger_entries(ledger_dir()));
  const std::string console = read_text(testbed.console());
  EXPECT_NE(console.find("device stopped"), std::string::npos) << console;
  testbed.close();  // a second close() is harmless
  // And it opens again, in the same slot.
  ASSERT_TRUE(open(testbed));
  EXPECT_EQ(containers(), std::vector<std::string>{"pantavisor-tester-0"});
  expect_ready(testbed);
}

// A run that died leaves its ledger entry behind; the slot, and so the container's name, goes
// to the next run. The dead run's cleanup (what `vtrun gc` executes) must remove only its own.
TEST_F(AppengineDocker, ALedgerCleanupNeverRemovesAnotherRunsContainerOfTheSameName) {
  auto& first = make({{"appengine_bringup", "no"}});
  ASSERT_TRUE(open(first));
  const std::vector<std::string> entries = open_ledger_entries(ledger_dir());
  ASSERT_EQ(entries.size(), 1u);
  const auto cleanup =
      nlohmann::json::parse(entries[0]).at("cleanup").get<std::vector<std::string>>();
  first.close();
  auto& second = make({{"appengine_bringup", "no"}});
  ASSERT_TRUE(open(second));
  ASSERT_EQ(containers(), std::vector<std::string>{"pantavisor-tester-0"});
  sdk::ExecRequest gc;
  gc.argv = cleanup;
  gc.timeout = std::chrono::seconds(60);
  EXPECT_EQ(core::run_process(gc, nullptr).exit_status, 0);
  EXPECT_EQ(containers(), std::vector<std::string>{"pantavisor-tester-0"})
      << "the dead run's cleanup removed the live run's container";
  EXPECT_EQ(run(second, "echo alive").stdout_data, "alive\n");
}

TEST_F(AppengineDocker, ABringUpProbeThatNeverPassesFailsOpenNamingIt) {
  auto& testbed = make({{"appengine_ready_value", "NEVER"}, {"appengine_ready_timeout", "2"}});
  std::string message;
  try {
    testbed.open();
    message = "<no exception>";
  } catch (const sdk::InfrastructureError& e) {
    message = e.what();
  }
  EXPECT_NE(message.find("READY (pantavisor.status)"), std::string::npos) << message;
  EXPECT_NE(message.find("not reached within 2 s"), std::string::npos) << message;
  EXPECT_NE(message.find("expecting 'NEVER'"), std::string::npos) << message;
  EXPECT_NE(message.find("last output: '"), std::string::npos) << message;
  EXPECT_TRUE(containers().empty()) << lines_of(containers());
  EXPECT_TRUE(slot_is_free(slots_, 0));
  EXPECT_TRUE(open_ledger_entries(ledger_dir()).empty())
      << lines_of(open_ledger_entries(ledger_dir()));
  EXPECT_THROW(run(testbed, "true"), sdk::InfrastructureError);
}

TEST_F(AppengineDocker, AMissingImageIsUnavailableWithTheRemedy) {
  auto& testbed = make({{"appengine_image", "vtrun/no-such-image:latest"}});
  const std::string message =
      test_support::error_message<sdk::UnavailableError>([&] { testbed.open(); });
  EXPECT_NE(message.find("vtrun/no-such-image:latest"), std::string::npos) << message;
  EXPECT_NE(message.find("vtrun image build appengine-standin"), std::string::npos) << message;
  EXPECT_TRUE(containers().empty()) << lines_of(containers());
  EXPECT_TRUE(slot_is_free(slots_, 0));
}

TEST_F(AppengineDocker, BringupNoGivesAPlainContainer) {
  auto& testbed = make({{"appengine_bringup", "no"}});
  ASSERT_TRUE(open(testbed));
  EXPECT_EQ(containers(), std::vector<std::string>{"pantavisor-tester-0"});
  const auto r = run(testbed,
                     "pidof pantavisor || echo none; test -e /run/vtrun-launcher.pid || "
                     "echo no-launcher");
  EXPECT_EQ(r.stdout_data, "none\nno-launcher\n");
  const auto devmeta = run(testbed, "pvcontrol devmeta ls");
  EXPECT_NE(devmeta.exit_status, 0);
  EXPECT_NE(devmeta.stderr_data.find("pantavisor is not running"), std::string::npos)
      << devmeta.stderr_data;
  EXPECT_EQ(read_text(testbed.console()).find("[pv-appengine]"), std::string::npos);
}

TEST_F(AppengineDocker, SetupEnvIsInTheContainersEnvironment) {
  auto& testbed = make({{"pvtest_env", "A=1 B=two"}});
  ASSERT_TRUE(open(testbed));
  EXPECT_EQ(run(testbed, "echo \"$A,$B\"").stdout_data, "1,two\n");
  // The runtime got it too: it was started in the same environment.
  const auto r = run(testbed,
                     "tr '\\0' '\\n' < /proc/$(pidof pantavisor)/environ | grep -E "
                     "'^(A|B)=' | sort");
  EXPECT_EQ(r.stdout_data, "A=1\nB=two\n") << r.stderr_data;
}

TEST_F(AppengineDocker, StagingDeploysTheTarballsAndAppliesTheConfig) {
  // A pv-test tree: <root>/local/core/t is the test, <root>/local/common its shared files.
  const fs::path tests = work_->path() / "pvtests";
  const fs::path test_dir = tests / "local/core/t";
  const std::string config = "PV_LOG_LEVEL=3\nPV_VTRUN_MARK=staged\n";
  test_support::write_file(test_dir / "test.json", "{}\n");
  test_support::write_file(test_dir / "pantavisor.config", config);
  test_support::write_file(tests / "local/common/tarballs/x.tgz", "not really a tarball\n");
  auto& testbed = make({{"pvtest_dir", test_dir.string()},
                        {"pvtest_test_path", "local/core/t"},
                        {"pvtest_scope", "local"},
                        {"pvtest_tarballs", "[\"../../common/tarballs/x.tgz\"]"},
                        {"pvtest_pantavisor_config", "pantavisor.config"}});
  const auto scratch = open(testbed);
  ASSERT_TRUE(scratch);
  EXPECT_EQ(*scratch, "/work/local");
  EXPECT_EQ(run(testbed, "cat /var/pantavisor/storage/trails/0/.standin-tarballs").stdout_data,
            "x.tgz\n");
  EXPECT_EQ(run(testbed, "cat /etc/pantavisor-appengine.config").stdout_data, config);
  const auto applied = run(testbed, "pvcontrol config ls");
  EXPECT_NE(applied.stdout_data.find("\"log.level\":\"3\""), std::string::npos)
      << applied.stdout_data;
  EXPECT_NE(applied.stdout_data.find("\"vtrun.mark\":\"staged\""), std::string::npos)
      << applied.stdout_data;
  // The test's files are there, read-only, where test.json's relative paths expect them.
  EXPECT_EQ(run(testbed, "cd /work/local/core/t && cat ../../common/tarballs/x.tgz").stdout_data,
            "not really a tarball\n");
  EXPECT_NE(run(testbed, "touch /work/local/core/t/new").exit_status, 0);
  const auto ls = run(testbed, "pvcontrol ls");
  EXPECT_NE(ls.stdout_data.find("\"name\":\"x\""), std::string::npos) << ls.stdout_data;
}

// ---------------------------------------------------------------------------------------------
// podman: rootful with private storage and state (a containers.conf of our own, as
// shared/notes/virtualization.md §5.2 found it works here: runc, lower ulimits). No network:
// a bridge would add CNI files and firewall rules on the host.

bool exists_now(const fs::path& path) {
  std::error_code ec;
  return fs::exists(path, ec);
}

class AppenginePodman : public AppengineTest {
 protected:
  static void SetUpTestSuite() {
    skip_reason().clear();
    setup_error().clear();
    const auto which =
        core::run_process({{"sh", "-c", "command -v podman"}, {}, "", "", 10s, false}, nullptr);
    if (which.exit_status != 0) {
      skip_reason() = "podman is not installed (apt-get install podman)";
      return;
    }
    if (geteuid() != 0) {
      skip_reason() =
          "the podman tests run podman rootful; they run as uid " + std::to_string(geteuid());
      return;
    }
    had_lock_ = exists_now("/dev/shm/libpod_lock");
    had_var_lib_ = exists_now("/var/lib/containers");
    std::string pattern = "/tmp/vtpm.XXXXXX";
    if (mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp " + pattern);
    root_ = pattern;
    const std::string r = root_.string();
    fs::create_directories(root_ / "net");
    test_support::write_file(root_ / "containers.conf",
                             "[containers]\n"
                             "default_ulimits = [\"nofile=20000:20000\", \"nproc=32768:32768\"]\n"
                             "[network]\n"
                             "network_config_dir = \"" +
                                 r +
                                 "/net\"\n"
                                 "[engine]\n"
                                 "runtime = \"runc\"\n"
                                 "cgroup_manager = \"cgroupfs\"\n"
                                 "events_logger = \"file\"\n"
                                 "events_logfile_path = \"" +
                                 r +
                                 "/events.log\"\n"
                                 "tmp_dir = \"" +
                                 r + "/tmp\"\n");
    if (const char* old = std::getenv("CONTAINERS_CONF")) saved_conf_ = old;
    setenv("CONTAINERS_CONF", (root_ / "containers.conf").c_str(), 1);
    const std::string podman = trim(which.stdout_data);
    engine_ = {podman + " --root " + r + "/root --runroot " + r + "/run",
               {podman, "--root", r + "/root", "--runroot", r + "/run"},
               "none"};
    setup() = &engine_;
  }

  static void TearDownTestSuite() {
    if (setup() != nullptr) {
      engine({"rm", "-a", "-f", "-t", "0"});
      // conmon and anything else that names our directory, then the storage's mounts.
      core::run_process(
          {{"pkill", "-KILL", "-f", "--", root_.string() + "/"}, {}, "", "", 10s, false}, nullptr);
      for (int round = 0; round < 20; ++round) {
        const auto r = core::run_process(
            {{"sh", "-c",
              "awk -v d=" + root_.string() +
                  "/ 'index($5, d) == 1 { print length($5), $5 }' /proc/self/mountinfo | sort -rn "
                  "| cut -d' ' -f2- | while read -r m; do umount -l \"$m\"; echo \"$m\"; done"},
             {},
             "",
             "",
             30s,
             false},
            nullptr);
        if (r.stdout_data.empty()) break;
      }
    }
    setup() = nullptr;
    std::error_code ec;
    if (!root_.empty()) fs::remove_all(root_, ec);
    root_.clear();
    // What podman makes outside --root on first use, removed if it was not there before.
    if (!had_lock_) fs::remove("/dev/shm/libpod_lock", ec);
    if (!had_var_lib_) fs::remove_all("/var/lib/containers", ec);
    if (saved_conf_)
      setenv("CONTAINERS_CONF", saved_conf_->c_str(), 1);
    else
      unsetenv("CONTAINERS_CONF");
    saved_conf_.reset();
  }

  static std::string trim(std::string s) {
    while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
    return s;
  }

  static fs::path root_;
  static bool had_lock_, had_var_lib_;
  static std::optional<std::string> saved_conf_;
  static EngineSetup engine_;
};
fs::path AppenginePodman::root_;
bool AppenginePodman::had_lock_ = true;
bool AppenginePodman::had_var_lib_ = true;
std::optional<std::string> AppenginePodman::saved_conf_;
EngineSetup AppenginePodman::engine_;

TEST_F(AppenginePodman, OpenExecAndClose) {
  auto& testbed = make();
  ASSERT_TRUE(open(testbed));
  expect_ready(testbed);
  EXPECT_EQ(containers(), std::vector<std::string>{"pantavisor-tester-0"});
  EXPECT_NE(read_text(testbed.console()).find("(podman)"), std::string::npos);

  const auto pty = run(testbed, "echo one; echo two >&2; echo three", true);
  EXPECT_EQ(pty.exit_status, 0);
  EXPECT_EQ(pty.stdout_data, "one\r\ntwo\r\nthree\r\n");
  const auto plain = run(testbed, "echo out; echo err >&2; exit 3");
  EXPECT_EQ(plain.exit_status, 3);
  EXPECT_EQ(plain.stdout_data, "out\n");
  EXPECT_EQ(plain.stderr_data, "err\n");
  EXPECT_EQ(run(testbed, "exit 255").exit_status, 254);
  EXPECT_EQ(run(testbed, "cat", false, "via stdin\n").stdout_data, "via stdin\n");

  testbed.close();
  EXPECT_TRUE(containers().empty()) << lines_of(containers());
  EXPECT_TRUE(slot_is_free(slots_, 0));
  EXPECT_TRUE(open_ledger_entries(ledger_dir()).empty())
      << lines_of(open_ledger_entries(ledger_dir()));
}

}  // namespace
}  // namespace vt::appengine
