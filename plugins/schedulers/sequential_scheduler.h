// `sequential`: one test at a time, in plan order, whatever `-j` says.
#pragma once

#include "vt/sdk/scheduler.h"

namespace vt::schedulers {

class SequentialScheduler final : public sdk::Scheduler {
 public:
  /// Takes no options (sdk::ConfigError otherwise).
  explicit SequentialScheduler(const sdk::SchedulerSpec& spec);

  std::vector<std::size_t> select(const std::vector<sdk::TestInfo>& plan) override;
  /// The first ready test, and none while a test runs (fewer free slots than `-j`).
  std::vector<std::size_t> order(const std::vector<std::size_t>& ready,
                                 const sdk::FreeCapacity& free) override;
  void completed(std::size_t index, sdk::Status status) override;

 private:
  unsigned jobs_;
};

}  // namespace vt::schedulers
