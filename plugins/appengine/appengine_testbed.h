// A Pantavisor device simulator as a testbed: a privileged container of the tester image (docker
// or podman) in a concurrency slot, with its own storage, the runtime brought up until READY,
// commands through the engine's exec (`-t` for a pty), copies through its cp. Revert is a fresh
// container with empty storage.
#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <set>
#include <string>

#include "appengine_options.h"
#include "vt/sdk/host.h"
#include "vt/sdk/testbed.h"

namespace vt::appengine {

class ContainerEngine;
class ConsoleLog;
class DeviceRuntime;
class DeviceSlot;

class AppengineTestbed final : public sdk::Testbed {
 public:
  /// Throws sdk::ConfigError for bad params.
  AppengineTestbed(sdk::Host& host, sdk::TestbedSpec spec);
  ~AppengineTestbed() override;

  sdk::Capabilities capabilities() const override;
  /// Never reused: every test gets a device of its own, as in Pantavisor's runner.
  std::string identity() const override { return {}; }
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
  struct Running;  // an exec() in progress, killed by close()

  void start_container();
  void remove_container(std::chrono::seconds stop_limit) noexcept;
  std::vector<std::string> container_args() const;
  std::string owner_label() const;
  std::vector<std::string> cleanup_command() const;
  std::string container_name() const;

  sdk::Host& host_;  // outlives this testbed (SDK contract)
  sdk::TestbedSpec spec_;
  DeviceOptions options_;
  std::string scratch_;
  std::filesystem::path storage_, valgrind_dir_, env_file_;
  std::unique_ptr<ContainerEngine> engine_;
  std::unique_ptr<DeviceSlot> slot_;
  std::unique_ptr<ConsoleLog> console_;
  std::unique_ptr<DeviceRuntime> runtime_;
  std::string image_;
  std::string ledger_token_;
  mutable std::mutex mutex_;
  std::atomic<bool> closing_{false};  // set by close() before it waits for mutex_
  bool open_ = false;
  unsigned exec_count_ = 0;  // names each exec's pid file
  unsigned generation_ = 0;  // containers this testbed started (open, revert)
  std::set<std::shared_ptr<Running>> running_;
};

}  // namespace vt::appengine
