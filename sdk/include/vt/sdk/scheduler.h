// The scheduler interface: which planned tests a job runs and in which order they start.
// The core owns the loop, the slots (`-j`), the resource budget, the locks and the
// dependencies; a scheduler only chooses (docs/scheduling.md).
//
// Threading: called from the core's scheduling thread only.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "vt/sdk/types.h"

namespace vt::sdk {

struct SchedulerSpec {
  unsigned jobs = 1;       ///< `-j N`: slots the user allows
  std::uint64_t seed = 0;  ///< `--seed`, recorded in job.json: the same seed gives the same order
  /// `--scheduler-option KEY=VALUE`, plus what dedicated options set: `shard` (`--shard i/N`),
  /// `slow` ("yes" with `--slow`). Unknown keys are the scheduler's to refuse (ConfigError).
  Params options;
};

/// What the host can still give to tests that start now.
struct FreeCapacity {
  unsigned slots = 0;
  unsigned cpus = 0;
  std::uint64_t mem_mib = 0;
};

class Scheduler {
 public:
  virtual ~Scheduler();

  /// Receives the plan (indices below refer to it; dependencies come before their
  /// dependents). Returns the tests this job runs; the rest are not part of it, and
  /// `vtrun list` shows the same choice. Called once. Throws ConfigError for bad options.
  virtual std::vector<std::size_t> select(const std::vector<TestInfo>& plan) = 0;

  /// Called whenever tests can start: `ready` holds selected tests not started yet whose
  /// dependencies have finished, in plan order. Returns the ones to start, in the order to
  /// start them; the core starts them in that order while slots, budget and locks allow, and
  /// asks again after the next change. Returning none while no test runs ends the job (tests
  /// never returned are reported as SKIP, "not scheduled").
  virtual std::vector<std::size_t> order(const std::vector<std::size_t>& ready,
                                         const FreeCapacity& free) = 0;

  /// A test finished with `status` (after its retries).
  virtual void completed(std::size_t index, Status status) = 0;
};

}  // namespace vt::sdk
