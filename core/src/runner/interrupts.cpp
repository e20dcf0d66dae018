// The job's stop requests, raised from signal handlers: plain atomics, nothing else.
#include <atomic>
#include <cstdlib>

#include "vt/core/runner.h"

namespace vt::core {

namespace {
std::atomic<int> interrupts{0};
std::atomic<bool> stop{false};
std::atomic<bool> loop_mode{false};
}  // namespace

void set_loop_mode(bool on) noexcept {
  loop_mode.store(on);
}

void request_termination() noexcept {
  if (loop_mode.load() && !stop.load())
    request_stop();
  else
    request_interrupt();
}

void request_interrupt() noexcept {
  interrupts.fetch_add(1);
  stop.store(true);
}

void request_stop() noexcept {
  stop.store(true);
}

bool interrupt_requested() noexcept {
  return interrupts.load() > 0;
}

bool stop_requested() noexcept {
  return stop.load();
}

int interrupt_count() noexcept {
  return interrupts.load();
}

std::filesystem::path default_lock_dir() {
  if (const char* dir = std::getenv("VTRUN_LOCK_DIR"); dir != nullptr && *dir != '\0') return dir;
  return "/tmp/vtrun-locks";
}

}  // namespace vt::core
