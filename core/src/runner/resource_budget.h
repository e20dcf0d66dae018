// The host budget tests' costs are counted against (docs/scheduling.md, "Resources and
// locks"): slots (-j), CPUs and memory.
#pragma once

#include <string>

#include "vt/core/runner.h"
#include "vt/sdk/scheduler.h"

namespace vt::core {

class ResourceBudget {
 public:
  /// -j (0: one per CPU); --max-cpus (0: the machine's CPUs, or -j if larger, so -j N always
  /// allows N one-CPU tests); --max-mem (0: the machine's memory).
  explicit ResourceBudget(const RunOptions& options);

  const sdk::FreeCapacity& total() const noexcept { return total_; }
  sdk::FreeCapacity free() const noexcept;
  /// True when `cost` fits in what is free now. A test whose cost exceeds the whole budget
  /// fits only when nothing else runs (it then runs alone).
  bool fits(const sdk::TestCost& cost) const noexcept;
  bool exceeds_total(const sdk::TestCost& cost) const noexcept;
  void take(const sdk::TestCost& cost) noexcept;
  void give_back(const sdk::TestCost& cost) noexcept;
  /// "2 slots, 4 CPUs, 23936 MiB", for the log.
  std::string describe() const;

 private:
  sdk::FreeCapacity total_;
  sdk::FreeCapacity used_;
};

}  // namespace vt::core
