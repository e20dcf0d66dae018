#include "qemu_command.h"

#include <sys/stat.h>

#include <cstdlib>

namespace vt::qemu {

namespace fs = std::filesystem;

namespace {

std::string identity(const fs::path& file) {
  struct stat st {};
  if (stat(file.c_str(), &st) != 0) return file.string() + ":missing";
  return file.string() + ":" + std::to_string(st.st_size) + ":" +
         std::to_string(st.st_mtim.tv_sec) + "." + std::to_string(st.st_mtim.tv_nsec);
}

fs::path find_in_path(const std::string& program) {
  if (program.find('/') != std::string::npos) return program;
  const char* path = std::getenv("PATH");
  std::string dirs = path != nullptr ? path : "/usr/bin:/bin";
  for (std::size_t start = 0; start <= dirs.size();) {
    const std::size_t end = std::min(dirs.find(':', start), dirs.size());
    const fs::path candidate = fs::path(dirs.substr(start, end - start)) / program;
    if (access(candidate.c_str(), X_OK) == 0) return candidate;
    start = end + 1;
  }
  return program;
}

// Everything that decides what the guest sees. Disk and NIC backends appear only as the
// devices' ids: their files and sockets differ between instances of the same guest.
std::vector<std::string> shaping_args(const VmConfig& vm, const std::string& accel) {
  std::vector<std::string> a = {"-accel",   accel,
                                "-machine", vm.machine_type,
                                "-m",       std::to_string(vm.mem_mb),
                                "-smp",     std::to_string(vm.smp)};
  if (accel == "kvm") a.insert(a.end(), {"-cpu", "host"});
  if (!vm.kernel.empty()) a.insert(a.end(), {"-kernel", vm.kernel.string()});
  if (!vm.initrd.empty()) a.insert(a.end(), {"-initrd", vm.initrd.string()});
  if (!vm.kernel.empty()) a.insert(a.end(), {"-append", vm.kernel_params});
  a.insert(a.end(),
           {"-device", "virtio-serial-pci,id=vser0", "-device",
            "virtserialport,bus=vser0.0,chardev=qga0,id=qga0,name=org.qemu.guest_agent.0"});
  bool scsi = false;
  int ide = 0;
  for (std::size_t i = 0; i < vm.disks.size(); ++i) {
    const DiskSpec& d = vm.disks[i];
    const std::string drive = drive_id(vm, i);
    if (d.drive_format == "virtio") {
      a.insert(a.end(), {"-device", "virtio-blk-pci,drive=" + drive + ",id=" + d.name});
    } else if (d.drive_format == "ide") {
      a.insert(a.end(), {"-device", "ide-hd,drive=" + drive + ",id=" + d.name + ",bus=ide." +
                                        std::to_string(ide++)});
    } else {
      if (!scsi) a.insert(a.end(), {"-device", "virtio-scsi-pci,id=scsi0"});
      scsi = true;
      a.insert(a.end(), {"-device", "scsi-hd,drive=" + drive + ",id=" + d.name});
    }
  }
  for (const NicSpec& n : vm.nics)
    a.insert(a.end(),
             {"-device", n.model + ",netdev=net-" + n.name + ",mac=" + n.mac + ",id=" + n.name});
  a.insert(a.end(), vm.extra_args.begin(), vm.extra_args.end());
  return a;
}

}  // namespace

std::string qemu_escape(const std::string& path) {
  std::string out;
  for (char c : path) {
    out += c;
    if (c == ',') out += ',';
  }
  return out;
}

std::string drive_id(const VmConfig& vm, std::size_t i) {
  return "drive-" + vm.disks[i].name;
}

std::vector<std::string> qemu_argv(const VmConfig& vm, const std::string& accel,
                                   const InstancePaths& paths, bool incoming) {
  std::vector<std::string> a = {
      vm.qemu_binary, "-name",           paths.name + ",debug-threads=off",
      "-nodefaults",  "-no-user-config", "-display",
      "none",         "-pidfile",        paths.pidfile.string()};
  const auto shaping = shaping_args(vm, accel);
  a.insert(a.end(), shaping.begin(), shaping.end());
  a.insert(
      a.end(),
      {"-chardev",
       "socket,id=qmp0,path=" + qemu_escape(paths.qmp_socket.string()) + ",server=on,wait=off",
       "-mon", "chardev=qmp0,mode=control", "-chardev",
       "socket,id=qga0,path=" + qemu_escape(paths.agent_socket.string()) + ",server=on,wait=off",
       "-chardev", "file,id=con0,append=on,path=" + qemu_escape(vm.console_log.string()), "-serial",
       "chardev:con0"});
  for (std::size_t i = 0; i < vm.disks.size(); ++i)
    a.insert(a.end(), {"-drive", "file=" + qemu_escape(paths.overlays[i].string()) +
                                     ",format=qcow2,if=none,cache=unsafe,id=" + drive_id(vm, i)});
  for (const NicSpec& n : vm.nics) {
    if (n.nettype == "user") {
      const bool forward = paths.ssh_port != 0 && &n == &vm.nics.front();
      a.insert(a.end(),
               {"-netdev",
                "user,id=net-" + n.name +
                    (forward ? ",hostfwd=tcp:127.0.0.1:" + std::to_string(paths.ssh_port) + "-:22"
                             : "")});
    } else {
      a.insert(a.end(),
               {"-netdev",
                "dgram,id=net-" + n.name +
                    ",local.type=unix,local.path=" + qemu_escape(n.local_socket.string()) +
                    ",remote.type=unix,remote.path=" + qemu_escape(n.remote_socket.string())});
    }
  }
  if (incoming) a.insert(a.end(), {"-incoming", "defer"});
  return a;
}

std::string state_key(const VmConfig& vm, const std::string& accel) {
  std::string key = identity(find_in_path(vm.qemu_binary));
  for (const auto& arg : shaping_args(vm, accel)) key += "\n" + arg;
  for (const auto& file : {vm.kernel, vm.initrd})
    if (!file.empty()) key += "\n" + identity(file);
  for (const auto& d : vm.disks)
    key += "\n" + (d.base.empty() ? "blank:" + d.size : identity(d.base));
  return key;
}

}  // namespace vt::qemu
