// A minimal vtrun backend: the skeleton to start a new one from (docs/sdk.md).
//
// This one runs everything on the host through the Host's process layer, which already gives
// it the core's process-tree kills, pty and output streaming. A real backend replaces the argv
// it builds (`ssh HOST --`, `docker exec`, a guest agent, ...) and the `cp` used by the copies
// (`scp`, `docker cp`, ...), and makes open() start a machine and close() stop it. It passes
// the conformance suite as it is (tests/integration/template_conformance_test.cpp).
//
// Rename `my_backend`, "mybackend" and the vt_add_plugin() name in CMakeLists.txt together.
#include <atomic>
#include <chrono>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "vt/sdk/error.h"
#include "vt/sdk/files.h"
#include "vt/sdk/host.h"
#include "vt/sdk/plugin_entry.h"
#include "vt/sdk/testbed.h"

namespace my_backend {
namespace {

namespace fs = std::filesystem;
namespace sdk = vt::sdk;

// Collects output into the result when exec() got no sink (called from the process's thread).
class CollectingSink final : public sdk::OutputSink {
 public:
  explicit CollectingSink(sdk::ExecResult& result) : result_(result) {}
  void on_output(sdk::Stream stream, std::string_view bytes) override {
    (stream == sdk::Stream::err ? result_.stderr_data : result_.stdout_data).append(bytes);
  }

 private:
  sdk::ExecResult& result_;
};

// A command exec() waits for; close() kills it.
struct Running {
  std::unique_ptr<sdk::Process> process;
  std::atomic<bool> killed_by_close{false};
};

class MyTestbed final : public sdk::Testbed {
 public:
  MyTestbed(sdk::Host& host, sdk::TestbedSpec spec) : host_(host), spec_(std::move(spec)) {}
  ~MyTestbed() override { close(); }

  sdk::Capabilities capabilities() const override { return {sdk::cap::parallel_safe}; }

  std::string open() override {
    std::lock_guard lock(mutex_);
    if (scratch_.empty()) scratch_ = host_.make_scratch_dir("mybackend-" + spec_.machine).string();
    return scratch_;
  }

  std::string revert() override {
    throw sdk::UnavailableError("mybackend cannot revert — use a backend with 'revert'");
  }

  void reboot() override {
    throw sdk::UnavailableError("mybackend cannot reboot — use a backend with 'reboot'");
  }

  // Called from several threads at once, and close() may come while it waits.
  sdk::ExecResult exec(const sdk::ExecRequest& request, sdk::OutputSink* sink) override {
    sdk::ExecResult result;
    CollectingSink collect(result);
    if (sink == nullptr) sink = &collect;
    auto running = std::make_shared<Running>();
    {
      std::lock_guard lock(mutex_);
      require_open("exec");
      sdk::ExecRequest on_host = request;
      if (on_host.cwd.empty()) on_host.cwd = scratch_;
      try {
        running->process = host_.spawn(on_host, sink);
      } catch (const sdk::Error& e) {
        // The command could not start (not found, bad cwd): answer as a shell would.
        sink->on_output(sdk::Stream::err, std::string(e.what()) + "\n");
        result.exit_status = 127;
        return result;
      }
      running_.insert(running);
    }
    std::optional<int> status = running->process->wait(request.timeout);  // 0: no limit
    if (!status) {
      result.timed_out = true;
      running->process->kill_tree();
      status = running->process->wait(std::chrono::milliseconds(0));
    }
    {
      std::lock_guard lock(mutex_);
      running_.erase(running);
    }
    // 255 means "the channel failed" (here: closed under the command); a command's 255 is 254.
    if (running->killed_by_close) {
      result.exit_status = sdk::channel_failure;
    } else {
      result.exit_status = status.value_or(sdk::channel_failure);
      if (result.exit_status == sdk::channel_failure) result.exit_status = 254;
    }
    return result;
  }

  void copy_in(const std::string& host_path, const std::string& testbed_path) override {
    check_open("copy_in");
    copy(host_path, testbed_path);
  }

  void copy_out(const std::string& testbed_path, const std::string& host_path) override {
    check_open("copy_out");
    copy(testbed_path, host_path);
  }

  // Empty: never reused between tests. Return a string naming what the params make (same
  // string, same machine) to let the core keep an open testbed for the next test.
  std::string identity() const override { return {}; }

  std::filesystem::path console() const override { return {}; }

  // Empty: the core offers a line-by-line shell through exec() for --shell-fail.
  std::vector<std::string> shell_command() const override { return {}; }

  void shutdown(std::chrono::seconds) noexcept override { close(); }

  void close() noexcept override {
    std::string scratch;
    std::vector<std::shared_ptr<Running>> running;
    {
      std::lock_guard lock(mutex_);
      if (scratch_.empty()) return;
      scratch.swap(scratch_);
      running.assign(running_.begin(), running_.end());
    }
    for (const auto& r : running) {
      r->killed_by_close = true;
      try {
        r->process->kill_tree();
      } catch (const std::exception& e) {
        host_.log(sdk::LogLevel::warn, "mybackend", std::string("close: ") + e.what());
      }
    }
    std::error_code ec;
    fs::remove_all(scratch, ec);
  }

 private:
  void check_open(const char* operation) const {
    std::lock_guard lock(mutex_);
    require_open(operation);
  }

  void require_open(const char* operation) const {  // with mutex_ held
    if (scratch_.empty())
      throw sdk::InfrastructureError(std::string("mybackend: ") + operation +
                                     " called before open() — open the testbed first");
  }

  // The trailing-slash rule of testbed.h, then one `cp` through the host.
  void copy(const std::string& from, const std::string& to) {
    const bool directory = sdk::check_copy_paths(from, to);
    std::error_code ec;
    if (directory ? !fs::is_directory(from, ec) : !fs::is_regular_file(from, ec))
      throw sdk::Error("copy: '" + from + "' is not " + (directory ? "a directory" : "a file") +
                       " — check the path");
    sdk::ExecRequest request;
    // "$1." copies a directory's contents; -p keeps modes (the executable bit).
    request.argv = {"sh",
                    "-c",
                    directory ? "mkdir -p \"$2\" && cp -Rp \"$1.\" \"$2\""
                              : "mkdir -p \"$(dirname \"$2\")\" && cp -p \"$1\" \"$2\"",
                    "copy",
                    from,
                    to};
    const sdk::ExecResult result = host_.run(request, nullptr);
    if (result.exit_status != 0)
      throw sdk::InfrastructureError("copy from '" + from + "' to '" + to + "' failed (exit " +
                                     std::to_string(result.exit_status) +
                                     "): " + result.stderr_data);
  }

  sdk::Host& host_;  // outlives this testbed (SDK contract)
  sdk::TestbedSpec spec_;
  mutable std::mutex mutex_;  // guards the two below: exec and the copies run concurrently
  std::string scratch_;       // empty while closed
  std::set<std::shared_ptr<Running>> running_;
};

std::unique_ptr<sdk::Testbed> make_testbed(sdk::Host& host, const sdk::TestbedSpec& spec) {
  return std::make_unique<MyTestbed>(host, spec);
}

const sdk::Manifest* manifest() {
  static const sdk::Manifest m{
      "mybackend",
      "0.1.0",
      {{sdk::PluginKind::backend, "mybackend", "a template backend running on the host",
        &make_testbed, nullptr, nullptr}}};
  return &m;
}

}  // namespace
}  // namespace my_backend

VT_PLUGIN_ENTRY(my_backend::manifest)
