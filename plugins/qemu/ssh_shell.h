// Testbed::exec, copy_in and copy_out over ssh, for guests that run an sshd (param
// `channel = ssh`; the tiny guest starts dropbear when the kernel command line carries a key).
// The host's `ssh` reaches the guest through a user-net port forward on 127.0.0.1. Commands run
// under the guest's /usr/lib/vtrun/vt-ssh-exec, which gives them a session of their own and
// kills it at the timeout: ssh alone would leave a remote command running.
#pragma once

#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

#include "shell.h"

namespace vt::qemu {

struct SshTarget {
  int port = 0;               ///< host port forwarded to the guest's 22
  std::filesystem::path key;  ///< private key authorised in the guest
};

class SshShell final : public Shell {
 public:
  SshShell(sdk::Host& host, SshTarget target, std::string scratch)
      : host_(host), target_(std::move(target)), scratch_(std::move(scratch)) {}

  sdk::ExecResult exec(const sdk::ExecRequest& request, sdk::OutputSink* sink) override;
  void copy_in(const std::string& host_path, const std::string& guest_path) override;
  void copy_out(const std::string& guest_path, const std::string& host_path) override;

  /// Runs `script` with the guest's sh; output collected. Exit 255: ssh failed.
  sdk::ExecResult run(const std::string& script, const std::string& stdin_data = "",
                      std::chrono::seconds timeout = std::chrono::seconds(300));

  /// The ssh command line for an interactive login shell with a terminal (Testbed's
  /// shell_command): what a person types to reach the guest.
  std::vector<std::string> interactive_argv() const;

 private:
  std::vector<std::string> ssh_argv(bool pty) const;

  sdk::Host& host_;
  SshTarget target_;
  std::string scratch_;
};

/// A free TCP port on 127.0.0.1 (for QEMU's hostfwd).
int free_local_port();

}  // namespace vt::qemu
