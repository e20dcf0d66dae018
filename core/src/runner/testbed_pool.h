// Open testbeds kept between tests (Avocado-VT keeps a VM alive while its params do not
// change): a test whose machine has the identity of an idle testbed gets that one instead of a
// cold start. Thread-safe; bounded, the oldest idle testbed is closed first.
#pragma once

#include <cstddef>
#include <deque>
#include <mutex>
#include <optional>
#include <string>

#include "vt/core/plugin_registry.h"
#include "vt/sdk/testbed.h"

namespace vt::core {

class TestbedPool {
 public:
  struct Idle {
    std::string identity;
    PluginPtr<sdk::Testbed> testbed;
    std::string scratch;        ///< what open() returned
    std::string last_test;      ///< the test that used it last (for the log)
    bool needs_revert = false;  ///< that test declared it breaks the testbed
  };

  explicit TestbedPool(std::size_t capacity) : capacity_(capacity) {}
  ~TestbedPool() { close_all(); }

  /// An idle testbed with `identity`, if there is one; it is no longer in the pool.
  std::optional<Idle> take(const std::string& identity);
  /// Keeps `idle` for a later test. The oldest idle testbed is closed when the pool is full.
  void put(Idle idle);
  /// Closes every idle testbed.
  void close_all() noexcept;

 private:
  std::size_t capacity_;
  std::mutex mutex_;
  std::deque<Idle> idle_;
};

}  // namespace vt::core
