#include "xen_options.h"

#include <cstdio>
#include <cstdlib>
#include <functional>
#include <set>
#include <sstream>

#include "vt/sdk/error.h"

namespace vt::xen {

namespace {

constexpr const char* default_images = "/var/lib/vtrun/images/tiny";

std::string get(const sdk::Params& params, const std::string& key, const std::string& fallback) {
  auto it = params.find(key);
  return it != params.end() && !it->second.empty() ? it->second : fallback;
}

// `key_<machine>` wins over `key`, as everywhere in the params (DESIGN.md, object suffixes).
std::string machine_param(const sdk::TestbedSpec& spec, const std::string& key,
                          const std::string& fallback) {
  const std::string v = get(spec.params, key + "_" + spec.machine, "");
  return v.empty() ? get(spec.params, key, fallback) : v;
}

int positive_int(const std::string& key, const std::string& text, int max) {
  char* end = nullptr;
  const long v = std::strtol(text.c_str(), &end, 10);
  if (text.empty() || *end != '\0' || v < 1 || v > max)
    throw sdk::ConfigError("param '" + key + "' = '" + text +
                           "': expected a whole number from 1 to " + std::to_string(max));
  return static_cast<int>(v);
}

void one_of(const std::string& key, const std::string& value,
            const std::set<std::string>& allowed) {
  if (allowed.count(value) != 0) return;
  std::string list;
  for (const auto& a : allowed) list += (list.empty() ? "" : ", ") + a;
  throw sdk::ConfigError("param '" + key + "' = '" + value + "': expected one of " + list);
}

bool yes(const std::string& key, const std::string& value) {
  if (value == "yes" || value == "true" || value == "1") return true;
  if (value == "no" || value == "false" || value == "0") return false;
  throw sdk::ConfigError("param '" + key + "' = '" + value + "': expected yes or no");
}

// Words that reach xl.cfg inside double quotes or a dom0 shell: no quotes, no newlines.
const std::string& plain(const std::string& key, const std::string& value) {
  if (value.find_first_of("\"'\\\n`$") != std::string::npos)
    throw sdk::ConfigError("param '" + key + "' = '" + value +
                           "': quotes, backslashes, '$', '`' and newlines are not allowed");
  return value;
}

}  // namespace

std::string env_or(const char* name) {
  const char* v = std::getenv(name);
  return v == nullptr ? std::string() : std::string(v);
}

Dom0Target parse_dom0_target(const std::string& uri, const std::string& key) {
  Dom0Target t;
  t.key = key;
  if (uri.empty() || uri == "local") return t;
  const std::string scheme = "ssh://";
  if (uri.rfind(scheme, 0) != 0)
    throw sdk::ConfigError("param 'xen_host' = '" + uri +
                           "': expected ssh://[USER@]HOST[:PORT] or local");
  std::string rest = uri.substr(scheme.size());
  if (!rest.empty() && rest.back() == '/') rest.pop_back();
  if (const auto at = rest.find('@'); at != std::string::npos) {
    t.user = rest.substr(0, at);
    rest = rest.substr(at + 1);
  }
  if (const auto colon = rest.rfind(':'); colon != std::string::npos) {
    t.port = positive_int("xen_host", rest.substr(colon + 1), 65535);
    rest = rest.substr(0, colon);
  }
  if (rest.empty() || t.user.empty() || rest.find_first_of("/ '\"") != std::string::npos)
    throw sdk::ConfigError("param 'xen_host' = '" + uri + "': expected ssh://[USER@]HOST[:PORT]");
  t.local = false;
  t.address = rest;
  if (key.empty())
    throw sdk::ConfigError("param 'xen_host' = '" + uri +
                           "' needs 'xen_ssh_key': the private key authorised for " + t.user +
                           " in dom0 (its .pub is authorised in the guest too)");
  return t;
}

XenOptions parse_xen_options(const sdk::TestbedSpec& spec) {
  XenOptions o;
  o.machine = spec.machine;
  o.dom0 = parse_dom0_target(machine_param(spec, "xen_host", env_or("VTRUN_XEN_HOST")),
                             machine_param(spec, "xen_ssh_key", env_or("VTRUN_XEN_SSH_KEY")));
  if (o.dom0.local && o.dom0.key.empty())
    throw sdk::ConfigError(
        "param 'xen_ssh_key' is not set: the xen backend reaches the guest over ssh, with this "
        "private key (its .pub is authorised in the guest)");
  o.type = machine_param(spec, "xen_type", o.type);
  one_of("xen_type", o.type, {"pv", "pvh", "hvm"});
  const std::string images = plain("xen_images", machine_param(spec, "xen_images", default_images));
  o.kernel = plain("kernel", machine_param(spec, "kernel", images + "/vmlinux"));
  o.ramdisk = plain("initrd", machine_param(spec, "initrd", images + "/initrd.img"));
  o.extra = plain("kernel_params", machine_param(spec, "kernel_params", ""));
  o.memory_mib = positive_int("mem", machine_param(spec, "mem", "128"), 1 << 20);
  o.vcpus = positive_int("smp", machine_param(spec, "smp", "1"), 512);
  o.disk_image =
      plain("xen_disk_image", machine_param(spec, "xen_disk_image", images + "/disk.img"));
  if (o.disk_image == "none") o.disk_image.clear();
  o.disk_vdev = plain("xen_disk_vdev", machine_param(spec, "xen_disk_vdev", o.disk_vdev));
  o.cow_size = plain("xen_cow_size", machine_param(spec, "xen_cow_size", o.cow_size));
  o.bridge = plain("xen_bridge", machine_param(spec, "xen_bridge", o.bridge));
  // one word of a disk or vif spec in xl.cfg: `script=NAME,...`
  auto script = [&spec](const std::string& key) {
    const std::string name = plain(key, machine_param(spec, key, ""));
    if (name.find_first_of(",= ") != std::string::npos)
      throw sdk::ConfigError("param '" + key + "' = '" + name +
                             "': expected the name of a script in dom0's /etc/xen/scripts "
                             "(no commas, '=' or spaces)");
    return name;
  };
  o.disk_script = script("xen_disk_script");
  o.vif_script = script("xen_vif_script");
  o.subnet = plain("xen_subnet", machine_param(spec, "xen_subnet", o.subnet));
  if (machine_param(spec, "nettype", "") == "socket") {
    std::istringstream vms(get(spec.params, "vms", spec.machine));
    int position = 0;
    for (std::string vm; vms >> vm;) {
      ++position;
      if (vm == spec.machine) o.segment_address = "192.168.100." + std::to_string(position) + "/24";
    }
  }
  o.on_poweroff = machine_param(spec, "on_poweroff", o.on_poweroff);
  o.on_reboot = machine_param(spec, "on_reboot", o.on_reboot);
  o.on_crash = machine_param(spec, "on_crash", o.on_crash);
  const std::set<std::string> actions = {"destroy",        "restart",          "preserve",
                                         "rename-restart", "coredump-destroy", "coredump-restart",
                                         "soft-reset"};
  one_of("on_poweroff", o.on_poweroff, actions);
  one_of("on_reboot", o.on_reboot, actions);
  one_of("on_crash", o.on_crash, actions);
  o.extra_config = machine_param(spec, "xen_extra_config", "");
  o.state_dir = plain("xen_state_dir", machine_param(spec, "xen_state_dir", o.state_dir));
  o.warm_start = yes("xen_warm_start", machine_param(spec, "xen_warm_start", "yes"));
  o.boot_timeout = std::chrono::seconds(
      positive_int("xen_boot_timeout", machine_param(spec, "xen_boot_timeout", "300"), 86400));
  // the subnet is three octets: guests get .10+slot
  int dots = 0;
  for (char c : o.subnet) dots += c == '.';
  if (dots != 2) throw sdk::ConfigError("param 'xen_subnet' = '" + o.subnet + "': expected A.B.C");
  return o;
}

std::string guest_key(const XenOptions& o) {
  const std::string text = o.dom0.user + "@" + o.dom0.address + ":" + std::to_string(o.dom0.port) +
                           "|" + o.type + "|" + o.kernel + "|" + o.ramdisk + "|" + o.extra + "|" +
                           std::to_string(o.memory_mib) + "|" + std::to_string(o.vcpus) + "|" +
                           o.disk_image + "|" + o.disk_vdev + "|" + o.cow_size + "|" + o.bridge +
                           "|" + o.disk_script + "|" + o.vif_script + "|" + o.subnet + "|" +
                           o.segment_address + "|" + o.on_poweroff + o.on_reboot + o.on_crash +
                           "|" + o.extra_config + "|" + o.dom0.key.string();
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016zx", std::hash<std::string>{}(text));
  return buf;
}

}  // namespace vt::xen
