// A concurrency slot, as test.docker.sh takes one: the lowest N whose
// `<dir>/pv_appengine.slot.<N>.lock` can be flock()ed. The descriptor stays open while the slot
// is held, so the kernel frees the slot when vtrun exits or crashes; vtrun and Pantavisor's
// own runner share the same slots on one host. Slot N names the container
// (`pantavisor-tester-N`) and its host port (8222+N).
#pragma once

#include <filesystem>

namespace vt::appengine {

class DeviceSlot {
 public:
  /// Takes the lowest free slot below `limit`. Throws sdk::InfrastructureError when none is
  /// free or the lock directory is unusable.
  explicit DeviceSlot(const std::filesystem::path& dir, int limit = 256);
  ~DeviceSlot();
  DeviceSlot(const DeviceSlot&) = delete;
  DeviceSlot& operator=(const DeviceSlot&) = delete;

  int index() const noexcept { return index_; }

 private:
  int fd_ = -1;
  int index_ = -1;
};

}  // namespace vt::appengine
