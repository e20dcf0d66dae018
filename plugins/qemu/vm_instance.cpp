#include "vm_instance.h"

#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <thread>

#include "agent_shell.h"
#include "channels.h"
#include "vt/sdk/error.h"
#include "vt/sdk/files.h"

namespace vt::qemu {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

// QEMU's own stdout/stderr, appended to qemu-<machine>.log in the test's directory.
class FileSink final : public sdk::OutputSink {
 public:
  explicit FileSink(const fs::path& path) : file_(std::fopen(path.c_str(), "ab")) {}
  ~FileSink() override {
    if (file_ != nullptr) std::fclose(file_);
  }
  void on_output(sdk::Stream, std::string_view bytes) override {
    if (file_ == nullptr) return;
    std::fwrite(bytes.data(), 1, bytes.size(), file_);
    std::fflush(file_);
  }

 private:
  std::FILE* file_;
};

// The last lines of a log, for error messages.
std::string tail_of(const fs::path& file, std::size_t lines) {
  std::string text;
  try {
    text = sdk::read_file(file);
  } catch (const std::exception&) {
    return "";
  }
  std::size_t pos = text.size();
  while (pos > 0 && (text[pos - 1] == '\n' || text[pos - 1] == '\r')) --pos;
  std::size_t start = pos;
  for (std::size_t seen = 0; start > 0 && seen < lines; --start)
    if (text[start - 1] == '\n') ++seen;
  return text.substr(start, pos - start);
}

bool instance_alive(void* self) {
  return static_cast<VmInstance*>(self)->alive();
}

}  // namespace

VmInstance::VmInstance(sdk::Host& host, const VmConfig& vm, std::string accel)
    : host_(host), vm_(vm), accel_(std::move(accel)) {
  deadline_ = Clock::now() + vm_.boot_timeout;
  make_runtime_dir();
}

VmInstance::~VmInstance() {
  stop();
  process_.reset();
  if (!process_token_.empty()) host_.ledger().release(process_token_);
  std::error_code ec;
  for (const auto& f : owned_files_) fs::remove(f, ec);
  for (const auto& n : vm_.nics)
    if (!n.local_socket.empty()) fs::remove(n.local_socket, ec);
  if (!dir_.empty()) fs::remove_all(dir_, ec);
  for (auto it = ledger_tokens_.rbegin(); it != ledger_tokens_.rend(); ++it)
    host_.ledger().release(*it);
}

std::string VmInstance::record(const std::string& kind, const std::string& name,
                               std::vector<std::string> cleanup) {
  std::string token = host_.ledger().record({kind, name, std::move(cleanup), std::nullopt});
  ledger_tokens_.push_back(token);
  return token;
}

void VmInstance::make_runtime_dir() {
  paths_.name = "vtrun-qemu-" + random_hex();
  const fs::path dir = fs::temp_directory_path() / paths_.name;
  record("vm-dir", dir.string(), {"rm", "-rf", "--", dir.string()});
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) throw sdk::InfrastructureError("cannot create '" + dir.string() + "': " + ec.message());
  dir_ = dir;
  paths_.qmp_socket = dir_ / "qmp.sock";
  paths_.agent_socket = dir_ / "qga.sock";
  paths_.pidfile = dir_ / "qemu.pid";
}

void VmInstance::make_overlays(const std::vector<fs::path>& backings, const fs::path& where) {
  std::vector<fs::path> made;
  for (std::size_t i = 0; i < vm_.disks.size(); ++i) {
    const DiskSpec& d = vm_.disks[i];
    const fs::path overlay = where / (d.name + "-" + std::to_string(next_overlay_++) + ".qcow2");
    record("overlay", overlay.string(), {"rm", "-f", "--", overlay.string()});
    if (where == dir_) owned_files_.push_back(overlay);
    sdk::ExecRequest req;
    req.argv = {"qemu-img", "create", "-q", "-f", "qcow2"};
    if (!backings[i].empty()) {
      const bool is_layer = backings[i] != d.base;
      req.argv.insert(req.argv.end(), {"-b", backings[i].string(), "-F",
                                       is_layer ? std::string("qcow2") : d.base_format});
      req.argv.push_back(overlay.string());
    } else {
      req.argv.insert(req.argv.end(), {overlay.string(), d.size});
    }
    req.timeout = std::chrono::seconds(60);
    const sdk::ExecResult r = host_.run(req, nullptr);
    if (r.exit_status != 0)
      throw sdk::InfrastructureError("qemu-img create '" + overlay.string() +
                                     "' failed: " + r.stderr_data);
    made.push_back(overlay);
  }
  paths_.overlays = made;
}

