#include "providers/cache_pruning.h"

namespace vt::core {

namespace fs = std::filesystem;

void touch_cache_entry(const fs::path& entry) {
  std::error_code ec;
  fs::last_write_time(entry, fs::file_time_type::clock::now(), ec);
}

void prune_cache_entries(const fs::path& parent, const fs::path& keep,
                         const std::function<bool(const std::string&)>& prunable) {
  std::error_code ec;
  const auto now = fs::file_time_type::clock::now();
  for (const auto& other : fs::directory_iterator(parent, ec)) {
    if (other.path() == keep) continue;
    const std::string name = other.path().filename().string();
    const bool temporary =
        name.find(".partial-") != std::string::npos || name.find(".tar-") != std::string::npos;
    if (!temporary && !(prunable(name) && other.is_directory(ec))) continue;
    std::error_code age_ec;
    const auto age = now - other.last_write_time(age_ec);
    if (!age_ec && age > (temporary ? std::chrono::hours(24) : unused_cache_entry_age))
      fs::remove_all(other.path(), age_ec);
  }
}

}  // namespace vt::core
