// An exclusive flock on a file for an object's lifetime: what serialises concurrent vtrun
// processes over one cache entry (an image build, a provider's extraction). The kernel drops
// it when the process dies, so a crash never leaves it held.
#pragma once

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <functional>
#include <string>

#include "vt/sdk/error.h"

namespace vt::core {

class FileLock {
 public:
  /// Creates `file` if needed and waits for the lock; `on_wait` (may be empty) is called once
  /// first when another process holds it. An existing directory is locked through its own
  /// descriptor, leaving no lock file in it. Throws sdk::Error when it cannot be opened.
  explicit FileLock(const std::filesystem::path& file, const std::function<void()>& on_wait = {})
      : fd_(is_directory(file) ? open(file.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC)
                               : open(file.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644)) {
    if (fd_ < 0)
      throw sdk::Error("cannot open the lock '" + file.string() + "': " + std::strerror(errno));
    if (flock(fd_, LOCK_EX | LOCK_NB) == 0) return;
    if (on_wait) on_wait();
    while (flock(fd_, LOCK_EX) != 0)
      if (errno != EINTR) {
        close(fd_);
        throw sdk::Error("cannot lock '" + file.string() + "': " + std::strerror(errno));
      }
  }
  ~FileLock() { close(fd_); }
  FileLock(const FileLock&) = delete;
  FileLock& operator=(const FileLock&) = delete;

 private:
  static bool is_directory(const std::filesystem::path& path) {
    std::error_code ec;
    return std::filesystem::is_directory(path, ec);
  }

  int fd_;
};

}  // namespace vt::core
