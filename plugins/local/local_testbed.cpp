#include "local_testbed.h"

#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <optional>
#include <vector>

#include "vt/sdk/error.h"
#include "vt/sdk/files.h"

namespace vt::local {

namespace fs = std::filesystem;

namespace {

void copy_local(const std::string& from, const std::string& to) {
  std::error_code ec;
  if (sdk::check_copy_paths(from, to)) {
    if (!fs::is_directory(from, ec))
      throw sdk::ConfigError("copy: '" + from + "' is not a directory");
    fs::create_directories(to, ec);
    fs::copy(from, to,
             fs::copy_options::recursive | fs::copy_options::overwrite_existing |
                 fs::copy_options::copy_symlinks,
             ec);
  } else {
    if (!fs::is_regular_file(from, ec))
      throw sdk::ConfigError("copy: '" + from + "' is not a regular file");
    const fs::path dest(to);
    if (dest.has_parent_path()) fs::create_directories(dest.parent_path(), ec);
    fs::copy_file(from, to, fs::copy_options::overwrite_existing, ec);
  }
  if (ec) throw sdk::InfrastructureError("copy '" + from + "' to '" + to + "': " + ec.message());
}

// Collects a command's output into its result when the caller gave no sink. Called from the
// process's pump thread only; the result is read after Process::wait() returned.
class CollectingSink final : public sdk::OutputSink {
 public:
  explicit CollectingSink(sdk::ExecResult& result) : result_(result) {}
  void on_output(sdk::Stream stream, std::string_view bytes) override {
    (stream == sdk::Stream::err ? result_.stderr_data : result_.stdout_data).append(bytes);
  }

 private:
  sdk::ExecResult& result_;
};

}  // namespace

struct LocalTestbed::Running {
  std::unique_ptr<sdk::Process> process;
  std::atomic<bool> killed_by_close{false};
};

LocalTestbed::LocalTestbed(sdk::Host& host, sdk::TestbedSpec spec)
    : host_(host), spec_(std::move(spec)) {}

LocalTestbed::~LocalTestbed() {
  close();
}

sdk::Capabilities LocalTestbed::capabilities() const {
  sdk::Capabilities caps{sdk::cap::parallel_safe};
  if (geteuid() == 0) caps.insert(sdk::cap::root_on_testbed);
  return caps;
}

std::string LocalTestbed::open() {
  std::lock_guard lock(mutex_);
  if (scratch_.empty()) scratch_ = host_.make_scratch_dir("local-" + spec_.machine);
  return scratch_.string();
}

std::string LocalTestbed::revert() {
  throw sdk::UnavailableError(
      "the local testbed cannot revert: it is the host itself — "
      "use a backend with the 'revert' capability (qemu, appengine)");
}

void LocalTestbed::reboot() {
  throw sdk::UnavailableError("the local testbed cannot reboot: it is the host itself");
}

void LocalTestbed::require_open(const char* operation) const {
  if (scratch_.empty())
    throw sdk::InfrastructureError(std::string("local testbed: ") + operation +
                                   " called before open()");
}

// Spawned rather than run, so that close() can kill what is still running.
sdk::ExecResult LocalTestbed::exec(const sdk::ExecRequest& request, sdk::OutputSink* sink) {
  sdk::ExecResult result;
  CollectingSink collect(result);
  auto running = std::make_shared<Running>();
  {
    std::lock_guard lock(mutex_);
    require_open("exec");
    sdk::ExecRequest req = request;
    if (req.cwd.empty()) req.cwd = scratch_.string();
    try {
      running->process = host_.spawn(req, sink != nullptr ? sink : &collect);
    } catch (const sdk::Error& e) {
      // Like a shell on any other testbed: a command that cannot start exits 127.
      const std::string message = std::string(e.what()) + "\n";
      if (sink != nullptr)
        sink->on_output(sdk::Stream::err, message);
      else
        result.stderr_data = message;
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
  if (running->killed_by_close) {
    const std::string message = "local testbed: closed while the command ran\n";
    if (sink != nullptr)
      sink->on_output(sdk::Stream::err, message);
    else
      result.stderr_data += message;
    result.exit_status = sdk::channel_failure;
    return result;
  }
  result.exit_status = status.value_or(sdk::channel_failure);
  if (result.exit_status == sdk::channel_failure) result.exit_status = 254;
  return result;
}

void LocalTestbed::copy_in(const std::string& host_path, const std::string& testbed_path) {
  {
    std::lock_guard lock(mutex_);
    require_open("copy_in");
  }
  copy_local(host_path, testbed_path);
}

void LocalTestbed::copy_out(const std::string& testbed_path, const std::string& host_path) {
  {
    std::lock_guard lock(mutex_);
    require_open("copy_out");
  }
  copy_local(testbed_path, host_path);
}

std::vector<std::string> LocalTestbed::shell_command() const {
  std::lock_guard lock(mutex_);
  if (scratch_.empty()) return {};
  const char* shell = std::getenv("SHELL");
  // `cd` first: a shell started by the core gets the scratch directory as its cwd this way.
  return {"sh",
          "-c",
          "cd \"$1\" && exec \"$2\" -i",
          "sh",
          scratch_.string(),
          shell != nullptr && *shell != '\0' ? shell : "/bin/sh"};
}

void LocalTestbed::close() noexcept {
  fs::path scratch;
  std::vector<std::shared_ptr<Running>> running;
  {
    std::lock_guard lock(mutex_);
    if (scratch_.empty()) return;
    scratch.swap(scratch_);
    running.assign(running_.begin(), running_.end());
  }
  // Their exec() calls return channel_failure: the testbed went away under them.
  for (const auto& r : running) {
    r->killed_by_close = true;
    try {
      r->process->kill_tree();
    } catch (const std::exception& e) {
      host_.log(sdk::LogLevel::warn, "local", std::string("close: ") + e.what());
    }
  }
  std::error_code ec;
  fs::remove_all(scratch, ec);
}

}  // namespace vt::local
