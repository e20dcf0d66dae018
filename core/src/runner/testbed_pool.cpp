#include "runner/testbed_pool.h"

namespace vt::core {

std::optional<TestbedPool::Idle> TestbedPool::take(const std::string& identity) {
  if (identity.empty()) return std::nullopt;
  std::lock_guard lock(mutex_);
  for (auto it = idle_.begin(); it != idle_.end(); ++it)
    if (it->identity == identity) {
      Idle found = std::move(*it);
      idle_.erase(it);
      return found;
    }
  return std::nullopt;
}

void TestbedPool::put(Idle idle) {
  std::optional<Idle> evicted;
  {
    std::lock_guard lock(mutex_);
    if (capacity_ == 0) {
      evicted = std::move(idle);
    } else {
      if (idle_.size() >= capacity_) {
        evicted = std::move(idle_.front());
        idle_.pop_front();
      }
      idle_.push_back(std::move(idle));
    }
  }
  if (evicted) evicted->testbed->close();  // outside the lock: closing a VM takes a while
}

void TestbedPool::close_all() noexcept {
  std::deque<Idle> all;
  {
    std::lock_guard lock(mutex_);
    all.swap(idle_);
  }
  for (auto& i : all) i.testbed->close();
}

}  // namespace vt::core