void VmInstance::start_process(bool incoming) {
  std::error_code ec;
  for (const auto& n : vm_.nics)
    if (!n.local_socket.empty()) {
      record("socket", n.local_socket.string(), {"rm", "-f", "--", n.local_socket.string()});
      fs::remove(n.local_socket, ec);
    }
  process_token_ = host_.ledger().record(
      {"process", paths_.name, {"pkill", "-KILL", "-f", "--", paths_.name}, std::nullopt});
  if (vm_.channel == "ssh") paths_.ssh_port = free_local_port();
  qemu_log_ = std::make_unique<FileSink>(vm_.qemu_log);
  sdk::ExecRequest req;
  req.argv = qemu_argv(vm_, accel_, paths_, incoming);
  process_ = host_.spawn(req, qemu_log_.get());
  host_.log(sdk::LogLevel::debug, "qemu",
            vm_.machine + ": started QEMU pid " + std::to_string(process_->pid()));
  try {
    qmp_.connect(paths_.qmp_socket, deadline_, &instance_alive, this);
  } catch (const std::exception& e) {
    fail(e.what());
  }
}

bool VmInstance::alive() {
  return process_ && !process_->wait(std::chrono::milliseconds(1)).has_value();
}

std::vector<std::string> VmInstance::shell_command() {
  if (vm_.channel != "ssh") return {};
  return ssh().interactive_argv();
}

bool VmInstance::power_off(std::chrono::seconds timeout) noexcept {
  if (!process_) return true;
  try {
    // busybox's poweroff returns at once and init powers the machine off; QEMU then exits.
    sdk::ExecRequest req{{"poweroff"}, {}, "", "", std::chrono::seconds(10), false};
    const auto r = shell()->exec(req, nullptr);
    if (r.exit_status != 0 && r.exit_status != sdk::channel_failure) return false;
    return process_->wait(std::chrono::duration_cast<std::chrono::milliseconds>(timeout))
        .has_value();
  } catch (const std::exception& e) {
    host_.log(sdk::LogLevel::debug, "qemu", vm_.machine + ": power off: " + e.what());
    return false;
  }
}

void VmInstance::stop() noexcept {
  agent_.shutdown();
  qmp_.shutdown();
  if (process_) process_->kill_tree();
}

void VmInstance::fail(const std::string& what) {
  std::string message = vm_.machine + ": " + what;
  if (const auto log = tail_of(vm_.qemu_log, 5); !log.empty())
    message += "\n  qemu-" + vm_.machine + ".log ends with:\n" + log;
  if (const auto console = tail_of(vm_.console_log, 8); !console.empty())
    message += "\n  " + vm_.console_log.filename().string() + " ends with:\n" + console;
  throw sdk::InfrastructureError(message);
}

void VmInstance::wait_for_agent(bool port_already_open) {
  try {
    // Connected once per QEMU process; a reboot keeps the connection.
    if (!agent_.connected()) agent_.connect(paths_.agent_socket, deadline_, &instance_alive, this);
    // A cold boot: QEMU says when the guest opened the agent's port, so nothing is sent into
    // a closed port. A restored guest has it open already.
    if (!port_already_open &&
        !qmp_.wait_event("VSERPORT_CHANGE", {{"id", "qga0"}, {"open", true}}, deadline_))
      throw sdk::InfrastructureError("the guest agent did not start within " +
                                     std::to_string(vm_.boot_timeout.count()) +
                                     " s (param login_timeout)");
    agent_.sync(deadline_, &instance_alive, this);
  } catch (const std::exception& e) {
    fail(e.what());
  }
}

