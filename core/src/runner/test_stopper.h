// What the job loop needs to end a running test from outside (an interrupt): its host command
// and its testbeds. Thread-safe.
#pragma once

#include <sys/types.h>

#include <mutex>
#include <vector>

#include "vt/sdk/testbed.h"

namespace vt::core {

class TestStopper {
 public:
  /// The test's host-side command runs as `pid` (a session leader); 0 when none runs.
  void set_command(pid_t pid);
  /// The testbeds the test uses; empty once they are released.
  void set_testbeds(std::vector<sdk::Testbed*> testbeds);

  /// First interrupt: the host command's session gets SIGTERM so it can clean up; a command
  /// running on a testbed ends with its testbed, which is closed.
  void stop_gently();
  /// Second interrupt: the host command's session gets SIGKILL, every testbed is closed.
  void stop_now();

  bool stopped() const;

 private:
  mutable std::mutex mutex_;
  pid_t pid_ = 0;
  std::vector<sdk::Testbed*> testbeds_;
  bool stopped_ = false;
};

}  // namespace vt::core
