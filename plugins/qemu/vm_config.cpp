#include "vm_config.h"

#include <charconv>
#include <fstream>
#include <functional>
#include <nlohmann/json.hpp>
#include <sstream>

#include "vt/sdk/error.h"
#include "vt/sdk/files.h"

namespace vt::qemu {

namespace fs = std::filesystem;

namespace {

std::string get(const sdk::Params& params, const std::string& key, const std::string& fallback) {
  auto it = params.find(key);
  return it != params.end() && !it->second.empty() ? it->second : fallback;
}

int positive_int(const sdk::Params& params, const std::string& key, int fallback, int max) {
  const std::string text = get(params, key, std::to_string(fallback));
  int value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || value <= 0 || value > max)
    throw sdk::ConfigError("param '" + key + "' = '" + text +
                           "': expected a whole number from 1 to " + std::to_string(max));
  return value;
}

std::vector<std::string> words(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string w; in >> w;) out.push_back(w);
  return out;
}

bool yes(const std::string& value) {
  return value == "yes" || value == "true" || value == "on" || value == "1";
}

// A vtrun-built image ("tiny"): its image.json under the cache, or nullopt for a file path.
std::optional<nlohmann::json> built_image(const std::string& name, fs::path& dir) {
  if (name.find('/') != std::string::npos || name.find('.') != std::string::npos) return {};
  dir = sdk::cache_dir() / "images" / name / "current";
  std::error_code ec;
  if (!fs::exists(dir / "image.json", ec)) {
    throw sdk::UnavailableError("guest image '" + name + "' is not built (looked in '" +
                                dir.string() + "'): run `vtrun image build " + name + "`");
  }
  auto doc = nlohmann::json::parse(sdk::read_file(dir / "image.json"), nullptr, false);
  if (doc.is_discarded() || !doc.is_object())
    throw sdk::UnavailableError("'" + (dir / "image.json").string() +
                                "' is not valid JSON: rebuild with `vtrun image build " + name +
                                " --force`");
  // The build the link points at now, so that a rebuild during the job does not change it.
  if (auto resolved = fs::canonical(dir, ec); !ec) dir = resolved;
  return doc;
}

constexpr const char* default_netdst = "vtnet";

// The VMs on the socket segment `netdst` for nic `nic`, in `vms` order.
std::vector<std::string> segment_members(const sdk::Params& params, const std::string& nic,
                                         const std::string& netdst) {
  std::vector<std::string> members;
  for (const auto& vm : words(get(params, "vms", "vm1"))) {
    auto vm_value = [&](const std::string& key) {
      std::string v = get(params, key + "_" + nic + "_" + vm, "");
      if (v.empty()) v = get(params, key + "_" + vm, "");
      if (v.empty()) v = get(params, key + "_" + nic, "");
      if (v.empty()) v = get(params, key, "");
      return v;
    };
    const std::string dst = vm_value("netdst");
    if (vm_value("nettype") == "socket" && (dst.empty() ? default_netdst : dst) == netdst)
      members.push_back(vm);
  }
  return members;
}

fs::path segment_socket(const fs::path& log_dir, const std::string& netdst, const std::string& vm) {
  // Unix socket paths are short (108 bytes): a hash of the test's directory names the segment.
  const auto key = std::hash<std::string>{}(fs::absolute(log_dir).string() + "\n" + netdst);
  char name[64];
  std::snprintf(name, sizeof name, "vtrun-net-%016zx-", key);
  return fs::temp_directory_path() / (name + vm + ".sock");
}

}  // namespace

std::string object_param(const sdk::Params& params, const std::string& key,
                         const std::string& object, const std::string& fallback) {
  std::string v = get(params, key + "_" + object, "");
  return v.empty() ? get(params, key, fallback) : v;
}

