// What the schedulers need to know about a plan's dependency graph. Ids in `depends` that are
// not in the plan are ignored here: whether such a test can run is the core's business.
#pragma once

#include <cstddef>
#include <string_view>
#include <vector>

#include "vt/sdk/types.h"

namespace vt::schedulers {

/// For each test, the plan indices of the tests it depends on (unknown ids and itself left out).
std::vector<std::vector<std::size_t>> dependency_indices(const std::vector<sdk::TestInfo>& plan);

/// The plan split into groups of tests connected by `depends` (in either direction,
/// transitively). Each group is in plan order; groups are ordered by their first test.
std::vector<std::vector<std::size_t>> dependency_groups(const std::vector<sdk::TestInfo>& plan);

/// 0, 1, …, size-1.
std::vector<std::size_t> all_indices(std::size_t size);

/// `indices` sorted ascending: plan order.
std::vector<std::size_t> in_plan_order(std::vector<std::size_t> indices);

/// Throws sdk::Error when an index in `ready` is outside a plan of `plan_size` tests (order()
/// called before select(), or with another plan).
void check_ready(std::string_view scheduler, const std::vector<std::size_t>& ready,
                 std::size_t plan_size);

}  // namespace vt::schedulers
