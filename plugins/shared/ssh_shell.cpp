#include "ssh_shell.h"

#include "host_files.h"
#include "vt/sdk/error.h"
#include "vt/sdk/files.h"

namespace vt::backend {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

std::vector<std::string> batch_ssh_argv(int port, const fs::path& key, int connect_timeout_s,
                                        int alive_count) {
  return {"ssh",
          "-F",
          "/dev/null",
          "-p",
          std::to_string(port),
          "-i",
          key.string(),
          "-o",
          "IdentitiesOnly=yes",
          "-o",
          "BatchMode=yes",
          "-o",
          "StrictHostKeyChecking=no",
          "-o",
          "UserKnownHostsFile=/dev/null",
          "-o",
          "LogLevel=ERROR",
          "-o",
          "ConnectTimeout=" + std::to_string(connect_timeout_s),
          "-o",
          "ServerAliveInterval=5",
          "-o",
          "ServerAliveCountMax=" + std::to_string(alive_count)};
}

// The master connection for one command, if it is free: released when the command ends.
class SshShell::MasterTurn {
 public:
  explicit MasterTurn(SshShell& shell) : shell_(shell) {
    bool free = false;
    taken_ = !shell.target_.control_path.empty() &&
             shell.master_busy_.compare_exchange_strong(free, true);
  }
  ~MasterTurn() {
    if (taken_) shell_.master_busy_ = false;
  }
  MasterTurn(const MasterTurn&) = delete;
  MasterTurn& operator=(const MasterTurn&) = delete;
  bool taken() const { return taken_; }

