// `shuffle`: the ready tests in an order fixed by `--seed`, to find tests that depend on what
// an earlier test left behind. The same seed and plan give the same order on every machine.
#pragma once

#include <cstdint>
#include <string_view>

#include "vt/sdk/scheduler.h"

namespace vt::schedulers {

/// FNV-1a (64 bit) of `bytes`, then mixed with `seed` by splitmix64's finaliser: a rank that
/// is the same for every build and machine (std::hash is not).
std::uint64_t shuffle_rank(std::uint64_t seed, std::string_view bytes) noexcept;

class ShuffleScheduler final : public sdk::Scheduler {
 public:
  /// Takes no options (sdk::ConfigError otherwise); the seed is `spec.seed`.
  explicit ShuffleScheduler(const sdk::SchedulerSpec& spec);

  std::vector<std::size_t> select(const std::vector<sdk::TestInfo>& plan) override;
  /// `ready` sorted by shuffle_rank(seed, id), ties (equal ranks) in plan order.
  std::vector<std::size_t> order(const std::vector<std::size_t>& ready,
                                 const sdk::FreeCapacity& free) override;
  void completed(std::size_t index, sdk::Status status) override;

 private:
  std::uint64_t seed_;
  std::vector<std::uint64_t> rank_;  // by plan index, from select()
};

}  // namespace vt::schedulers
