#include "parallel_scheduler.h"

#include "options.h"
#include "plan_graph.h"

namespace vt::schedulers {

ParallelScheduler::ParallelScheduler(const sdk::SchedulerSpec& spec) {
  check_options("parallel", spec.options, {});
}

std::vector<std::size_t> ParallelScheduler::select(const std::vector<sdk::TestInfo>& plan) {
  return all_indices(plan.size());
}

std::vector<std::size_t> ParallelScheduler::order(const std::vector<std::size_t>& ready,
                                                  const sdk::FreeCapacity&) {
  return in_plan_order(ready);
}

void ParallelScheduler::completed(std::size_t, sdk::Status) {}

}  // namespace vt::schedulers