 private:
  SshShell& shell_;
  bool taken_ = false;
};

std::vector<std::string> SshShell::ssh_argv(bool pty, bool shared) const {
  std::vector<std::string> argv = batch_ssh_argv(target_.port, target_.key, 10, 6);
  argv.push_back(pty ? "-tt" : "-T");
  if (!target_.proxy_command.empty()) {
    argv.push_back("-o");
    argv.push_back("ProxyCommand=" + target_.proxy_command);
  }
  if (shared && !target_.control_path.empty()) {
    // ControlMaster=no: share the master while its socket answers, else connect on our own
    argv.insert(argv.end(),
                {"-o", "ControlMaster=no", "-o", "ControlPath=" + target_.control_path});
  }
  argv.push_back("root@" + target_.address);
  return argv;
}

std::vector<std::string> SshShell::master_argv() const {
  std::vector<std::string> argv = ssh_argv(false, true);
  for (auto& a : argv)
    if (a == "ControlMaster=no") a = "ControlMaster=yes";
  argv.insert(argv.end() - 1, {"-N", "-o", "ControlPersist=no"});
  return argv;
}

sdk::ExecResult SshShell::run(const std::string& script, const std::string& stdin_data,
                              std::chrono::seconds timeout) {
  const MasterTurn turn(*this);
  sdk::ExecRequest req;
  req.argv = ssh_argv(false, turn.taken());
  req.argv.push_back("/bin/sh -c " + shell_quote(script));
  req.stdin_data = stdin_data;
  req.timeout = timeout;
  return host_.run(req, nullptr);
}

std::vector<std::string> SshShell::interactive_argv() const {
  // its own connection: the master carries the tests' commands
  std::vector<std::string> argv = ssh_argv(true, false);
  // A person answers prompts; batch mode would refuse them.
  for (auto& a : argv)
    if (a == "BatchMode=yes") a = "BatchMode=no";
  return argv;
}

sdk::ExecResult SshShell::exec(const sdk::ExecRequest& request, sdk::OutputSink* sink) {
  if (request.argv.empty()) throw sdk::ConfigError("cannot run an empty command");
  std::string remote =
      "env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/root";
  // OpenSSH's client sends the modes of its own terminal for the remote one, and without a
  // terminal of its own (ours is a pipe) an all-zero set: no output processing, so no CR before
  // LF. `stty sane` gives the terminal a real one's defaults, as the agent's `script` has.
  if (request.pty) remote = "stty sane 2>/dev/null; " + remote + " TERM=linux";
  for (const auto& [k, v] : request.env) remote += " " + shell_quote(k + "=" + v);
  remote += " /usr/lib/vtrun/vt-ssh-exec " +
            shell_quote(request.cwd.empty() ? scratch_ : request.cwd) + " " +
            std::to_string(request.timeout.count()) + " --";
  for (const auto& a : request.argv) remote += " " + shell_quote(a);
  const MasterTurn turn(*this);
  sdk::ExecRequest req;
  req.argv = ssh_argv(request.pty, turn.taken());
  req.argv.push_back(remote);
  req.stdin_data = request.stdin_data;
  // The guest ends the command at its timeout; this one only bounds a hung connection.
  if (request.timeout.count() > 0) req.timeout = request.timeout + std::chrono::seconds(15);
  const auto started = Clock::now();
  sdk::ExecResult r;
  try {
    r = host_.run(req, sink);
  } catch (const sdk::Error& e) {
    fail_channel(r, target_.what + ": cannot run ssh: " + e.what(), sink);
    return r;
  }
  // Only the guest knows that its watchdog fired; what the host sees is a command killed by a
  // signal once the limit has passed. Elapsed time alone would also count ssh's handshake, and
  // call a command that ended by itself just before its limit timed out.
  const bool killed = r.exit_status > 128 && r.exit_status < 128 + 65;
  if (request.timeout.count() > 0 && Clock::now() - started >= request.timeout && killed)
    r.timed_out = true;
  if (r.timed_out && r.exit_status == sdk::channel_failure) r.exit_status = 137;
  return r;
}

void SshShell::copy_in(const std::string& host_path, const std::string& guest_path) {
  if (sdk::check_copy_paths(host_path, guest_path)) {
    const auto r =
        run("mkdir -p " + shell_quote(guest_path) + " && tar -xf - -C " + shell_quote(guest_path),
            pack_host_dir(host_, host_path));
    if (r.exit_status != 0)
      throw sdk::InfrastructureError("unpacking into '" + guest_path +
                                     "' failed: " + r.stderr_data);
    return;
  }
  const std::string mode = host_file_mode(host_path);
  const std::string parent = fs::path(guest_path).parent_path().string();
  const auto r =
      run((parent.empty() ? "" : "mkdir -p " + shell_quote(parent) + " && ") + "cat > " +
              shell_quote(guest_path) + " && chmod " + mode + " " + shell_quote(guest_path),
          sdk::read_file(host_path));
  if (r.exit_status != 0)
    throw sdk::InfrastructureError("copying to '" + guest_path + "' failed: " + r.stderr_data);
}

void SshShell::copy_out(const std::string& guest_path, const std::string& host_path) {
  if (sdk::check_copy_paths(guest_path, host_path)) {
    auto r = run("cd " + shell_quote(guest_path) + " && tar -cf - .");
    if (r.exit_status == sdk::channel_failure)
      throw sdk::InfrastructureError("ssh failed: " + r.stderr_data);
    if (r.exit_status != 0)
      throw sdk::ConfigError("copy_out: '" + guest_path +
                             "' is not a directory on the guest: " + r.stderr_data);
    unpack_into_host_dir(host_, std::move(r.stdout_data), host_path);
    return;
  }
  const auto mode =
      run("test -f " + shell_quote(guest_path) + " && stat -c %a " + shell_quote(guest_path));
  if (mode.exit_status == sdk::channel_failure)
    throw sdk::InfrastructureError("ssh failed: " + mode.stderr_data);
  if (mode.exit_status != 0)
    throw sdk::ConfigError("copy_out: '" + guest_path + "' is not a regular file on the guest");
  const auto data = run("cat " + shell_quote(guest_path));
  if (data.exit_status != 0)
    throw sdk::InfrastructureError("reading '" + guest_path + "' failed: " + data.stderr_data);
  write_host_file(host_path, data.stdout_data, mode.stdout_data);
}

}  // namespace vt::backend
