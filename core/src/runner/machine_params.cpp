#include "runner/machine_params.h"

#include <charconv>
#include <sstream>

namespace vt::core {

namespace {

std::uint64_t whole_number(const sdk::Params& params, const char* key, std::uint64_t fallback) {
  const auto it = params.find(key);
  if (it == params.end()) return fallback;
  std::uint64_t n = 0;
  const char* end = it->second.data() + it->second.size();
  const auto [ptr, ec] = std::from_chars(it->second.data(), end, n);
  return ec == std::errc() && ptr == end ? n : fallback;
}

}  // namespace

std::vector<std::string> machine_names(const sdk::Params& params) {
  std::vector<std::string> names;
  if (auto it = params.find("vms"); it != params.end()) {
    std::istringstream ss(it->second);
    for (std::string n; ss >> n;) names.push_back(n);
  }
  if (names.empty()) {
    auto it = params.find("main_vm");
    names.push_back(it != params.end() && !it->second.empty() ? it->second : "vm1");
  }
  return names;
}

sdk::Params object_params(const sdk::Params& params, const std::string& machine) {
  sdk::Params out = params;
  const std::string suffix = "_" + machine;
  for (const auto& [key, value] : params)
    if (key.size() > suffix.size() &&
        key.compare(key.size() - suffix.size(), suffix.size(), suffix) == 0)
      out[key.substr(0, key.size() - suffix.size())] = value;
  return out;
}

sdk::TestCost test_cost(const sdk::Params& params) {
  sdk::TestCost cost;
  const auto names = machine_names(params);
  cost.machines = static_cast<unsigned>(names.size());
  cost.cpus = 0;
  for (const auto& name : names) {
    const sdk::Params own = object_params(params, name);
    cost.cpus += static_cast<unsigned>(std::max<std::uint64_t>(1, whole_number(own, "smp", 1)));
    cost.mem_mib += whole_number(own, "mem", 0);
  }
  return cost;
}

}  // namespace vt::core
