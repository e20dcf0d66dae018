// `priority`: higher TestInfo::priority starts first, ties in plan order. Slow tests are left
// out unless `slow=yes` (what `--slow` sets), except those a selected test needs.
#pragma once

#include "vt/sdk/scheduler.h"

namespace vt::schedulers {

class PriorityScheduler final : public sdk::Scheduler {
 public:
  /// Option: `slow` (yes/no, default no). Throws sdk::ConfigError for others or bad values.
  explicit PriorityScheduler(const sdk::SchedulerSpec& spec);

  /// Every test when `slow=yes`; otherwise the tests that are not slow plus the slow tests
  /// they depend on (transitively), so that no selected test loses a dependency.
  std::vector<std::size_t> select(const std::vector<sdk::TestInfo>& plan) override;
  std::vector<std::size_t> order(const std::vector<std::size_t>& ready,
                                 const sdk::FreeCapacity& free) override;
  void completed(std::size_t index, sdk::Status status) override;

 private:
  bool slow_;
  std::vector<int> priority_;  // by plan index, from select()
};

}  // namespace vt::schedulers