std::vector<std::string> split_words(const std::string& text, const std::string& key) {
  std::vector<std::string> out;
  std::string word;
  bool in_word = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == ' ' || c == '\t' || c == '\n') {
      if (in_word) out.push_back(word);
      word.clear();
      in_word = false;
    } else if (c == '\'' || c == '"') {
      const std::size_t end = text.find(c, i + 1);
      if (end == std::string::npos)
        throw sdk::ConfigError("param '" + key + "': unterminated " + std::string(1, c) +
                               " quote in '" + text + "'");
      word += text.substr(i + 1, end - i - 1);
      i = end;
      in_word = true;
    } else if (c == '\\' && i + 1 < text.size()) {
      word += text[++i];
      in_word = true;
    } else {
      word += c;
      in_word = true;
    }
  }
  if (in_word) out.push_back(word);
  return out;
}

VmConfig parse_vm_config(const sdk::TestbedSpec& spec) {
  const sdk::Params& p = spec.params;
  VmConfig vm;
  vm.machine = spec.machine;
  const auto vms = words(get(p, "vms", spec.machine));
  for (std::size_t i = 0; i < vms.size(); ++i)
    if (vms[i] == spec.machine) vm.index = static_cast<int>(i);
  vm.qemu_binary = get(p, "qemu_binary", vm.qemu_binary);
  vm.machine_type = get(p, "machine_type", vm.machine_type);
  if (vm.machine_type == "i440fx") vm.machine_type = "pc";
  vm.mem_mb = positive_int(p, "mem", vm.mem_mb, 1 << 20);
  vm.smp = positive_int(p, "smp", vm.smp, 256);
  vm.boot_timeout = std::chrono::seconds(positive_int(p, "login_timeout", 120, 86400));
  vm.save_state = yes(get(p, "qemu_save_state", "yes"));
  vm.console_log = spec.log_dir / (vm.index == 0 ? std::string("console.log")
                                                 : "console-" + spec.machine + ".log");
  vm.qemu_log = spec.log_dir / ("qemu-" + spec.machine + ".log");

  // Disks. The first image defaults to the tiny guest, which also brings the kernel.
  const auto images = words(get(p, "images", "image1"));
  std::optional<nlohmann::json> boot_image;
  fs::path boot_image_dir;
  for (std::size_t i = 0; i < images.size(); ++i) {
    DiskSpec d;
    d.name = images[i];
    const std::string name = object_param(p, "image_name", d.name, i == 0 ? "tiny" : "");
    d.drive_format = object_param(p, "drive_format", d.name, "virtio");
    if (d.drive_format != "virtio" && d.drive_format != "ide" && d.drive_format != "scsi-hd")
      throw sdk::ConfigError("param 'drive_format' = '" + d.drive_format +
                             "': expected virtio, ide or scsi-hd");
    fs::path dir;
    if (auto doc = name.empty() ? std::nullopt : built_image(name, dir)) {
      d.base = dir / doc->value("disk", "disk.qcow2");
      d.base_format = doc->value("disk_format", "qcow2");
      if (i == 0) {
        boot_image = doc;
        boot_image_dir = dir;
      }
    } else if (!name.empty()) {
      d.base_format = object_param(p, "image_format", d.name, "qcow2");
      fs::path file = name;
      std::error_code ec;
      if (!fs::exists(file, ec)) file = name + "." + d.base_format;
      if (!fs::exists(file, ec))
        throw sdk::ConfigError("param 'image_name' of '" + d.name + "' = '" + name +
                               "': neither '" + name + "' nor '" + file.string() + "' exists");
      d.base = fs::absolute(file);
    } else {
      d.size = object_param(p, "image_size", d.name, "");
      if (d.size.empty())
        throw sdk::ConfigError("image '" + d.name + "' has neither 'image_name_" + d.name +
                               "' nor 'image_size_" + d.name + "'");
    }
    vm.disks.push_back(std::move(d));
  }

  auto path_param = [&](const std::string& key, const std::string& image_key) -> fs::path {
    const std::string v = get(p, key, "");
    if (!v.empty()) return fs::absolute(v);
    if (boot_image && boot_image->contains(image_key))
      return boot_image_dir / boot_image->value(image_key, "");
    return {};
  };
  vm.kernel = path_param("kernel", "kernel");
  vm.initrd = path_param("initrd", "initrd");
  for (const auto& [file, key] :
       {std::pair{&vm.kernel, "kernel"}, std::pair{&vm.initrd, "initrd"}}) {
    std::error_code ec;
    if (!file->empty() && !fs::exists(*file, ec))
      throw sdk::ConfigError("param '" + std::string(key) + "' = '" + file->string() +
                             "': no such file");
  }
  vm.kernel_params = boot_image ? boot_image->value("kernel_params", "") : "";

  // NICs: user networking (10.0.2.15 behind QEMU's NAT) or a socket segment between two VMs.
  std::string net_params;
  const auto nics = words(get(p, "nics", "nic1"));
  for (std::size_t i = 0; i < nics.size(); ++i) {
    NicSpec n;
    n.name = nics[i];
    n.nettype = object_param(p, "nettype", n.name, "user");
    const std::string model = object_param(p, "nic_model", n.name, "virtio");
    n.model = model == "virtio" ? "virtio-net-pci" : model;
    char mac[32];
    std::snprintf(mac, sizeof mac, "52:54:00:76:%02x:%02x", vm.index & 0xff,
                  static_cast<int>(i) & 0xff);
    n.mac = object_param(p, "nic_mac", n.name, mac);
    const std::string ifname = "eth" + std::to_string(i);
    if (n.nettype == "user") {
      n.address = "10.0.2.15/24";
      n.gateway = "10.0.2.2";
    } else if (n.nettype == "socket") {
      n.netdst = object_param(p, "netdst", n.name, default_netdst);
      const auto members = segment_members(p, n.name, n.netdst);
      if (members.size() != 2)
        throw sdk::ConfigError("nic '" + n.name + "' of '" + vm.machine +
                               "': a socket network links exactly two VMs, but netdst '" +
                               n.netdst + "' has " + std::to_string(members.size()) +
                               " (vms = " + get(p, "vms", vm.machine) + ")");
      const std::string& peer = members[0] == vm.machine ? members[1] : members[0];
      n.local_socket = segment_socket(spec.log_dir, n.netdst, vm.machine);
      n.remote_socket = segment_socket(spec.log_dir, n.netdst, peer);
      n.address = object_param(
          p, "ip_" + n.name, vm.machine,
          "192.168." + std::to_string(100 + i) + "." + std::to_string(vm.index + 1) + "/24");
    } else if (n.nettype != "none") {
      throw sdk::ConfigError("param 'nettype' of '" + n.name + "' = '" + n.nettype +
                             "': the qemu backend supports user, socket and none");
    }
    if (!n.address.empty())
      net_params += (net_params.empty() ? "" : ",") + ifname + ":" + n.address +
                    (n.gateway.empty() ? "" : ":" + n.gateway);
    if (n.nettype != "none") vm.nics.push_back(std::move(n));
  }
  if (!net_params.empty()) vm.kernel_params += " vt.net=" + net_params;
  const std::string extra_kernel = get(p, "kernel_params", "");
  if (!extra_kernel.empty()) vm.kernel_params += " " + extra_kernel;
  vm.extra_args = split_words(get(p, "extra_params", ""), "extra_params");
  vm.channel = get(p, "channel", "agent");
  if (vm.channel == "qemu-guest-agent") vm.channel = "agent";
  if (vm.channel != "agent" && vm.channel != "ssh")
    throw sdk::ConfigError("param 'channel' = '" + vm.channel + "': expected agent or ssh");
  if (vm.channel == "ssh" && (vm.nics.empty() || vm.nics.front().nettype != "user"))
    throw sdk::ConfigError(
        "param 'channel' = 'ssh' needs a first nic with nettype user (the host "
        "reaches the guest's sshd through its port forward)");
  return vm;
}

}  // namespace vt::qemu
