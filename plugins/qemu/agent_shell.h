// Testbed::exec, copy_in and copy_out over qemu-guest-agent. guest-exec alone returns output
// only at the end and knows neither cwd, ptys nor process trees, so every command runs under
// the guest's /usr/lib/vtrun/vt-exec (images/tiny): in a session of its own, output into files
// that are read while they grow (streaming), killed as a whole on timeout.
#pragma once

#include <string>

#include "channels.h"
#include "guest_agent.h"

namespace vt::qemu {

class AgentShell final : public Shell {
 public:
  AgentShell(sdk::Host& host, GuestAgent& agent, std::string scratch)
      : host_(host), agent_(agent), scratch_(std::move(scratch)) {}

  sdk::ExecResult exec(const sdk::ExecRequest& request, sdk::OutputSink* sink) override;
  void copy_in(const std::string& host_path, const std::string& guest_path) override;
  void copy_out(const std::string& guest_path, const std::string& host_path) override;

 private:
  sdk::ExecResult run_checked(const std::string& script);  // sh -c; throws on channel failure
  void put_file(const std::string& guest_path, const std::string& data);
  std::string get_file(const std::string& guest_path);
  std::string next_id();

  sdk::Host& host_;
  GuestAgent& agent_;
  std::string scratch_;
};

}  // namespace vt::qemu
