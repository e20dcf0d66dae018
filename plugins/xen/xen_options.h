// The xen backend's view of a test's params (docs/xen.md): where dom0 is, what guest to make
// and how to revert it. Avocado-VT's names where the qemu backend has them (mem, smp, kernel,
// initrd, kernel_params), xl.cfg's own names for the rest (on_poweroff, ...), `xen_*` for what
// only this backend knows.
#pragma once

#include <chrono>
#include <filesystem>
#include <string>

#include "vt/sdk/testbed.h"

namespace vt::xen {

/// How to reach the dom0 that runs `xl`.
struct Dom0Target {
  bool local = true;          ///< vtrun runs in dom0 itself: scripts run with the host's sh
  std::string user = "root";  ///< ssh://USER@HOST:PORT
  std::string address;
  int port = 22;
  std::filesystem::path key;  ///< private key for dom0 and the guest (`xen_ssh_key`)
};

struct XenOptions {
  std::string machine;
  Dom0Target dom0;
  std::string type = "pv";  ///< pv, pvh or hvm
  std::string kernel;       ///< dom0 paths
  std::string ramdisk;
  std::string extra;  ///< the guest kernel's command line, before vtrun's own words
  int memory_mib = 128;
  int vcpus = 1;
  std::string disk_image;  ///< dom0 path of the pristine raw disk; empty: no disk
  std::string disk_vdev = "xvda";
  std::string cow_size = "32M";  ///< size of each copy-on-write store (dm snapshot)
  std::string bridge = "xenbr0";
  /// Hotplug scripts in dom0's /etc/xen/scripts for the disk and the vif; empty: Xen's own
  /// (`block`, `vif-bridge`). The lab has faster ones (`vtrun-block`, `vtrun-vif`).
  std::string disk_script;
  std::string vif_script;
  std::string subnet = "10.99.0";  ///< guests get .10+slot, dom0 is .1
  /// With `nettype = socket` (machines of one test on one segment, as the qemu backend gives
  /// them): 192.168.100.N/24 for the machine at position N in `vms`, on the same bridge.
  std::string segment_address;
  std::string on_poweroff = "destroy";
  std::string on_reboot = "restart";
  std::string on_crash = "destroy";
  std::string extra_config;                  ///< more xl.cfg lines, verbatim
  std::string state_dir = "/var/lib/vtrun";  ///< dom0 directory for COW stores and saves
  std::string scratch = "/srv/vtrun/scratch";
  bool warm_start = true;  ///< restore an `xl save` image taken once after boot
  std::chrono::seconds boot_timeout{300};
  std::filesystem::path public_key() const { return dom0.key.string() + ".pub"; }
};

/// Throws sdk::ConfigError naming the param and what was expected.
XenOptions parse_xen_options(const sdk::TestbedSpec& spec);

/// The environment variable `name`, or "" (VTRUN_XEN_HOST and VTRUN_XEN_SSH_KEY are the
/// defaults of `xen_host` and `xen_ssh_key`, and what `vtrun check` probes).
std::string env_or(const char* name);

/// "ssh://USER@HOST:PORT" (or "" / "local") into a target. Throws sdk::ConfigError.
Dom0Target parse_dom0_target(const std::string& uri, const std::string& key);

/// What decides the guest a saved image holds: testbeds with equal keys may share one (hex).
std::string guest_key(const XenOptions& options);

}  // namespace vt::xen
