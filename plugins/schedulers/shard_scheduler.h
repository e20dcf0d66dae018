// `shard`: `--shard i/N` runs the i-th of N disjoint parts of the plan, for CI matrices. Tests
// connected by `depends` stay together; the same plan gives the same parts on every machine.
#pragma once

#include <string_view>

#include "vt/sdk/scheduler.h"

namespace vt::schedulers {

struct ShardSpec {
  unsigned index = 1;  ///< 1-based
  unsigned count = 1;
};

/// Parses "i/N" with 1 ≤ i ≤ N (plain decimal integers). Throws sdk::ConfigError otherwise,
/// with an example (`--shard 2/4`).
ShardSpec parse_shard(std::string_view text);

/// For each test of `plan`, the 1-based shard it belongs to among `count` shards: the
/// dependency groups ordered by their first test, each given to the shard with the fewest
/// tests so far (ties: the lowest shard). Shards differ by at most the largest group's size.
std::vector<unsigned> assign_shards(const std::vector<sdk::TestInfo>& plan, unsigned count);

class ShardScheduler final : public sdk::Scheduler {
 public:
  /// Option: `shard` = i/N, required. Throws sdk::ConfigError when it is missing or bad, or
  /// for other options.
  explicit ShardScheduler(const sdk::SchedulerSpec& spec);

  /// The tests of shard i, in plan order.
  std::vector<std::size_t> select(const std::vector<sdk::TestInfo>& plan) override;
  /// Plan order, everything ready.
  std::vector<std::size_t> order(const std::vector<std::size_t>& ready,
                                 const sdk::FreeCapacity& free) override;
  void completed(std::size_t index, sdk::Status status) override;

  const ShardSpec& shard() const noexcept { return shard_; }

 private:
  ShardSpec shard_;
};

}  // namespace vt::schedulers
