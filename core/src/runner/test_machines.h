// The testbeds of one test attempt: made, taken from the pool or opened, started on first use
// when `start_vm = no`, and after the test closed, powered off, kept for the next test or
// reverted, as its params say (runner/vm_lifecycle.h).
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <mutex>
#include <string>
#include <vector>

#include "runner/testbed_pool.h"
#include "vt/core/core_host.h"
#include "vt/core/plugin_registry.h"
#include "vt/sdk/testbed.h"

namespace vt::core {

class TestMachines {
 public:
  struct Machine {
    std::string name;
    sdk::Params params;  ///< object params of this machine
    std::string identity;
    PluginPtr<sdk::Testbed> testbed;
    std::string scratch;  ///< valid once opened
    bool opened = false;
    bool reused = false;  ///< came from the pool
    std::filesystem::path console;
    std::uintmax_t console_start = 0;  ///< size of the console when the test began
  };

  using Note = std::function<void(const std::string&)>;

  TestMachines(const PluginRegistry& registry, CoreHost& host, TestbedPool& pool,
               std::string backend, std::string test_id, Note note);
  ~TestMachines();  // closes whatever is still open

  /// Makes a testbed object per machine of `params`. Throws what the backend throws.
  void make(const sdk::Params& params, const std::filesystem::path& logdir);
  /// The first capability in `required` that some machine lacks, with what it has; empty when
  /// every machine has all.
  std::string missing_capability(const std::vector<std::string>& required) const;
  /// Takes kept testbeds or opens new ones (`start_vm = no`: left for start()). Throws on
  /// failure.
  void open_all();
  /// Opens machine `name` if it is not open yet (the control server's first use).
  void start(const std::string& name);

  std::vector<Machine>& machines() noexcept { return machines_; }
  Machine& main() { return machines_.front(); }

  /// The console bytes machine `m` produced since the test began.
  std::string console_since_start(const Machine& m) const;
  /// Copies each reused machine's console part into `logdir` (console.log for the first,
  /// console-<name>.log for the others): a fresh testbed already writes it there.
  void save_consoles(const std::filesystem::path& logdir) const;

  /// After the test: per machine, by its params after the `_on_error` rule — kept in the pool
  /// (`kill_vm = no`), marked for a revert (`breaks_testbed`), powered off
  /// (`kill_vm_gracefully`) or closed. `broken`: never kept (an ERROR, an interrupt, or a
  /// command vtctl started is still running on it).
  void release(bool test_failed, bool broken);
  /// Closes every testbed now (the test timed out or was interrupted). Thread-safe.
  void close_all() noexcept;
  /// Hands the open testbeds over (--keep-testbed); this object no longer closes them.
  std::vector<Machine> take_all();

 private:
  void open_one(Machine& m);  // call with mutex_ held

  const PluginRegistry& registry_;
  CoreHost& host_;
  TestbedPool& pool_;
  std::string backend_;
  std::string test_id_;
  Note note_;
  std::mutex mutex_;  // start() comes from control-server threads
  std::vector<Machine> machines_;
};

}  // namespace vt::core
