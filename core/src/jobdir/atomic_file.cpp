#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <string>

#include "vt/core/atomic_file.h"
#include "vt/sdk/error.h"

namespace vt::core {

namespace fs = std::filesystem;

void replace_symlink_atomic(const fs::path& target, const fs::path& link) {
  static std::atomic<unsigned> counter{0};
  const std::string tmp =
      link.string() + ".tmp." + std::to_string(getpid()) + "." + std::to_string(counter++);
  std::error_code ec;
  fs::create_symlink(target, tmp, ec);
  if (ec) throw sdk::Error("cannot create link '" + link.string() + "': " + ec.message());
  if (rename(tmp.c_str(), link.c_str()) != 0) {
    const int err = errno;
    unlink(tmp.c_str());
    throw sdk::Error("cannot replace link '" + link.string() + "': " + std::strerror(err));
  }
}

}  // namespace vt::core
