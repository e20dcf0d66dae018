// The scheduler interface: decides which planned tests start next and how many run at once.
// The core owns the loop: it asks `next()` whenever slots are free and reports completions.
//
// Threading: called from the core's scheduling thread only.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "vt/sdk/types.h"

namespace vt::sdk {

struct SchedulerSpec {
  unsigned jobs = 1;       ///< `-j N`: slots the user allows (0 = one per CPU)
  std::uint64_t seed = 0;  ///< for schedulers that shuffle
};

class Scheduler {
 public:
  virtual ~Scheduler();

  /// Receives the plan (in plan order; indices below refer to it). Called once.
  virtual void begin(const std::vector<TestInfo>& plan) = 0;

  /// How many tests may run at the same time.
  virtual unsigned slots() const = 0;

  /// Indices of tests to start now, at most `free_slots` of them. Returning none while no test
  /// is running ends the job; tests never returned are reported as SKIP ("not scheduled").
  virtual std::vector<std::size_t> next(unsigned free_slots) = 0;

  /// A test started by `next()` finished with `status`.
  virtual void completed(std::size_t index, Status status) = 0;
};

}  // namespace vt::sdk
