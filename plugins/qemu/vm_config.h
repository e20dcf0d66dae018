// What a test's params ask of one QEMU machine, as Avocado-VT names it (`mem`, `smp`, `images`,
// `image_name`, `image_format`, `drive_format`, `nics`, `nic_model`, `nettype`, `kernel`,
// `initrd`, `kernel_params`, `extra_params`, per-object suffixes like `mem_vm1` or
// `drive_format_image2`), checked and resolved into paths before anything starts.
#pragma once

#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

#include "vt/sdk/testbed.h"

namespace vt::qemu {

struct DiskSpec {
  std::string name;            ///< the `images` entry: "image1"
  std::filesystem::path base;  ///< read-only base image; empty: a blank disk of `size`
  std::string base_format;     ///< qcow2, raw, ...
  std::string size;            ///< for blank disks ("1G"), qemu-img syntax
  std::string drive_format;    ///< virtio, ide, scsi-hd
};

struct NicSpec {
  std::string name;     ///< the `nics` entry: "nic1"
  std::string model;    ///< QEMU device: virtio-net-pci, e1000, ...
  std::string nettype;  ///< user | socket | none
  std::string netdst;   ///< socket: the segment's name (VMs with the same netdst are linked)
  std::string mac;
  std::string address;  ///< guest address with prefix length ("10.0.2.15/24"), may be empty
  std::string gateway;
  /// socket: this VM's datagram socket and its peer's (derived from the test's directory).
  std::filesystem::path local_socket, remote_socket;
};

struct VmConfig {
  std::string machine;  ///< "vm1"
  int index = 0;        ///< position in `vms`
  std::string qemu_binary = "qemu-system-x86_64";
  std::string machine_type = "pc";
  int mem_mb = 256;
  int smp = 1;
  std::filesystem::path kernel, initrd;
  std::string kernel_params;
  std::vector<DiskSpec> disks;
  std::vector<NicSpec> nics;
  std::vector<std::string> extra_args;
  std::string scratch = "/srv/vtrun/scratch";  ///< the testbed's scratch directory
  std::string channel = "agent";               ///< agent (qemu-guest-agent) or ssh
  std::filesystem::path ssh_key;               ///< ssh: the private key the guest accepts
  bool save_state = true;                      ///< keep a saved state for fast reverts
  std::chrono::seconds boot_timeout{120};
  std::filesystem::path console_log;  ///< console.log (first VM) or console-<name>.log
  std::filesystem::path qemu_log;
};

/// Resolves `spec` into a VmConfig. Throws sdk::ConfigError for bad params (naming the key and
/// what was expected) and sdk::UnavailableError when the guest image is not built.
VmConfig parse_vm_config(const sdk::TestbedSpec& spec);

/// `value` of `key` for an object: `key_<object>` when set, else `key`, else `fallback`.
std::string object_param(const sdk::Params& params, const std::string& key,
                         const std::string& object, const std::string& fallback = "");

/// Splits a parameter into words as a shell would for quoting ('…', "…", \x); no expansion.
std::vector<std::string> split_words(const std::string& text, const std::string& key);

}  // namespace vt::qemu