void VmInstance::wait_for_ssh() {
  for (;;) {
    if (ssh().run("true", "", std::chrono::seconds(20)).exit_status == 0) return;
    if (!alive()) fail("QEMU exited before the guest's sshd answered");
    if (Clock::now() > deadline_)
      fail("the guest's sshd did not answer on 127.0.0.1:" + std::to_string(paths_.ssh_port) +
           " within " + std::to_string(vm_.boot_timeout.count()) + " s (param login_timeout)");
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
}

void VmInstance::wait_for_channel(bool restored) {
  if (vm_.channel == "ssh")
    wait_for_ssh();
  else
    wait_for_agent(restored);
}

SshTarget VmInstance::ssh_target() const {
  return {.address = "127.0.0.1",
          .port = paths_.ssh_port,
          .key = vm_.ssh_key,
          .proxy_command = "",
          .what = "qemu: ssh",
          .control_path = ""};
}

SshShell VmInstance::ssh() {
  return SshShell(host_, ssh_target(), vm_.scratch);
}

std::unique_ptr<Shell> VmInstance::shell() {
  if (vm_.channel == "ssh") return std::make_unique<SshShell>(host_, ssh_target(), vm_.scratch);
  return std::make_unique<AgentShell>(host_, agent_, vm_.scratch);
}

void VmInstance::boot(const fs::path& layer_dir) {
  std::vector<fs::path> backings;
  for (const auto& d : vm_.disks) backings.push_back(d.base);
  make_overlays(backings, layer_dir.empty() ? dir_ : layer_dir);
  start_process(false);
  wait_for_channel(false);
}

void VmInstance::restore(const SavedState& state) {
  try {
    sdk::write_file_atomic(vm_.console_log,
                           sdk::read_file(state.boot_console) +
                               "\n[vtrun: the VM was restored from the state saved after the boot "
                               "above]\n");
  } catch (const std::exception&) {
    // the console copy is a convenience
  }
  make_overlays(state.layers, dir_);
  start_process(true);
  try {
    const int fd = open(state.vmstate.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) throw sdk::InfrastructureError("cannot open '" + state.vmstate.string() + "'");
    try {
      qmp_.send_fd("vmstate", fd, deadline_);
    } catch (...) {
      close(fd);
      throw;
    }
    close(fd);
    qmp_.execute("migrate-incoming", {{"uri", "fd:vmstate"}}, deadline_);
    for (;;) {
      const std::string status =
          qmp_.execute("query-status", json::object(), deadline_).value("status", "");
      if (status == "paused") break;
      if (status != "inmigrate")
        throw sdk::InfrastructureError("restoring the saved state ended in state '" + status + "'");
      if (Clock::now() > deadline_)
        throw sdk::InfrastructureError("restoring the saved state timed out");
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    qmp_.execute("cont", json::object(), deadline_);
  } catch (const sdk::InfrastructureError& e) {
    fail(e.what());
  }
  wait_for_channel(true);
}

SavedState VmInstance::save(const fs::path& dir) {
  SavedState state;
  state.layers = paths_.overlays;
  state.vmstate = dir / "vmstate";
  state.boot_console = dir / "boot-console.log";
  const auto deadline = Clock::now() + std::chrono::seconds(120);
  qmp_.execute("stop", json::object(), deadline);
  // The overlays written so far freeze into layers; the VM goes on in fresh ones.
  json actions = json::array();
  std::vector<fs::path> next;
  for (std::size_t i = 0; i < vm_.disks.size(); ++i) {
    const fs::path overlay =
        dir_ / (vm_.disks[i].name + "-" + std::to_string(next_overlay_++) + ".qcow2");
    record("overlay", overlay.string(), {"rm", "-f", "--", overlay.string()});
    owned_files_.push_back(overlay);
    next.push_back(overlay);
    actions.push_back({{"type", "blockdev-snapshot-sync"},
                       {"data",
                        {{"device", drive_id(vm_, i)},
                         {"snapshot-file", overlay.string()},
                         {"format", "qcow2"},
                         {"mode", "absolute-paths"}}}});
  }
  if (!actions.empty()) qmp_.execute("transaction", {{"actions", actions}}, deadline);
  paths_.overlays = next;
  // The default bandwidth cap (128 MiB/s) would make saving the tiny guest take 0.6 s.
  qmp_.execute("migrate-set-parameters", {{"max-bandwidth", 1LL << 40}}, deadline);
  const fs::path partial = dir / "vmstate.partial";
  const int fd = open(partial.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) throw sdk::InfrastructureError("cannot create '" + partial.string() + "'");
  try {
    qmp_.send_fd("vmstate", fd, deadline);
  } catch (...) {
    close(fd);
    throw;
  }
  close(fd);
  qmp_.execute("migrate", {{"uri", "fd:vmstate"}}, deadline);
  for (;;) {
    const json m = qmp_.execute("query-migrate", json::object(), deadline);
    const std::string status = m.value("status", "");
    if (status == "completed") break;
    if (status == "failed" || status == "cancelled")
      throw sdk::InfrastructureError("saving the VM state failed: " +
                                     m.value("error-desc", status));
    if (Clock::now() > deadline) throw sdk::InfrastructureError("saving the VM state timed out");
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  fs::rename(partial, state.vmstate);
  qmp_.execute("cont", json::object(), deadline);
  std::error_code ec;
  fs::copy_file(vm_.console_log, state.boot_console, fs::copy_options::overwrite_existing, ec);
  return state;
}

void VmInstance::reboot() {
  deadline_ = Clock::now() + vm_.boot_timeout;
  // From inside, so that busybox init syncs and unmounts the scratch disk first.
  if (vm_.channel == "ssh")
    ssh().run("sync; (sleep 0.2; reboot) < /dev/null > /dev/null 2>&1 &", "",
              std::chrono::seconds(30));
  else
    agent_.call("guest-exec", {{"path", "/bin/sh"}, {"arg", {"-c", "sync; reboot"}}});
  if (!qmp_.wait_event("RESET", json::object(), deadline_))
    fail("the guest did not reboot within " + std::to_string(vm_.boot_timeout.count()) + " s");
  wait_for_channel(false);
}

}  // namespace vt::qemu
