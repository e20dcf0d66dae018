// Running shell scripts in dom0, where `xl` is: with the host's sh when vtrun runs in dom0, or
// over ssh (`xen_host = ssh://root@host:port`). Over ssh, one master connection per testbed
// carries every command (OpenSSH's ControlMaster): under TCG a fresh handshake costs more than
// most xl calls. The master is a child of vtrun and dies with it.
#pragma once

#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "vt/sdk/host.h"
#include "xen_options.h"

namespace vt::xen {

class Dom0 {
 public:
  Dom0(sdk::Host& host, Dom0Target target) : host_(host), target_(std::move(target)) {}
  ~Dom0();
  Dom0(const Dom0&) = delete;
  Dom0& operator=(const Dom0&) = delete;

  /// Runs `script` with dom0's sh; output collected. Exit 255: the connection failed.
  sdk::ExecResult run(const std::string& script, std::chrono::seconds timeout,
                      const std::string& stdin_data = "");
  /// Like run(), but throws sdk::InfrastructureError naming `what` unless it exits 0; returns
  /// stdout.
  std::string run_ok(const std::string& what, const std::string& script,
                     std::chrono::seconds timeout = std::chrono::seconds(120));

  /// The host command that runs `script` in dom0 without the master connection (for the
  /// ledger, whose cleanup runs after vtrun is gone, and for the guardian).
  std::vector<std::string> standalone_argv(const std::string& script) const;

  /// ssh's ProxyCommand that reaches %h:%p from dom0 (through the master); empty when local.
  std::string proxy_command() const;

  /// "dom0 root@127.0.0.1:2222" or "the local dom0", for messages.
  std::string describe() const;

  const Dom0Target& target() const { return target_; }

 private:
  std::vector<std::string> ssh_base(bool through_master) const;
  void start_master();

  sdk::Host& host_;
  Dom0Target target_;
  std::mutex mutex_;
  std::string control_path_;
  std::unique_ptr<sdk::Process> master_;
};

}  // namespace vt::xen
