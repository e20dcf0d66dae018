// Named exclusive resources (a test's `locks`): flock on `<dir>/<name>.lock`, so two tests
// that share a name never overlap, in this job or in any other vtrun process on the host, of
// any user (the directory is world-writable and sticky, like /tmp). The kernel drops a lock
// when its holder dies, so a crash never leaves one behind.
#pragma once

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace vt::core {

class NamedLocks {
 public:
  /// Creates `dir` (mode 1777) when missing. Throws sdk::Error when it cannot.
  explicit NamedLocks(std::filesystem::path dir);

  /// Locks held together; released when destroyed.
  class Held {
   public:
    Held() = default;
    Held(Held&&) noexcept;
    Held& operator=(Held&&) noexcept;
    ~Held();

   private:
    friend class NamedLocks;
    std::vector<int> fds_;
  };

  /// Takes every lock in `names` without waiting, or none of them. nullopt when one is held
  /// elsewhere; `busy` then names it. Throws sdk::Error when a lock file cannot be opened.
  std::optional<Held> try_acquire(const std::vector<std::string>& names, std::string* busy) const;

  /// Throws sdk::ConfigError unless `name` is usable as a lock name: letters, digits and
  /// `._:-`, not starting with '.'.
  static void check_name(const std::string& name);

  const std::filesystem::path& dir() const noexcept { return dir_; }

 private:
  std::filesystem::path dir_;
};

}  // namespace vt::core
