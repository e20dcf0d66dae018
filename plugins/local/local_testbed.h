// The host itself as a testbed: commands run directly on this machine, copies are file copies.
// Nothing can be reverted, so tests that need isolation are SKIPped by their requirements.
#pragma once

#include <memory>
#include <mutex>
#include <set>
#include <string>

#include "vt/sdk/host.h"
#include "vt/sdk/testbed.h"

namespace vt::local {

class LocalTestbed final : public sdk::Testbed {
 public:
  LocalTestbed(sdk::Host& host, sdk::TestbedSpec spec);
  ~LocalTestbed() override;

  sdk::Capabilities capabilities() const override;
  std::string open() override;
  std::string revert() override;
  void reboot() override;
  sdk::ExecResult exec(const sdk::ExecRequest& request, sdk::OutputSink* sink) override;
  void copy_in(const std::string& host_path, const std::string& testbed_path) override;
  void copy_out(const std::string& testbed_path, const std::string& host_path) override;
  /// Every local testbed is the same host: always reusable.
  std::string identity() const override { return "local"; }
  std::filesystem::path console() const override { return {}; }
  std::vector<std::string> shell_command() const override;
  /// The host is not powered off: the same as close().
  void shutdown(std::chrono::seconds) noexcept override { close(); }
  void close() noexcept override;

 private:
  struct Running;  // a command exec() is waiting for

  void require_open(const char* operation) const;  // call with mutex_ held

  sdk::Host& host_;  // outlives this testbed (SDK contract)
  sdk::TestbedSpec spec_;
  // exec and the copies run on several threads at once, and close() may come from yet another
  // one while they run (the runner ends vtctl's commands that way).
  mutable std::mutex mutex_;
  std::filesystem::path scratch_;               // empty while closed
  std::set<std::shared_ptr<Running>> running_;  // commands to kill on close()
};

}  // namespace vt::local
