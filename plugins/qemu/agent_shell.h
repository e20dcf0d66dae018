// Testbed::exec, copy_in and copy_out over qemu-guest-agent. guest-exec alone returns output
// only at the end and knows neither cwd, ptys nor process trees, so every command runs under
// the guest's /usr/lib/vtrun/vt-exec (images/tiny): in a session of its own, output into files
// that are read while they grow (streaming), killed as a whole on timeout.
#pragma once

#include <string>

#include "guest_agent.h"
#include "vt/sdk/host.h"
#include "vt/sdk/types.h"

namespace vt::qemu {

class AgentShell {
 public:
  AgentShell(GuestAgent& agent, std::string scratch) : agent_(agent), scratch_(std::move(scratch)) {}

  /// Never throws for a broken channel: that is exit status 255.
  sdk::ExecResult exec(const sdk::ExecRequest& request, sdk::OutputSink* sink);
  void copy_in(const std::string& host_path, const std::string& guest_path, sdk::Host& host);
  void copy_out(const std::string& guest_path, const std::string& host_path, sdk::Host& host);

 private:
  sdk::ExecResult run_checked(const std::string& script);  // sh -c; throws on channel failure
  void put_file(const std::string& guest_path, const std::string& data);
  std::string get_file(const std::string& guest_path);
  std::string next_id();

  GuestAgent& agent_;
  std::string scratch_;
};

}  // namespace vt::qemu
