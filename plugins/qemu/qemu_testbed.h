// The qemu backend's Testbed: one QEMU virtual machine per testbed, driven through QMP and
// qemu-guest-agent. open() boots it (or restores the job's saved state of the same guest),
// revert() replaces it by a fresh instance from that state, close() kills it.
#pragma once

#include <memory>
#include <mutex>
#include <string>

#include "vm_config.h"
#include "vt/sdk/host.h"
#include "vt/sdk/testbed.h"

namespace vt::qemu {

class VmInstance;

class QemuTestbed final : public sdk::Testbed {
 public:
  /// Throws sdk::ConfigError for bad params, sdk::UnavailableError when the guest image or
  /// QEMU is missing.
  QemuTestbed(sdk::Host& host, const sdk::TestbedSpec& spec);
  ~QemuTestbed() override;

  sdk::Capabilities capabilities() const override;
  std::string open() override;
  std::string revert() override;
  void reboot() override;
  sdk::ExecResult exec(const sdk::ExecRequest& request, sdk::OutputSink* sink) override;
  void copy_in(const std::string& host_path, const std::string& testbed_path) override;
  void copy_out(const std::string& testbed_path, const std::string& host_path) override;
  std::string identity() const override;
  std::filesystem::path console() const override;
  std::vector<std::string> shell_command() const override;
  void shutdown(std::chrono::seconds timeout) noexcept override;
  void close() noexcept override;

 private:
  std::shared_ptr<VmInstance> start();
  std::shared_ptr<VmInstance> current(const char* what);

  sdk::Host& host_;
  sdk::TestbedSpec spec_;
  VmConfig vm_;
  std::string accel_;
  std::string state_key_;
  mutable std::mutex mutex_;
  std::shared_ptr<VmInstance> instance_;  // shared with exec calls still running
};

}  // namespace vt::qemu
