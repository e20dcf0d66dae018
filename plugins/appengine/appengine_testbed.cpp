#include "appengine_testbed.h"

#include <unistd.h>

#include <atomic>
#include <cstdint>
#include <cstdlib>
#include <fstream>

#include "container_engine.h"
#include "device_runtime.h"
#include "device_slot.h"
#include "vt/sdk/error.h"
#include "vt/sdk/files.h"

namespace vt::appengine {

namespace fs = std::filesystem;
using std::chrono::seconds;

namespace {

class CollectingSink final : public sdk::OutputSink {
 public:
  explicit CollectingSink(sdk::ExecResult& result) : result_(result) {}
  void on_output(sdk::Stream stream, std::string_view bytes) override {
    (stream == sdk::Stream::err ? result_.stderr_data : result_.stdout_data).append(bytes);
  }

 private:
  sdk::ExecResult& result_;
};

std::string parent_of(const std::string& path) {
  const auto slash = path.find_last_of('/');
  return slash == std::string::npos || slash == 0 ? "/" : path.substr(0, slash);
}

std::string without_slash(std::string path) {
  while (path.size() > 1 && path.back() == '/') path.pop_back();
  return path;
}

}  // namespace

struct AppengineTestbed::Running {
  std::unique_ptr<sdk::Process> process;
  std::atomic<bool> killed_by_close{false};
};

AppengineTestbed::AppengineTestbed(sdk::Host& host, sdk::TestbedSpec spec)
    : host_(host), spec_(std::move(spec)), options_(parse_device_options(spec_.params)) {
  scratch_ = "/work/" + (options_.scope.empty() ? std::string("vtrun") : options_.scope);
}

AppengineTestbed::~AppengineTestbed() {
  close();
}

sdk::Capabilities AppengineTestbed::capabilities() const {
  return {sdk::cap::revert,          sdk::cap::revert_full_system,
          sdk::cap::root_on_testbed, sdk::cap::isolation_container,
          sdk::cap::parallel_safe,   sdk::cap::console};
}

std::string AppengineTestbed::container_name() const {
  return "pantavisor-tester-" + std::to_string(slot_->index());
}

std::string AppengineTestbed::open() {
  std::lock_guard lock(mutex_);
  closing_ = false;
  if (open_) return scratch_;
  try {
    engine_ = std::make_unique<ContainerEngine>(host_, options_.engine);
    image_ = engine_->ensure_image(options_.image);
    engine_->ensure_network(options_.network, options_.slot_dir / "pv_appengine.network.lock");
    slot_ = std::make_unique<DeviceSlot>(options_.slot_dir);
    fs::create_directories(spec_.log_dir);
    console_ = std::make_unique<ConsoleLog>(spec_.log_dir / "console.log");
    start_container();
    open_ = true;
  } catch (...) {
    remove_container(seconds(5));
    slot_.reset();
    throw;
  }
  return scratch_;
}

// The slot's name is reused by the next run: the label says which container is this one's.
std::string AppengineTestbed::owner_label() const {
  return "vtrun.owner=" + std::to_string(::getpid()) + "-" +
         std::to_string(reinterpret_cast<std::uintptr_t>(this)) + "-" + std::to_string(generation_);
}

// What `vtrun gc` runs if vtrun dies: removes this container (by its label, never another
// run's of the same name), from the same daemon (DOCKER_HOST / CONTAINER_HOST as now).
std::vector<std::string> AppengineTestbed::cleanup_command() const {
  std::vector<std::string> argv{"env"};
  for (const char* var : {"DOCKER_HOST", "CONTAINER_HOST", "CONTAINERS_CONF"})
    if (const char* value = std::getenv(var)) argv.push_back(std::string(var) + "=" + value);
  argv.insert(argv.end(), {"sh", "-c",
                           "ids=$(\"$@\" ps -aq --filter label=" + owner_label() +
                               ") || exit 1; [ -z \"$ids\" ] || \"$@\" rm -f $ids",
                           "vtrun-gc"});
  const auto& engine = engine_->command();
  argv.insert(argv.end(), engine.begin(), engine.end());
  return argv;
}

std::vector<std::string> AppengineTestbed::container_args() const {
  const std::string name = container_name();
  std::vector<std::string> args{"run",        "-d", "--name",  name,
                                "--hostname", name, "--label", owner_label()};
  for (std::size_t i = 0; i < options_.run_args.size(); ++i) {
    const std::string& arg = options_.run_args[i];
    // A device the host lacks would stop the engine; test.docker.sh's hosts all have them.
    if (arg == "--device" && i + 1 < options_.run_args.size() &&
        options_.run_args[i + 1].find(':') == std::string::npos &&
        !fs::exists(options_.run_args[i + 1])) {
      ++i;
      continue;
    }
    args.push_back(arg);
  }
  if (!options_.network.empty()) args.insert(args.end(), {"--network", options_.network});
  if (options_.network != "none")
    args.insert(args.end(), {"-p", std::to_string(options_.first_port + slot_->index()) + ":8222"});
  if (!options_.test_path.empty() && !options_.test_dir.empty()) {
    const std::string inside = "/work/" + options_.test_path;
    args.insert(args.end(), {"-v", options_.test_dir.string() + ":" + inside + ":ro"});
    const fs::path common = (options_.test_dir / "../../common").lexically_normal();
    if (fs::is_directory(common))
      args.insert(
          args.end(),
          {"-v", common.string() + ":" +
                     (fs::path(inside) / "../../common").lexically_normal().string() + ":ro"});
  }
  args.insert(args.end(), {"-v", storage_.string() + ":/var/pantavisor/storage", "-v",
                           valgrind_dir_.string() + ":/tmp/valgrind", "--env-file",
                           env_file_.string(), "-e", "PH_USER", "-e", "PH_PASS"});
  args.insert(args.end(), options_.extra_run_args.begin(), options_.extra_run_args.end());
  // docker's -w creates the scratch directory, where commands run by default (an exec less);
  // podman's does not (start_container makes it).
  if (engine_->name() == "docker") args.insert(args.end(), {"-w", scratch_});
  args.insert(args.end(), {"--entrypoint", "sh", image_, "-c", options_.idle_command});
  return args;
}

// Called with mutex_ held. A fresh container with empty storage: open() and revert().
void AppengineTestbed::start_container() {
  ++generation_;
  storage_ = spec_.log_dir / "storage";
  valgrind_dir_ = spec_.log_dir / "valgrind";
  env_file_ = spec_.log_dir / "container.env";
  fs::remove_all(storage_);
  fs::create_directories(storage_);
  fs::create_directories(valgrind_dir_);
  // What test.docker.sh puts in the tester's environment, then setup.env.
  std::string env =
      "TEST_PATH=" + options_.test_path +
      "\nINTERACTIVE=false\nMANUAL=" + (options_.manual ? "true" : "false") +
      "\nVERBOSE=false\nNETSIM=false\nVALGRIND=" + (options_.valgrind ? "true" : "false") +
      "\nPVR_DISABLE_SELF_UPGRADE=true\n"
      "PV_LOG_SERVER_OUTPUTS=filetree,stdout_direct\n";
  for (const std::string& pair : options_.env) env += pair + "\n";
  sdk::write_file_atomic(env_file_, env);

  const std::string name = container_name();
  // We hold the slot, so a container of this name is what a killed run left.
  engine_->run({"rm", "-f", name}, seconds(60));
  ledger_token_ = host_.ledger().record({"container", name, cleanup_command(), std::nullopt});
  console_->line("INFO",
                 "starting container " + name + " of " + image_ + " (" + engine_->name() + ")");
  engine_->check(container_args(), "start the device container '" + name + "'", seconds(300));
  if (engine_->name() != "docker")
    engine_->check({"exec", name, "mkdir", "-p", scratch_},
                   "create '" + scratch_ + "' in the device");
  if (!options_.bringup) return;
  runtime_ = std::make_unique<DeviceRuntime>(host_, *engine_, name, options_, *console_, closing_);
  if (options_.self_claim &&
      (std::getenv("PH_USER") == nullptr || std::getenv("PH_PASS") == nullptr))
    throw sdk::InfrastructureError(
        "appengine: setup.self-claim is \"true\" but PH_USER and PH_PASS are not set — export "
        "the Pantahub credentials, as for Pantavisor's runner");
  if (options_.self_claim)
    throw sdk::UnavailableError(
        "appengine: setup.self-claim (claiming the device on Pantahub) is not supported: vtrun "
        "never reaches the network from tests");
  runtime_->stage();
  if (!options_.manual) runtime_->start();
}

void AppengineTestbed::remove_container(seconds stop_limit) noexcept {
  if (runtime_) {
    runtime_->stop(stop_limit);
    runtime_.reset();
  }
  if (!engine_ || !slot_ || ledger_token_.empty()) return;
  try {
    const auto r = engine_->run({"rm", "-f", container_name()}, seconds(120));
    if (r.exit_status == 0) {
      host_.ledger().release(ledger_token_);
      ledger_token_.clear();
    } else {
      host_.log(sdk::LogLevel::warn, "appengine",
                "cannot remove container " + container_name() + ": " + r.stderr_data +
                    " (vtrun gc will retry)");
    }
  } catch (const std::exception& e) {
    host_.log(sdk::LogLevel::warn, "appengine", e.what());
  }
  if (console_) console_->line("INFO", "container " + container_name() + " removed");
}

std::string AppengineTestbed::revert() {
  std::lock_guard lock(mutex_);
  if (!open_) throw sdk::InfrastructureError("appengine: revert() called before open()");
  remove_container(seconds(0));
  try {
    start_container();
  } catch (...) {
    remove_container(seconds(5));
    open_ = false;
    slot_.reset();
    throw;
  }
  return scratch_;
}

void AppengineTestbed::reboot() {
  throw sdk::UnavailableError("appengine: reboot is not supported (no 'reboot' capability)");
}

sdk::ExecResult AppengineTestbed::exec(const sdk::ExecRequest& request, sdk::OutputSink* sink) {
  sdk::ExecResult result;
  CollectingSink collect(result);
  auto running = std::make_shared<Running>();
  std::string name, pid_file;
  {
    std::lock_guard lock(mutex_);
    if (!open_) throw sdk::InfrastructureError("appengine: exec() called before open()");
    std::vector<std::string> argv = engine_->command();
    argv.push_back("exec");
    // -t: a pty inside the container, as `script` gives pvtest-run: stdout and stderr merge
    // in order and lines end in CR LF. Input then cannot be piped, so -i only without it.
    if (request.pty)
      argv.push_back("-t");
    else if (!request.stdin_data.empty())
      argv.push_back("-i");
    argv.insert(argv.end(), {"-w", request.cwd.empty() ? scratch_ : request.cwd});
    for (const auto& [key, value] : request.env) argv.insert(argv.end(), {"-e", key + "=" + value});
    name = container_name();
    argv.push_back(name);
    // The command runs under a shell that records its pid, so that a timeout can end it: the
    // engine's client is not its parent, and killing the client leaves it running.
    pid_file = "/tmp/.vtrun-exec." + std::to_string(++exec_count_) + ".pid";
    argv.insert(argv.end(), {"sh", "-c", "echo $$ > " + pid_file + "; exec \"$@\"", "vtrun-exec"});
    argv.insert(argv.end(), request.argv.begin(), request.argv.end());
    sdk::ExecRequest host_request{argv,       {},   "", request.pty ? "" : request.stdin_data,
                                  seconds(0), false};
    running->process = host_.spawn(host_request, sink != nullptr ? sink : &collect);
    running_.insert(running);
  }
  std::optional<int> status = running->process->wait(request.timeout);
  if (!status) {
    result.timed_out = true;
    running->process->kill_tree();
    // The command and everything it started, found through the parent pids in /proc.
    engine_->shell(name,
                   "tree() { echo \"$1\"; for c in $(awk -v p=\"$1\" '$4 == p { print $1 }' "
                   "/proc/[0-9]*/stat 2>/dev/null); do tree \"$c\"; done; }; "
                   "p=$(cat " +
                       pid_file +
                       " 2>/dev/null) && kill -KILL $(tree \"$p\") 2>/dev/null; "
                       "rm -f " +
                       pid_file,
                   {}, seconds(30));
    status = running->process->wait(std::chrono::milliseconds(0));
  }
  {
    std::lock_guard lock(mutex_);
    running_.erase(running);
  }
  if (running->killed_by_close) {
    result.exit_status = sdk::channel_failure;
    return result;
  }
  result.exit_status = status.value_or(sdk::channel_failure);
  if (result.exit_status == sdk::channel_failure) result.exit_status = 254;
  return result;
}

void AppengineTestbed::copy_in(const std::string& host_path, const std::string& testbed_path) {
  const bool dir = sdk::check_copy_paths(host_path, testbed_path);
  std::string name;
  {
    std::lock_guard lock(mutex_);
    if (!open_) throw sdk::InfrastructureError("appengine: copy_in() called before open()");
    name = container_name();
  }
  const std::vector<std::string> copy{
      "cp", dir ? host_path + "." : host_path,
      name + ":" + (dir ? without_slash(testbed_path) + "/" : testbed_path)};
  // Usually the parent exists (each docker exec costs ~0.2 s): create it only when needed.
  if (engine_->run(copy, seconds(600)).exit_status == 0) return;
  const std::string target = dir ? without_slash(testbed_path) : parent_of(testbed_path);
  const auto made = engine_->run({"exec", name, "mkdir", "-p", target}, seconds(60));
  if (made.exit_status != 0)
    throw sdk::InfrastructureError("appengine: cannot create '" + target +
                                   "' in the device: " + made.stderr_data);
  engine_->check(copy, "copy '" + host_path + "' into the device", seconds(600));
}

void AppengineTestbed::copy_out(const std::string& testbed_path, const std::string& host_path) {
  const bool dir = sdk::check_copy_paths(testbed_path, host_path);
  std::string name;
  {
    std::lock_guard lock(mutex_);
    if (!open_) throw sdk::InfrastructureError("appengine: copy_out() called before open()");
    name = container_name();
  }
  std::error_code ec;
  fs::create_directories(dir ? fs::path(host_path) : fs::path(host_path).parent_path(), ec);
  engine_->check(
      {"cp", name + ":" + (dir ? testbed_path + "." : testbed_path), dir ? host_path : host_path},
      "copy '" + testbed_path + "' out of the device", seconds(600));
}

std::filesystem::path AppengineTestbed::console() const {
  std::lock_guard lock(mutex_);
  return console_ ? console_->path() : fs::path();
}

std::vector<std::string> AppengineTestbed::shell_command() const {
  std::lock_guard lock(mutex_);
  if (!open_) return {};
  std::vector<std::string> argv = engine_->command();
  argv.insert(argv.end(), {"exec", "-it", "-w", scratch_, container_name(), "bash"});
  return argv;
}

void AppengineTestbed::shutdown(std::chrono::seconds timeout) noexcept {
  std::lock_guard lock(mutex_);
  remove_container(timeout);
  open_ = false;
  slot_.reset();
}

void AppengineTestbed::close() noexcept {
  closing_ = true;  // a bring-up in open() or revert() gives up and releases mutex_
  std::lock_guard lock(mutex_);
  const bool busy = !running_.empty();
  for (const auto& r : running_) {
    r->killed_by_close = true;
    r->process->kill_tree();
  }
  // With commands still running (a test timed out) the device goes at once; otherwise it is
  // powered off as pvtest-run's stop_pv does, so valgrind and storage see a clean stop.
  remove_container(busy ? seconds(1) : seconds(0));
  open_ = false;
  slot_.reset();
  closing_ = false;
}

}  // namespace vt::appengine
