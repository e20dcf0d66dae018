#include "dom0.h"

#include <thread>

#include "shell.h"
#include "ssh_shell.h"
#include "vt/sdk/error.h"

namespace vt::xen {

using backend::shell_quote;

Dom0::~Dom0() {
  if (master_) master_->kill_tree();
}

std::vector<std::string> Dom0::ssh_base(bool through_master) const {
  std::vector<std::string> argv = backend::batch_ssh_argv(target_.port, target_.key, 20, 12);
  if (through_master && !control_path_.empty()) {
    // ControlMaster=no: use the master when its socket answers, else connect on our own.
    argv.insert(argv.end(), {"-o", "ControlMaster=no", "-o", "ControlPath=" + control_path_});
  }
  return argv;
}

void Dom0::start_master() {
  if (target_.local || master_) return;
  const auto dir = host_.make_scratch_dir("xen-ssh");
  control_path_ = (dir / "m").string();
  std::vector<std::string> argv = ssh_base(false);
  argv.insert(argv.end(), {"-M", "-N", "-o", "ControlPath=" + control_path_, "-o",
                           "ControlPersist=no", "-T", target_.user + "@" + target_.address});
  sdk::ExecRequest req;
  req.argv = argv;
  master_ = host_.spawn(req, nullptr);
  // Until the socket exists commands connect on their own, so waiting is only an optimisation.
  for (int i = 0; i < 100; ++i) {
    std::error_code ec;
    if (std::filesystem::exists(control_path_, ec)) return;
    if (master_->wait(std::chrono::milliseconds(100))) break;  // it failed: no master
  }
}

sdk::ExecResult Dom0::run(const std::string& script, std::chrono::seconds timeout,
                          const std::string& stdin_data) {
  sdk::ExecRequest req;
  if (target_.local) {
    req.argv = {"sh", "-c", script};
  } else {
    {
      std::lock_guard lock(mutex_);
      start_master();
    }
    req.argv = ssh_base(true);
    req.argv.insert(req.argv.end(),
                    {"-T", target_.user + "@" + target_.address, "sh -c " + shell_quote(script)});
  }
  req.stdin_data = stdin_data;
  req.timeout = timeout;
  try {
    return host_.run(req, nullptr);
  } catch (const sdk::Error& e) {
    sdk::ExecResult r;
    r.stderr_data = e.what();
    return r;
  }
}

std::string Dom0::run_ok(const std::string& what, const std::string& script,
                         std::chrono::seconds timeout) {
  const sdk::ExecResult r = run(script, timeout);
  if (r.exit_status == 0) return r.stdout_data;
  std::string why = r.timed_out ? "timed out after " + std::to_string(timeout.count()) + " s"
                                : "exited " + std::to_string(r.exit_status);
  if (!r.timed_out && r.exit_status == sdk::channel_failure && !target_.local)
    why = "ssh to " + describe() + " failed";
  std::string err = r.stderr_data;
  while (!err.empty() && (err.back() == '\n' || err.back() == '\r')) err.pop_back();
  throw sdk::InfrastructureError("xen: " + what + " in " + describe() + ": " + why +
                                 (err.empty() ? "" : ": " + err));
}

std::vector<std::string> Dom0::standalone_argv(const std::string& script) const {
  if (target_.local) return {"sh", "-c", script};
  std::vector<std::string> argv = ssh_base(false);
  argv.insert(argv.end(),
              {"-T", target_.user + "@" + target_.address, "sh -c " + shell_quote(script)});
  return argv;
}

std::string Dom0::proxy_command() const {
  if (target_.local) return "";
  std::string cmd;
  for (const auto& a : ssh_base(true)) cmd += (cmd.empty() ? "" : " ") + shell_quote(a);
  return cmd + " -W %h:%p " + shell_quote(target_.user + "@" + target_.address);
}

std::string Dom0::describe() const {
  if (target_.local) return "the local dom0";
  return "dom0 " + target_.user + "@" + target_.address + ":" + std::to_string(target_.port);
}

}  // namespace vt::xen
