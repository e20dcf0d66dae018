// One running QEMU process and its files: runtime directory, overlays, sockets, the QMP and
// guest-agent connections. Every file and the process are in the resource ledger before they
// exist; the destructor kills QEMU (SIGKILL on its tree) and removes them all.
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "channels.h"
#include "guest_agent.h"
#include "qemu_command.h"
#include "qmp_client.h"
#include "state_store.h"
#include "vm_config.h"
#include "vt/sdk/host.h"

namespace vt::qemu {

class VmInstance {
 public:
  VmInstance(sdk::Host& host, const VmConfig& vm, std::string accel);
  ~VmInstance();
  VmInstance(const VmInstance&) = delete;
  VmInstance& operator=(const VmInstance&) = delete;

  /// Boots from the kernel / images. With `layer_dir`, the disk overlays are made there (they
  /// become a saved state's layers). Returns when the guest agent answers.
  void boot(const std::filesystem::path& layer_dir = {});
  /// Starts from a saved state instead of booting.
  void restore(const SavedState& state);
  /// Saves RAM and devices to `dir` and freezes the current overlays as layers (the VM goes on
  /// in new overlays). The VM is paused for the duration (~0.1 s for the tiny guest).
  SavedState save(const std::filesystem::path& dir);
  /// Reboots the guest (from inside, so its disks are synced) and waits for the agent.
  void reboot();

  /// The channel commands go through (the agent, or ssh with `channel = ssh`).
  std::unique_ptr<Shell> shell();
  /// An interactive shell on the guest for a person (ssh with `channel = ssh`), else empty.
  std::vector<std::string> shell_command();
  /// Powers the guest off from inside and waits at most `timeout` for QEMU to exit. False when
  /// it did not (the caller then stop()s it).
  bool power_off(std::chrono::seconds timeout) noexcept;
  /// Makes running agent calls fail at once and kills QEMU; the files go with the destructor.
  void stop() noexcept;
  bool alive();

 private:
  void make_runtime_dir();
  void make_overlays(const std::vector<std::filesystem::path>& backings,
                     const std::filesystem::path& where);
  void start_process(bool incoming);
  void wait_for_agent(bool port_already_open);
  void wait_for_ssh();
  SshTarget ssh_target() const;
  SshShell ssh();
  void wait_for_channel(bool restored);
  [[noreturn]] void fail(const std::string& what);
  std::string record(const std::string& kind, const std::string& name,
                     std::vector<std::string> cleanup);

  sdk::Host& host_;
  const VmConfig& vm_;
  std::string accel_;
  Clock::time_point deadline_;  // of the boot, restore or reboot being waited for
  std::filesystem::path dir_;
  InstancePaths paths_;
  std::vector<std::string> ledger_tokens_;
  std::vector<std::filesystem::path> owned_files_;  // removed in the destructor
  std::unique_ptr<sdk::OutputSink> qemu_log_;
  std::unique_ptr<sdk::Process> process_;
  std::string process_token_;
  QmpClient qmp_;
  GuestAgent agent_;
  unsigned next_overlay_ = 0;
};

}  // namespace vt::qemu
