#include "plan_graph.h"

#include <algorithm>
#include <map>
#include <numeric>
#include <string>

#include "vt/sdk/error.h"

namespace vt::schedulers {

std::vector<std::vector<std::size_t>> dependency_indices(const std::vector<sdk::TestInfo>& plan) {
  std::map<std::string_view, std::size_t> index_of;
  for (std::size_t i = 0; i < plan.size(); ++i) index_of.emplace(plan[i].id, i);
  std::vector<std::vector<std::size_t>> deps(plan.size());
  for (std::size_t i = 0; i < plan.size(); ++i)
    for (const auto& id : plan[i].depends)
      if (auto it = index_of.find(id); it != index_of.end() && it->second != i)
        deps[i].push_back(it->second);
  return deps;
}

namespace {
// Union-find with the smallest index as the root, so a group's root is its first test.
std::size_t find_root(std::vector<std::size_t>& parent, std::size_t i) {
  while (parent[i] != i) i = parent[i] = parent[parent[i]];
  return i;
}
}  // namespace

std::vector<std::vector<std::size_t>> dependency_groups(const std::vector<sdk::TestInfo>& plan) {
  std::vector<std::size_t> parent = all_indices(plan.size());
  const auto deps = dependency_indices(plan);
  for (std::size_t i = 0; i < plan.size(); ++i)
    for (std::size_t d : deps[i]) {
      std::size_t a = find_root(parent, i), b = find_root(parent, d);
      if (a != b) parent[std::max(a, b)] = std::min(a, b);
    }
  std::vector<std::vector<std::size_t>> groups;
  std::vector<std::size_t> group_of_root(plan.size(), plan.size());
  for (std::size_t i = 0; i < plan.size(); ++i) {
    std::size_t root = find_root(parent, i);
    // The root is the group's smallest index, so it is met first and groups come out ordered.
    if (group_of_root[root] == plan.size()) {
      group_of_root[root] = groups.size();
      groups.emplace_back();
    }
    groups[group_of_root[root]].push_back(i);
  }
  return groups;
}

std::vector<std::size_t> all_indices(std::size_t size) {
  std::vector<std::size_t> indices(size);
  std::iota(indices.begin(), indices.end(), std::size_t{0});
  return indices;
}

std::vector<std::size_t> in_plan_order(std::vector<std::size_t> indices) {
  std::sort(indices.begin(), indices.end());
  return indices;
}

void check_ready(std::string_view scheduler, const std::vector<std::size_t>& ready,
                 std::size_t plan_size) {
  for (std::size_t i : ready)
    if (i >= plan_size)
      throw sdk::Error("scheduler '" + std::string(scheduler) + "': order() got test index " +
                       std::to_string(i) + " but select() saw a plan of " +
                       std::to_string(plan_size) +
                       " tests — the core must call select() with the same plan first");
}

}  // namespace vt::schedulers
