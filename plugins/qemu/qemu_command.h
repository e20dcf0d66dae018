// The qemu-system command line of one machine. The parts that shape the guest (devices, memory,
// kernel, images) are kept apart from the per-instance paths (sockets, overlays, logs), so that
// `state_key` names exactly the machines a saved state can be restored into.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "vm_config.h"

namespace vt::qemu {

struct InstancePaths {
  std::string name;  ///< "vtrun-qemu-<id>": -name, and gc's pattern
  std::filesystem::path qmp_socket, agent_socket, pidfile;
  std::vector<std::filesystem::path> overlays;  ///< one per VmConfig::disks entry
  int ssh_port = 0;  ///< channel ssh: the host port forwarded to the guest's port 22
};

/// The full argv. `incoming`: start paused, waiting for `migrate-incoming` (a saved state).
std::vector<std::string> qemu_argv(const VmConfig& vm, const std::string& accel,
                                   const InstancePaths& paths, bool incoming);

/// Identifies the guest a command line makes: the shaping arguments, plus the identity (path,
/// size, mtime) of the QEMU binary, kernel, initrd and base images.
std::string state_key(const VmConfig& vm, const std::string& accel);

/// The id QEMU gives the drive of disk `i` (for blockdev-snapshot-sync).
std::string drive_id(const VmConfig& vm, std::size_t i);

/// `path` escaped for a QEMU option value (commas doubled).
std::string qemu_escape(const std::string& path);

}  // namespace vt::qemu
