#include "priority_scheduler.h"

#include <algorithm>

#include "options.h"
#include "plan_graph.h"

namespace vt::schedulers {

PriorityScheduler::PriorityScheduler(const sdk::SchedulerSpec& spec) {
  check_options("priority", spec.options, {"slow"});
  slow_ = yes_no_option("priority", spec.options, "slow", false);
}

std::vector<std::size_t> PriorityScheduler::select(const std::vector<sdk::TestInfo>& plan) {
  priority_.clear();
  for (const auto& test : plan) priority_.push_back(test.priority);
  if (slow_) return all_indices(plan.size());

  const auto deps = dependency_indices(plan);
  std::vector<bool> keep(plan.size(), false);
  std::vector<std::size_t> todo;
  for (std::size_t i = 0; i < plan.size(); ++i)
    if (!plan[i].slow) {
      keep[i] = true;
      todo.push_back(i);
    }
  // Walk down from every kept test: what it needs is kept too, slow or not.
  while (!todo.empty()) {
    std::size_t i = todo.back();
    todo.pop_back();
    for (std::size_t d : deps[i])
      if (!keep[d]) {
        keep[d] = true;
        todo.push_back(d);
      }
  }
  std::vector<std::size_t> selected;
  for (std::size_t i = 0; i < plan.size(); ++i)
    if (keep[i]) selected.push_back(i);
  return selected;
}

std::vector<std::size_t> PriorityScheduler::order(const std::vector<std::size_t>& ready,
                                                  const sdk::FreeCapacity&) {
  check_ready("priority", ready, priority_.size());
  auto ordered = in_plan_order(ready);
  std::stable_sort(ordered.begin(), ordered.end(),
                   [&](std::size_t a, std::size_t b) { return priority_[a] > priority_[b]; });
  return ordered;
}

void PriorityScheduler::completed(std::size_t, sdk::Status) {}

}  // namespace vt::schedulers
