// --keep-testbed: the testbeds of failing tests stay up after the job, reachable with vtctl
// through a control socket of their own, until the person stops vtrun.
#pragma once

#include <filesystem>
#include <memory>
#include <mutex>
#include <ostream>
#include <string>
#include <vector>

#include "runner/control_server.h"
#include "runner/test_machines.h"

namespace vt::core {

class KeptTestbeds {
 public:
  explicit KeptTestbeds(sdk::Host& host) : host_(host) {}
  ~KeptTestbeds() { close_all(); }

  /// Takes over `machines` (open testbeds of test `test_id`) and serves them on `socket`.
  void keep(const std::string& test_id, std::vector<TestMachines::Machine> machines,
            const std::filesystem::path& socket);
  bool empty() const;
  /// Says how to reach each kept testbed, then waits until `stop()` returns true.
  void hold(std::ostream& out, bool (*stop)());
  void close_all() noexcept;

 private:
  struct Kept {
    std::string test_id;
    std::vector<TestMachines::Machine> machines;
    std::unique_ptr<ControlServer> server;
  };
  sdk::Host& host_;
  mutable std::mutex mutex_;
  std::vector<Kept> kept_;
};

}  // namespace vt::core
