// Testbed::exec, copy_in and copy_out over ssh, for guests that run an sshd (the tiny guest
// starts dropbear when the kernel command line carries a key). The host's `ssh` reaches the
// guest directly (qemu: a user-net port forward on 127.0.0.1) or through a jump host (xen: the
// guest sits on a bridge in dom0, reached with a ProxyCommand through dom0). Commands run
// under the guest's /usr/lib/vtrun/vt-ssh-exec, which gives them a session of their own and
// kills it at the timeout: ssh alone would leave a remote command running.
#pragma once

#include <atomic>
#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

#include "shell.h"

namespace vt::backend {

struct SshTarget {
  std::string address = "127.0.0.1";  ///< the guest's address as ssh (or the proxy) sees it
  int port = 22;                      ///< its sshd's port
  std::filesystem::path key;          ///< private key authorised in the guest
  std::string proxy_command;          ///< ssh's ProxyCommand (%h:%p); empty: connect directly
  std::string what = "ssh";           ///< prefix of channel-failure messages ("qemu: ssh")
  std::string control_path;           ///< an OpenSSH master's socket to share; empty: none
};

/// `ssh` for scripts: no config file, this key only, no prompts, no host-key checks (test
/// machines get new keys every boot), errors only, and keep-alives that end a dead connection
/// after 5 s × `alive_count`.
std::vector<std::string> batch_ssh_argv(int port, const std::filesystem::path& key,
                                        int connect_timeout_s, int alive_count);

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

  /// The command of a master connection for `target_.control_path` (ssh -M -N), which later
  /// commands share while its socket answers, one at a time; each connects on its own otherwise.
  std::vector<std::string> master_argv() const;

 private:
  class MasterTurn;
  /// With `shared`, through the master connection (when there is one).
  std::vector<std::string> ssh_argv(bool pty, bool shared) const;

  sdk::Host& host_;
  SshTarget target_;
  std::string scratch_;
  // Dropbear (2022.8x, the tiny guest's) drops a connection that carries two sessions at once
  // now and then, and every session on it fails with 255: the master carries one command at a
  // time, and commands that come while it is busy connect on their own.
  std::atomic<bool> master_busy_{false};
};

}  // namespace vt::backend
