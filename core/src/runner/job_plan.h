// The plan as schedulers see it: TestInfo (with cost and slowness) for each test, and the
// --loop order.
#pragma once

#include <cstddef>
#include <vector>

#include "vt/core/test_case.h"
#include "vt/sdk/scheduler.h"
#include "vt/sdk/types.h"

namespace vt::core {

/// The scheduler's view of `t`: cost from its params, slow from the tag or param `slow`.
sdk::TestInfo test_info(const TestCase& t);

/// What `scheduler.select(infos)` chose, as sorted, unique, valid plan indices.
std::vector<std::size_t> selected_indices(sdk::Scheduler& scheduler,
                                          const std::vector<sdk::TestInfo>& infos);

/// --loop interleaves providers: one test of each in turn, each provider's own order kept.
std::vector<std::size_t> round_robin_by_provider(const std::vector<TestCase>& plan,
                                                 const std::vector<std::size_t>& selected);

}  // namespace vt::core
