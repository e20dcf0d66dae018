#include "runner/test_stopper.h"

#include <signal.h>

namespace vt::core {

void TestStopper::set_command(pid_t pid) {
  std::lock_guard lock(mutex_);
  pid_ = pid;
  if (stopped_ && pid > 0) kill(-pid, SIGTERM);  // the interrupt came while it was starting
}

void TestStopper::set_testbeds(std::vector<sdk::Testbed*> testbeds) {
  std::lock_guard lock(mutex_);
  testbeds_ = std::move(testbeds);
}

void TestStopper::stop_gently() {
  std::lock_guard lock(mutex_);
  stopped_ = true;
  if (pid_ > 0) {
    kill(-pid_, SIGTERM);
    return;  // its testbeds stay up for its cleanup; they close after it
  }
  for (auto* tb : testbeds_) tb->close();
}

void TestStopper::stop_now() {
  std::lock_guard lock(mutex_);
  stopped_ = true;
  if (pid_ > 0) kill(-pid_, SIGKILL);
  for (auto* tb : testbeds_) tb->close();
}

bool TestStopper::stopped() const {
  std::lock_guard lock(mutex_);
  return stopped_;
}

}  // namespace vt::core
