#include "runner/named_locks.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "vt/sdk/error.h"

namespace vt::core {

namespace fs = std::filesystem;

NamedLocks::NamedLocks(fs::path dir) : dir_(std::move(dir)) {
  std::error_code ec;
  if (fs::is_directory(dir_, ec)) return;
  fs::create_directories(dir_.parent_path(), ec);
  if (mkdir(dir_.c_str(), 01777) == 0) {
    chmod(dir_.c_str(), 01777);  // mkdir's mode went through the umask
    return;
  }
  if (errno == EEXIST && fs::is_directory(dir_, ec)) return;
  throw sdk::Error("cannot create the lock directory '" + dir_.string() +
                   "': " + std::strerror(errno) + " — set --lock-dir or $VTRUN_LOCK_DIR");
}

NamedLocks::Held::Held(Held&& other) noexcept : fds_(std::move(other.fds_)) {
  other.fds_.clear();
}

NamedLocks::Held& NamedLocks::Held::operator=(Held&& other) noexcept {
  if (this != &other) {
    for (int fd : fds_) close(fd);
    fds_ = std::move(other.fds_);
    other.fds_.clear();
  }
  return *this;
}

NamedLocks::Held::~Held() {
  for (int fd : fds_) close(fd);  // closing the last fd of the open file drops its flock
}

void NamedLocks::check_name(const std::string& name) {
  const bool ok =
      !name.empty() && name[0] != '.' && std::all_of(name.begin(), name.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
               c == '.' || c == '_' || c == ':' || c == '-';
      });
  if (!ok)
    throw sdk::ConfigError("lock name '" + name +
                           "': expected letters, digits and '._:-', not starting with '.' — "
                           "e.g. locks = [\"base-image\"]");
}

std::optional<NamedLocks::Held> NamedLocks::try_acquire(const std::vector<std::string>& names,
                                                        std::string* busy) const {
  Held held;
  // Sorted and unique: two tests asking for the same set take it in the same order.
  std::vector<std::string> sorted = names;
  std::sort(sorted.begin(), sorted.end());
  sorted.erase(std::unique(sorted.begin(), sorted.end()), sorted.end());
  for (const auto& name : sorted) {
    const fs::path file = dir_ / (name + ".lock");
    // Read-only is enough for flock, and works on a file another user created.
    const int fd = open(file.c_str(), O_RDONLY | O_CREAT | O_CLOEXEC, 0666);
    if (fd < 0)
      throw sdk::Error("cannot open lock file '" + file.string() + "': " + std::strerror(errno));
    struct stat st {};
    if (fstat(fd, &st) == 0 && st.st_uid == geteuid()) fchmod(fd, 0666);
    if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
      close(fd);
      if (busy != nullptr) *busy = name;
      return std::nullopt;  // `held` releases what was taken so far
    }
    held.fds_.push_back(fd);
  }
  return held;
}

}  // namespace vt::core
