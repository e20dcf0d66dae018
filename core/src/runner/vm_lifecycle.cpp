#include "runner/vm_lifecycle.h"

#include <charconv>

namespace vt::core {

bool param_is_yes(const sdk::Params& params, const char* key, bool fallback) {
  const auto it = params.find(key);
  if (it == params.end() || it->second.empty()) return fallback;
  const std::string& v = it->second;
  return v == "yes" || v == "true" || v == "1" || v == "on";
}

MachineStart start_rules(const sdk::Params& machine_params) {
  return {param_is_yes(machine_params, "start_vm", true),
          param_is_yes(machine_params, "restart_vm", false)};
}

MachineStop stop_rules(const sdk::Params& machine_params) {
  MachineStop stop;
  stop.kill = param_is_yes(machine_params, "kill_vm", false);
  stop.gracefully = param_is_yes(machine_params, "kill_vm_gracefully", false);
  stop.breaks_testbed = param_is_yes(machine_params, "breaks_testbed", false);
  if (auto it = machine_params.find("kill_vm_timeout"); it != machine_params.end()) {
    // Avocado-VT writes it as a float; whole seconds are enough here.
    double seconds = 0;
    const char* end = it->second.data() + it->second.size();
    if (std::from_chars(it->second.data(), end, seconds).ec == std::errc() && seconds > 0)
      stop.timeout = std::chrono::seconds(static_cast<long long>(seconds + 0.999));
  }
  return stop;
}

sdk::Params after_test_params(const sdk::Params& params, bool test_failed) {
  if (!test_failed) return params;
  sdk::Params out = params;
  constexpr std::string_view suffix = "_on_error";
  for (const auto& [key, value] : params)
    if (key.size() > suffix.size() && key.ends_with(suffix))
      out[key.substr(0, key.size() - suffix.size())] = value;
  return out;
}

}  // namespace vt::core
