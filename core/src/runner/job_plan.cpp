#include "runner/job_plan.h"

#include <algorithm>
#include <deque>
#include <map>

#include "runner/machine_params.h"
#include "vt/core/plugin_registry.h"
#include "vt/core/runner.h"

namespace vt::core {

sdk::TestInfo test_info(const TestCase& t) {
  sdk::TestInfo info{t.id, t.provider, t.tags, t.priority, t.depends, t.params, {}, t.locks, false};
  info.cost = test_cost(t.params);
  info.slow = std::find(t.tags.begin(), t.tags.end(), "slow") != t.tags.end() ||
              (t.params.count("slow") != 0 && t.params.at("slow") == "yes");
  return info;
}

std::vector<std::size_t> round_robin_by_provider(const std::vector<TestCase>& plan,
                                                 const std::vector<std::size_t>& selected) {
  std::vector<std::string> providers;
  std::map<std::string, std::deque<std::size_t>> queues;
  for (std::size_t i : selected) {
    if (!queues.count(plan[i].provider)) providers.push_back(plan[i].provider);
    queues[plan[i].provider].push_back(i);
  }
  std::vector<std::size_t> out;
  while (out.size() < selected.size())
    for (const auto& p : providers)
      if (auto& q = queues[p]; !q.empty()) {
        out.push_back(q.front());
        q.pop_front();
      }
  return out;
}

std::vector<std::size_t> selected_indices(sdk::Scheduler& scheduler,
                                          const std::vector<sdk::TestInfo>& infos) {
  std::vector<std::size_t> chosen = scheduler.select(infos);
  std::sort(chosen.begin(), chosen.end());
  chosen.erase(std::unique(chosen.begin(), chosen.end()), chosen.end());
  std::erase_if(chosen, [&](std::size_t i) { return i >= infos.size(); });
  return chosen;
}

std::vector<TestCase> scheduled_tests(const std::vector<TestCase>& plan, const RunOptions& options,
                                      const PluginRegistry& registry, CoreHost& host) {
  std::vector<sdk::TestInfo> infos;
  for (const auto& t : plan) infos.push_back(test_info(t));
  const unsigned slots = options.jobs != 0 ? options.jobs : 1;
  auto scheduler = registry.make_scheduler(
      options.scheduler, host, {slots, options.seed.value_or(0), options.scheduler_options});
  std::vector<TestCase> out;
  for (std::size_t i : selected_indices(*scheduler, infos)) out.push_back(plan[i]);
  return out;
}

}  // namespace vt::core
