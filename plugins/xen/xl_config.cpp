#include "xl_config.h"

#include <cstdio>

namespace vt::xen {

namespace {

std::string base64(const std::string& in) {
  static const char* table = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  unsigned value = 0;
  int bits = -6;
  for (unsigned char c : in) {
    value = (value << 8) + c;
    bits += 8;
    while (bits >= 0) {
      out += table[(value >> bits) & 0x3f];
      bits -= 6;
    }
  }
  if (bits > -6) out += table[((value << 8) >> (bits + 8)) & 0x3f];
  while (out.size() % 4 != 0) out += '=';
  return out;
}

}  // namespace

std::string guest_address(const XenOptions& options, int slot) {
  return options.subnet + "." + std::to_string(10 + slot);
}

std::string render_xl_config(const XenOptions& o, const GuestPlacement& g) {
  char mac[32];
  std::snprintf(mac, sizeof mac, "00:16:3e:76:%02x:%02x", (g.slot >> 8) & 0xff, g.slot & 0xff);
  std::string extra = "console=hvc0 quiet vt.net=eth0:" + guest_address(o, g.slot) + "/24";
  if (!o.segment_address.empty()) extra += ",eth0:" + o.segment_address;
  if (!g.public_key.empty()) extra += " vt.ssh=" + base64(g.public_key);
  if (!o.extra.empty()) extra += " " + o.extra;
  std::string cfg;
  auto line = [&cfg](const std::string& key, const std::string& value) {
    cfg += key + " = " + value + "\n";
  };
  auto quoted = [](const std::string& v) { return "\"" + v + "\""; };
  line("name", quoted(g.name));
  line("type", quoted(o.type));
  line("kernel", quoted(o.kernel));
  if (!o.ramdisk.empty()) line("ramdisk", quoted(o.ramdisk));
  line("extra", quoted(extra));
  line("memory", std::to_string(o.memory_mib));
  line("vcpus", std::to_string(o.vcpus));
  line("vif", "[ 'bridge=" + o.bridge + ",mac=" + mac +
                  (o.vif_script.empty() ? "" : ",script=" + o.vif_script) + "' ]");
  // xl-disk-configuration(5): with keywords, `target=` comes last (it may hold anything)
  if (!g.disk_path.empty())
    line("disk", "[ 'format=raw,vdev=" + o.disk_vdev + ",access=rw," +
                     (o.disk_script.empty() ? "" : "script=" + o.disk_script + ",") +
                     "target=" + g.disk_path + "' ]");
  line("on_poweroff", quoted(o.on_poweroff));
  line("on_reboot", quoted(o.on_reboot));
  line("on_crash", quoted(o.on_crash));
  if (!o.extra_config.empty()) cfg += o.extra_config + "\n";
  return cfg;
}

}  // namespace vt::xen
