#include "qemu_testbed.h"

#include <atomic>

#include "accel.h"
#include "channels.h"
#include "guest_agent.h"
#include "qemu_command.h"
#include "state_store.h"
#include "vm_instance.h"
#include "vt/sdk/error.h"

namespace vt::qemu {

namespace fs = std::filesystem;
using Seconds = std::chrono::duration<double>;

namespace {

std::string seconds_text(Clock::duration d) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f s", std::chrono::duration_cast<Seconds>(d).count());
  return buf;
}

}  // namespace

QemuTestbed::QemuTestbed(sdk::Host& host, const sdk::TestbedSpec& spec)
    : host_(host), spec_(spec), vm_(parse_vm_config(spec)) {
  const AccelChoice& accel = choose_accel();
  accel_ = accel.accel;
  static std::atomic<bool> said{false};
  if (!said.exchange(true)) host_.log(sdk::LogLevel::info, "qemu", "acceleration: " + accel.reason);
  if (vm_.channel == "ssh") {
    auto [key, pub] = StateStore::of(host_).ssh_key();
    vm_.ssh_key = key;
    vm_.kernel_params += " vt.ssh=" + base64_encode(pub);
  }
  state_key_ = state_key(vm_, accel_);
}

QemuTestbed::~QemuTestbed() {
  close();
}

sdk::Capabilities QemuTestbed::capabilities() const {
  return {sdk::cap::revert,
          sdk::cap::revert_full_system,
          sdk::cap::reboot,
          sdk::cap::root_on_testbed,
          sdk::cap::isolation_machine,
          sdk::cap::snapshot,
          sdk::cap::parallel_safe,
          sdk::cap::console};
}

std::shared_ptr<VmInstance> QemuTestbed::start() {
  const auto began = Clock::now();
  const auto deadline = began + vm_.boot_timeout;
  StateStore& store = StateStore::of(host_);
  bool claimed = false;
  std::optional<SavedState> state;
  if (vm_.save_state) state = store.find_or_claim(state_key_, deadline, claimed);

  if (state) {
    try {
      auto instance = std::make_shared<VmInstance>(host_, vm_, accel_);
      instance->restore(*state);
      host_.log(
          sdk::LogLevel::debug, "qemu",
          vm_.machine + ": restored from the saved state in " + seconds_text(Clock::now() - began));
      return instance;
    } catch (const sdk::InfrastructureError& e) {
      host_.log(sdk::LogLevel::warn, "qemu",
                vm_.machine + ": restoring the saved state failed, booting instead: " + e.what());
    }
  }
  auto instance = std::make_shared<VmInstance>(host_, vm_, accel_);
  if (!claimed) {
    instance->boot();
    host_.log(sdk::LogLevel::debug, "qemu",
              vm_.machine + ": booted in " + seconds_text(Clock::now() - began));
    return instance;
  }
  fs::path dir;
  try {
    dir = store.dir_for(state_key_);
    instance->boot(dir);
  } catch (...) {
    store.abandon(state_key_);
    throw;
  }
  const auto booted = Clock::now();
  try {
    store.publish(state_key_, instance->save(dir));
    host_.log(sdk::LogLevel::debug, "qemu",
              vm_.machine + ": booted in " + seconds_text(booted - began) + ", state saved in " +
                  seconds_text(Clock::now() - booted));
  } catch (const sdk::InfrastructureError& e) {
    // A guest whose devices cannot migrate: tests still run, each one boots.
    store.abandon(state_key_);
    host_.log(sdk::LogLevel::warn, "qemu",
              vm_.machine + ": cannot save the VM state, so every open boots: " + e.what());
    instance = std::make_shared<VmInstance>(host_, vm_, accel_);
    instance->boot();
  }
  return instance;
}

std::string QemuTestbed::open() {
  close();
  auto instance = start();
  std::lock_guard lock(mutex_);
  instance_ = std::move(instance);
  return vm_.scratch;
}

std::string QemuTestbed::revert() {
  {
    std::lock_guard lock(mutex_);
    if (!instance_) throw sdk::Error("revert() called on a testbed that is not open");
  }
  close();
  auto instance = start();
  std::lock_guard lock(mutex_);
  instance_ = std::move(instance);
  return vm_.scratch;
}

std::shared_ptr<VmInstance> QemuTestbed::current(const char* what) {
  std::lock_guard lock(mutex_);
  if (!instance_)
    throw sdk::InfrastructureError(std::string(what) + ": the testbed '" + vm_.machine +
                                   "' is not open");
  return instance_;
}

void QemuTestbed::reboot() {
  current("reboot")->reboot();
}

sdk::ExecResult QemuTestbed::exec(const sdk::ExecRequest& request, sdk::OutputSink* sink) {
  std::shared_ptr<VmInstance> instance;
  {
    std::lock_guard lock(mutex_);
    instance = instance_;
  }
  if (!instance) {
    sdk::ExecResult r;
    fail_channel(r, "qemu: the testbed '" + vm_.machine + "' is not open", sink);
    return r;
  }
  return instance->shell()->exec(request, sink);
}

void QemuTestbed::copy_in(const std::string& host_path, const std::string& testbed_path) {
  auto instance = current("copy_in");
  instance->shell()->copy_in(host_path, testbed_path);
}

void QemuTestbed::copy_out(const std::string& testbed_path, const std::string& host_path) {
  auto instance = current("copy_out");
  instance->shell()->copy_out(testbed_path, host_path);
}

fs::path QemuTestbed::console() const {
  std::error_code ec;
  return fs::exists(vm_.console_log, ec) ? vm_.console_log : fs::path();
}

std::string QemuTestbed::identity() const {
  // The state key names everything the machine is made of; the name keeps consoles apart.
  return "qemu " + vm_.machine + " " + state_key_;
}

std::vector<std::string> QemuTestbed::shell_command() const {
  std::shared_ptr<VmInstance> instance;
  {
    std::lock_guard lock(mutex_);
    instance = instance_;
  }
  return instance ? instance->shell_command() : std::vector<std::string>{};
}

void QemuTestbed::shutdown(std::chrono::seconds timeout) noexcept {
  std::shared_ptr<VmInstance> instance;
  {
    std::lock_guard lock(mutex_);
    instance = instance_;
  }
  if (instance && !instance->power_off(timeout))
    host_.log(sdk::LogLevel::info, "qemu",
              vm_.machine + ": did not power off within " + std::to_string(timeout.count()) +
                  " s; killed");
  close();
}

void QemuTestbed::close() noexcept {
  std::shared_ptr<VmInstance> instance;
  {
    std::lock_guard lock(mutex_);
    instance.swap(instance_);
  }
  if (instance) instance->stop();  // commands still running return now; files go with the last user
}

}  // namespace vt::qemu
