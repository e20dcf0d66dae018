// Starts tests in plan order as soon as the tests they depend on have finished, with a fixed
// number of slots. `sequential` is this with one slot; `parallel` with `-j N`.
#pragma once

#include <vector>

#include "vt/sdk/scheduler.h"

namespace vt::schedulers {

class ReadyQueueScheduler final : public sdk::Scheduler {
 public:
  explicit ReadyQueueScheduler(unsigned slots);

  void begin(const std::vector<sdk::TestInfo>& plan) override;
  unsigned slots() const override { return slots_; }
  std::vector<std::size_t> next(unsigned free_slots) override;
  void completed(std::size_t index, sdk::Status status) override;

 private:
  enum class State { waiting, running, done };
  unsigned slots_;
  std::vector<State> state_;
  // For each test, the plan indices it waits for (unknown ids are the runner's business).
  std::vector<std::vector<std::size_t>> waits_for_;
};

}  // namespace vt::schedulers
