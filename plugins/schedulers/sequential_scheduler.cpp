#include "sequential_scheduler.h"

#include <algorithm>

#include "options.h"
#include "plan_graph.h"

namespace vt::schedulers {

SequentialScheduler::SequentialScheduler(const sdk::SchedulerSpec& spec)
    : jobs_(std::max(1u, spec.jobs)) {
  check_options("sequential", spec.options, {});
}

std::vector<std::size_t> SequentialScheduler::select(const std::vector<sdk::TestInfo>& plan) {
  return all_indices(plan.size());
}

std::vector<std::size_t> SequentialScheduler::order(const std::vector<std::size_t>& ready,
                                                    const sdk::FreeCapacity& free) {
  // The core frees a slot only when a test ends, so fewer free slots than `-j` means one runs.
  if (ready.empty() || free.slots < jobs_) return {};
  return {*std::min_element(ready.begin(), ready.end())};
}

void SequentialScheduler::completed(std::size_t, sdk::Status) {}

}  // namespace vt::schedulers
