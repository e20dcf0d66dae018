#include "appengine_options.h"

#include <nlohmann/json.hpp>

#include "text.h"
#include "vt/sdk/error.h"

namespace vt::appengine {

namespace {

const std::string* find(const sdk::Params& params, const std::string& key) {
  const auto it = params.find(key);
  return it == params.end() ? nullptr : &it->second;
}

std::string text(const sdk::Params& params, const std::string& key, std::string fallback) {
  const std::string* value = find(params, key);
  return value != nullptr ? *value : std::move(fallback);
}

bool flag(const sdk::Params& params, const std::string& key, bool fallback) {
  const std::string* value = find(params, key);
  if (value == nullptr || value->empty()) return fallback;
  if (*value == "yes" || *value == "true" || *value == "1") return true;
  if (*value == "no" || *value == "false" || *value == "0") return false;
  throw sdk::ConfigError("param '" + key + "': expected yes or no, got '" + *value + "'");
}

long number(const sdk::Params& params, const std::string& key, long fallback, long min, long max) {
  const std::string* value = find(params, key);
  if (value == nullptr || value->empty()) return fallback;
  std::size_t used = 0;
  long n = 0;
  try {
    n = std::stol(*value, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used != value->size() || n < min || n > max)
    throw sdk::ConfigError("param '" + key + "': expected a whole number from " +
                           std::to_string(min) + " to " + std::to_string(max) + ", got '" + *value +
                           "'");
  return n;
}

std::chrono::seconds seconds(const sdk::Params& params, const std::string& key, long fallback) {
  return std::chrono::seconds(number(params, key, fallback, 1, 86400));
}

// setup.containers.tarballs arrives as the JSON text of the array (docs/pvtest.md).
std::vector<std::string> json_strings(const sdk::Params& params, const std::string& key) {
  const std::string* value = find(params, key);
  if (value == nullptr || value->empty()) return {};
  const auto doc = nlohmann::json::parse(*value, nullptr, false);
  std::vector<std::string> out;
  if (doc.is_array())
    for (const auto& item : doc)
      if (item.is_string()) out.push_back(item.get<std::string>());
  if (!doc.is_array() || out.size() != doc.size())
    throw sdk::ConfigError("param '" + key + "': expected a JSON array of strings, got '" + *value +
                           "'");
  return out;
}

// What test.docker.sh gives the tester container (prior-art §1.4, step 5), minus the network,
// port and mounts, which depend on the slot and the test.
std::vector<std::string> reference_run_args() {
  std::vector<std::string> args{"--cgroupns", "host"};
  for (const char* cap : {"MKNOD", "NET_ADMIN", "SYS_ADMIN", "SYS_PTRACE"})
    args.insert(args.end(), {"--cap-add", cap});
  for (const char* dev : {"/dev/kmsg", "/dev/hwrng", "/dev/loop-control"})
    args.insert(args.end(), {"--device", dev});
  args.insert(args.end(),
              {"--device-cgroup-rule", "b 7:* rmw", "--security-opt", "apparmor=unconfined",
               "--security-opt", "seccomp=unconfined", "-v", "/sys/fs:/sys/fs"});
  for (const char* dir : {"/usr/lib/lxc/rootfs", "/volumes", "/configs"})
    args.insert(args.end(), {"--tmpfs", dir});
  return args;
}

}  // namespace

DeviceOptions parse_device_options(const sdk::Params& params) {
  DeviceOptions o;
  o.engine = text(params, "appengine_engine", "auto");
  if (o.engine.empty()) o.engine = "auto";
  o.image = text(params, "appengine_image", "pantavisor-appengine-tester:latest");
  if (o.image.empty())
    throw sdk::ConfigError(
        "param 'appengine_image': expected an image name or a tarball, got an empty value — "
        "e.g. appengine_image = pantavisor-appengine-tester:latest");
  o.network = text(params, "appengine_network", "test-appengine-net");
  if (const std::string* args = find(params, "appengine_privileges"))
    o.run_args = words(*args);
  else
    o.run_args = reference_run_args();
  o.extra_run_args = words(text(params, "appengine_run_args", ""));
  o.idle_command = text(params, "appengine_idle_command",
                        "trap 'exit 0' TERM INT; while :; do sleep 3600 & wait; done");
  o.bringup = flag(params, "appengine_bringup", true);
  o.launcher = text(params, "appengine_launcher", "pv-appengine -d 0");
  o.process = {"the pantavisor process",
               text(params, "appengine_process_probe", "ps | grep -q ' pantavisor$'"), "",
               seconds(params, "appengine_process_timeout", 30)};
  o.ready = {"READY (pantavisor.status)",
             text(params, "appengine_ready_probe",
                  "pvcontrol devmeta ls | jq -r '.[\"pantavisor.status\"]'"),
             text(params, "appengine_ready_value", "READY"),
             seconds(params, "appengine_ready_timeout", 120)};
  o.endpoint = {"the pvr endpoint",
                text(params, "appengine_endpoint_probe",
                     "curl -s -o /dev/null http://localhost:12368/cgi-bin/pvtx/status"),
                "", seconds(params, "appengine_endpoint_timeout", 120)};
  o.poweroff = text(params, "appengine_poweroff", "pvcontrol commands poweroff");
  o.runtime_name = text(params, "appengine_runtime_name", "pantavisor");
  o.pvtx_dir = text(params, "appengine_pvtx_dir", "/var/pantavisor/pvtx");
  o.poll_interval =
      std::chrono::milliseconds(number(params, "appengine_poll_interval_ms", 200, 10, 60000));
  o.stop_timeout = seconds(params, "appengine_stop_timeout", 120);
  o.term_timeout = seconds(params, "appengine_term_timeout", 30);
  o.valgrind = flag(params, "appengine_valgrind", false);
  o.manual = flag(params, "appengine_manual", false);
  o.first_port = static_cast<int>(number(params, "appengine_first_port", 8222, 0, 65000));
  o.slot_dir = text(params, "appengine_slot_dir", "/tmp");

  o.test_path = text(params, "pvtest_test_path", "");
  o.scope = text(params, "pvtest_scope", "");
  o.test_dir = text(params, "pvtest_dir", "");
  o.cmdline = text(params, "pvtest_cmdline", "");
  o.env = words(text(params, "pvtest_env", ""));
  for (const std::string& pair : o.env)
    if (pair.find('=') == std::string::npos || pair.front() == '=')
      throw sdk::ConfigError("setup.env: expected space-separated KEY=VALUE pairs, got '" + pair +
                             "' in '" + text(params, "pvtest_env", "") + "'");
  o.pantavisor_config = text(params, "pvtest_pantavisor_config", "");
  o.pvs = text(params, "pvtest_pvs", "");
  o.tarballs = json_strings(params, "pvtest_tarballs");
  o.ready_script = text(params, "pvtest_ready_script", "");
  o.self_claim = text(params, "pvtest_self_claim", "false") == "true";
  return o;
}

}  // namespace vt::appengine
