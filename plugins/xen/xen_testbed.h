// The xen backend's Testbed: one Xen guest per testbed, made with `xl` in a dom0 (local or over
// ssh), reached over ssh through dom0, its disk a device-mapper snapshot. open() boots the
// guest (or restores the job's saved image of it), revert() replaces it by a fresh restore
// over a fresh copy of the disk, close() destroys it. A guardian process in dom0 destroys the
// guest if vtrun dies.
#pragma once

#include <memory>
#include <mutex>
#include <string>

#include "dom0.h"
#include "dom0_scripts.h"
#include "ssh_shell.h"
#include "vt/sdk/host.h"
#include "vt/sdk/testbed.h"
#include "xen_options.h"

namespace vt::xen {

class ConsoleFile;

class XenTestbed final : public sdk::Testbed {
 public:
  /// Throws sdk::ConfigError for bad params.
  XenTestbed(sdk::Host& host, const sdk::TestbedSpec& spec);
  ~XenTestbed() override;

  sdk::Capabilities capabilities() const override;
  std::string identity() const override;
  std::string open() override;
  std::string revert() override;
  void reboot() override;
  sdk::ExecResult exec(const sdk::ExecRequest& request, sdk::OutputSink* sink) override;
  void copy_in(const std::string& host_path, const std::string& testbed_path) override;
  void copy_out(const std::string& testbed_path, const std::string& host_path) override;
  std::filesystem::path console() const override;
  std::vector<std::string> shell_command() const override;
  void shutdown(std::chrono::seconds timeout) noexcept override;
  void close() noexcept override;

 private:
  // Cold boot or restore into the open run directory; after a cold boot, saves the guest for
  // warm starts when `may_save`.
  void start_guest(bool may_save = true);
  void wait_for_ssh(std::chrono::seconds timeout);
  void clean_scratch();
  std::shared_ptr<backend::SshShell> shell(const char* what);

  sdk::Host& host_;
  sdk::TestbedSpec spec_;
  XenOptions options_;
  std::string public_key_;
  std::unique_ptr<Dom0> dom0_;
  DomainFiles files_;
  int slot_ = -1;
  std::string saved_key_;
  std::string ledger_token_;
  std::unique_ptr<ConsoleFile> console_;
  std::unique_ptr<sdk::Process> guardian_;
  std::unique_ptr<sdk::Process> console_tail_;
  std::unique_ptr<sdk::Process> guest_master_;  // the guest's ssh master, per guest instance
  std::filesystem::path control_dir_;
  unsigned masters_ = 0;
  mutable std::mutex mutex_;
  std::shared_ptr<backend::SshShell> shell_;  // shared with exec calls still running
};

}  // namespace vt::xen
