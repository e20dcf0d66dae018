#include "device_slot.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "vt/sdk/error.h"

namespace vt::appengine {

DeviceSlot::DeviceSlot(const std::filesystem::path& dir, int limit) {
  for (int n = 0; n < limit; ++n) {
    const auto path = dir / ("pv_appengine.slot." + std::to_string(n) + ".lock");
    // 0666 as test.docker.sh's files: other users' runs share the slots.
    const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0666);
    if (fd < 0)
      throw sdk::InfrastructureError("appengine: cannot open the slot lock '" + path.string() +
                                     "': " + std::strerror(errno) +
                                     " — check appengine_slot_dir and its permissions");
    if (::flock(fd, LOCK_EX | LOCK_NB) == 0) {
      fd_ = fd;
      index_ = n;
      return;
    }
    ::close(fd);
  }
  throw sdk::InfrastructureError("appengine: all " + std::to_string(limit) + " slots in '" +
                                 dir.string() + "' are taken — wait for other runs to end");
}

DeviceSlot::~DeviceSlot() {
  if (fd_ >= 0) ::close(fd_);  // releases the flock
}

}  // namespace vt::appengine
