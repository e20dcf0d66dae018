#include "shard_scheduler.h"

#include <algorithm>
#include <string>

#include "options.h"
#include "plan_graph.h"
#include "vt/sdk/error.h"

namespace vt::schedulers {

ShardSpec parse_shard(std::string_view text) {
  auto bad = [&](const std::string& why) {
    return sdk::ConfigError("scheduler 'shard': bad shard '" + std::string(text) + "': " + why +
                            " — write i/N with 1 ≤ i ≤ N, e.g. --shard 2/4 for the second of "
                            "four parts");
  };
  auto slash = text.find('/');
  if (slash == std::string_view::npos) throw bad("expected i/N, got no '/'");
  auto index = parse_positive(text.substr(0, slash));
  auto count = parse_positive(text.substr(slash + 1));
  if (!index) throw bad("the shard number before '/' is not a positive integer");
  if (!count) throw bad("the shard count after '/' is not a positive integer");
  if (*index > *count)
    throw bad("shard " + std::to_string(*index) + " of only " + std::to_string(*count));
  return {*index, *count};
}

std::vector<unsigned> assign_shards(const std::vector<sdk::TestInfo>& plan, unsigned count) {
  std::vector<unsigned> shard_of(plan.size(), 1);
  std::vector<std::size_t> load(std::max(1u, count), 0);
  for (const auto& group : dependency_groups(plan)) {
    // min_element returns the first minimum: ties go to the lowest shard.
    auto lightest = std::min_element(load.begin(), load.end());
    *lightest += group.size();
    const auto shard = static_cast<unsigned>(lightest - load.begin()) + 1;
    for (std::size_t i : group) shard_of[i] = shard;
  }
  return shard_of;
}

ShardScheduler::ShardScheduler(const sdk::SchedulerSpec& spec) {
  check_options("shard", spec.options, {"shard"});
  auto text = option(spec.options, "shard");
  if (!text)
    throw sdk::ConfigError(
        "scheduler 'shard': option 'shard' is missing — say which part of the plan to run, "
        "e.g. --shard 2/4 (or --scheduler-option shard=2/4)");
  shard_ = parse_shard(*text);
}

std::vector<std::size_t> ShardScheduler::select(const std::vector<sdk::TestInfo>& plan) {
  const auto shard_of = assign_shards(plan, shard_.count);
  std::vector<std::size_t> selected;
  for (std::size_t i = 0; i < plan.size(); ++i)
    if (shard_of[i] == shard_.index) selected.push_back(i);
  return selected;
}

std::vector<std::size_t> ShardScheduler::order(const std::vector<std::size_t>& ready,
                                               const sdk::FreeCapacity&) {
  return in_plan_order(ready);
}

void ShardScheduler::completed(std::size_t, sdk::Status) {}

}  // namespace vt::schedulers
