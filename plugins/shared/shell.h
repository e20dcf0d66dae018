// What a backend runs commands and copies files through (qemu-guest-agent, ssh), the same
// contract as Testbed::exec / copy_in / copy_out, and the small helpers every channel needs.
// Code here is linked statically into each backend that uses it: it is no part of the SDK and
// makes no ABI promise.
#pragma once

#include <string>

#include "vt/sdk/host.h"
#include "vt/sdk/types.h"

namespace vt::backend {

class Shell {
 public:
  virtual ~Shell() = default;
  /// Never throws for a broken channel: that is exit status 255.
  virtual sdk::ExecResult exec(const sdk::ExecRequest& request, sdk::OutputSink* sink) = 0;
  virtual void copy_in(const std::string& host_path, const std::string& guest_path) = 0;
  virtual void copy_out(const std::string& guest_path, const std::string& host_path) = 0;
};

/// Makes `result` a channel failure (exit status 255) and reports `message` as the command's
/// stderr: to `sink` when there is one, else into the result.
void fail_channel(sdk::ExecResult& result, const std::string& message, sdk::OutputSink* sink);

/// A random 64-bit value in hex, for names that must not collide (runtime directories).
std::string random_hex();

/// `word` quoted for sh: 'it'\''s'.
std::string shell_quote(const std::string& word);

/// A free TCP port on 127.0.0.1 (for a port forward).
int free_local_port();

}  // namespace vt::backend
