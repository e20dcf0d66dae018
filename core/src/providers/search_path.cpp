// Where providers.d is looked for (DESIGN.md, "Test providers").
#include <cstdlib>
#include <system_error>

#include "vt/core/provider.h"
#include "vt/sdk/error.h"

namespace vt::core {
namespace {

std::optional<std::filesystem::path> env_path(const char* name) {
  const char* value = std::getenv(name);
  if (value == nullptr || *value == '\0') return std::nullopt;
  return std::filesystem::path(value);
}

// XDG Base Directory: an unset, empty or relative $XDG_CONFIG_HOME means ~/.config.
std::optional<std::filesystem::path> user_config_dir() {
  if (auto xdg = env_path("XDG_CONFIG_HOME"); xdg && xdg->is_absolute()) return xdg;
  if (auto home = env_path("HOME")) return *home / ".config";
  return std::nullopt;
}

}  // namespace

std::vector<std::filesystem::path> providers_search_path(
    const std::optional<std::filesystem::path>& cli_dir) {
  if (cli_dir) return {*cli_dir};
  std::vector<std::filesystem::path> dirs;
  std::error_code ec;
  const std::filesystem::path cwd = std::filesystem::current_path(ec);
  dirs.push_back(ec ? std::filesystem::path("providers.d") : cwd / "providers.d");
  if (auto config = user_config_dir()) dirs.push_back(*config / "vtrun" / "providers.d");
  dirs.emplace_back("/etc/vtrun/providers.d");
  return dirs;
}

std::filesystem::path find_providers_dir(const std::optional<std::filesystem::path>& cli_dir) {
  std::error_code ec;
  if (cli_dir) {
    if (std::filesystem::is_directory(*cli_dir, ec)) return *cli_dir;
    const bool exists = std::filesystem::exists(*cli_dir, ec);
    throw sdk::ConfigError("expected --providers to name a directory, got '" + cli_dir->string() +
                           "', " + (exists ? "a file" : "which does not exist") +
                           " — create it or pass an existing directory");
  }
  const std::vector<std::filesystem::path> dirs = providers_search_path(std::nullopt);
  std::string searched;
  for (const std::filesystem::path& dir : dirs) {
    if (std::filesystem::is_directory(dir, ec)) return dir;
    searched += (searched.empty() ? "'" : ", '") + dir.string() + "'";
  }
  throw sdk::ConfigError("expected a providers.d directory, got none in " + searched +
                         " — create one of them or pass --providers DIR");
}

}  // namespace vt::core
