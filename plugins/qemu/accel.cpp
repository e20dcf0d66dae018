#include "accel.h"

#include <fcntl.h>
#include <linux/kvm.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>

namespace vt::qemu {

namespace {

AccelChoice probe() {
  if (const char* forced = std::getenv("VTRUN_QEMU_ACCEL"); forced != nullptr && *forced != '\0') {
    const std::string v = forced;
    if (v == "kvm" || v == "tcg") return {v, "VTRUN_QEMU_ACCEL=" + v};
  }
  const int fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
  if (fd < 0)
    return {"tcg", std::string("/dev/kvm cannot be opened (") + std::strerror(errno) +
                       "): software emulation (TCG), much slower"};
  const int api = ioctl(fd, KVM_GET_API_VERSION, 0);
  close(fd);
  if (api != KVM_API_VERSION)
    return {"tcg", "/dev/kvm answers API version " + std::to_string(api) + ", expected " +
                       std::to_string(KVM_API_VERSION) + ": software emulation (TCG)"};
  std::error_code ec;
  if (std::filesystem::exists("/sys/module/kvm_pvm", ec))
    return {"tcg",
            "/dev/kvm is PVM (module kvm_pvm), which boots only PVM-enabled guest kernels: "
            "software emulation (TCG)"};
  return {"kvm", "/dev/kvm is usable: hardware acceleration (KVM)"};
}

}  // namespace

const AccelChoice& choose_accel() {
  static const AccelChoice choice = probe();
  return choice;
}

}  // namespace vt::qemu
