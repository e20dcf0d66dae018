// What a test's params say about its machines: which ones (`vms`), each one's own params
// (object suffixes) and what they cost the host.
#pragma once

#include <string>
#include <vector>

#include "vt/sdk/types.h"

namespace vt::core {

/// The machines a test asks for: Avocado-VT's `vms` (space-separated), else `main_vm`, else
/// "vm1".
std::vector<std::string> machine_names(const sdk::Params& params);

/// Object suffixes resolved for `machine` (`mem_vm1` overrides `mem` for vm1), as Avocado-VT's
/// object_params().
sdk::Params object_params(const sdk::Params& params, const std::string& machine);

/// The host resources the test's machines take: `smp` and `mem` (MiB) of each, summed.
/// Values that are not whole numbers count as unset (1 CPU, no memory).
sdk::TestCost test_cost(const sdk::Params& params);

}  // namespace vt::core
