#include "shuffle_scheduler.h"

#include <algorithm>

#include "options.h"
#include "plan_graph.h"

namespace vt::schedulers {

std::uint64_t shuffle_rank(std::uint64_t seed, std::string_view bytes) noexcept {
  std::uint64_t h = 0xcbf29ce484222325ULL;  // FNV-1a offset basis
  for (char c : bytes) {
    h ^= static_cast<unsigned char>(c);
    h *= 0x100000001b3ULL;  // FNV prime
  }
  // splitmix64 of (hash + seed · golden ratio): a different seed moves every rank.
  std::uint64_t z = h + (seed + 1) * 0x9e3779b97f4a7c15ULL;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

ShuffleScheduler::ShuffleScheduler(const sdk::SchedulerSpec& spec) : seed_(spec.seed) {
  check_options("shuffle", spec.options, {});
}

std::vector<std::size_t> ShuffleScheduler::select(const std::vector<sdk::TestInfo>& plan) {
  rank_.clear();
  for (const auto& test : plan) rank_.push_back(shuffle_rank(seed_, test.id));
  return all_indices(plan.size());
}

std::vector<std::size_t> ShuffleScheduler::order(const std::vector<std::size_t>& ready,
                                                 const sdk::FreeCapacity&) {
  check_ready("shuffle", ready, rank_.size());
  auto ordered = in_plan_order(ready);
  std::stable_sort(ordered.begin(), ordered.end(),
                   [&](std::size_t a, std::size_t b) { return rank_[a] < rank_[b]; });
  return ordered;
}

void ShuffleScheduler::completed(std::size_t, sdk::Status) {}

}  // namespace vt::schedulers
