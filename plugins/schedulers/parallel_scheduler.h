// `parallel` (the core's default): every ready test, in plan order; the core starts as many
// as `-j`, the resource budget and the locks allow.
#pragma once

#include "vt/sdk/scheduler.h"

namespace vt::schedulers {

class ParallelScheduler final : public sdk::Scheduler {
 public:
  /// Takes no options (sdk::ConfigError otherwise).
  explicit ParallelScheduler(const sdk::SchedulerSpec& spec);

  std::vector<std::size_t> select(const std::vector<sdk::TestInfo>& plan) override;
  std::vector<std::size_t> order(const std::vector<std::size_t>& ready,
                                 const sdk::FreeCapacity& free) override;
  void completed(std::size_t index, sdk::Status status) override;
};

}  // namespace vt::schedulers
