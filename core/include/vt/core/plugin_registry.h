// Finds, validates and keeps plugin libraries; creates plugin objects (DESIGN.md "The plugin
// contract"). Boost.DLL stays inside the .cpp: this header holds the library as shared_ptr<void>.
#pragma once

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "vt/sdk/plugin.h"

namespace vt::core {

/// Deleter that keeps the plugin's library loaded for as long as the object lives.
template <class T>
struct PluginDeleter {
  std::shared_ptr<const void> library;  ///< keeps the .so mapped; released after `delete`
  void operator()(T* object) const noexcept { delete object; }
};
template <class T>
using PluginPtr = std::unique_ptr<T, PluginDeleter<T>>;

/// A factory that passed every check.
struct LoadedFactory {
  sdk::PluginKind kind;
  std::string name;
  std::string summary;
  std::string plugin;   ///< the manifest's plugin name
  std::string version;  ///< the manifest's plugin version
  std::filesystem::path path;
};

/// A library (or one factory of it) that was refused, and why.
struct RefusedPlugin {
  std::filesystem::path path;
  std::string reason;  ///< full sentence naming the file, expected vs got, and the fix
};

class PluginRegistry {
 public:
  PluginRegistry();
  ~PluginRegistry();
  PluginRegistry(const PluginRegistry&) = delete;
  PluginRegistry& operator=(const PluginRegistry&) = delete;

  /// The default search path: the build tree's plugin dir, each entry of $VTRUN_PLUGIN_PATH
  /// (colon-separated), the install libdir's vtrun/plugins. Only existing directories.
  static std::vector<std::filesystem::path> default_search_path();

  /// Loads every `libvt_*.so` in `dirs` (in order; files sorted by name within a directory).
  /// Never throws for a bad plugin: it is recorded in refused().
  void load_directories(const std::vector<std::filesystem::path>& dirs);

  /// Loads one library file. Returns false (and records why) when it is refused.
  bool load_file(const std::filesystem::path& file);

  const std::vector<LoadedFactory>& factories() const noexcept { return factories_; }
  const std::vector<RefusedPlugin>& refused() const noexcept { return refused_; }

  /// Names of the factories of one kind, sorted.
  std::vector<std::string> names(sdk::PluginKind kind) const;

  /// Create an object. Throws sdk::ConfigError when no factory has that name (listing the
  /// known ones) and sdk::Error naming the plugin when its factory throws.
  PluginPtr<sdk::Testbed> make_testbed(const std::string& name, sdk::Host& host,
                                       const sdk::TestbedSpec& spec) const;
  PluginPtr<sdk::Reporter> make_reporter(const std::string& name, sdk::Host& host,
                                         const sdk::ReporterSpec& spec) const;
  PluginPtr<sdk::Scheduler> make_scheduler(const std::string& name, sdk::Host& host,
                                           const sdk::SchedulerSpec& spec) const;

  /// What the host offers for backend `name` (`vtrun check`): its factory's check_host, or
  /// nullopt when it declares none. Throws sdk::ConfigError for an unknown backend and
  /// sdk::Error naming the plugin when check_host throws (which it must not).
  std::optional<std::vector<sdk::HostCheck>> check_host(const std::string& name,
                                                        sdk::Host& host) const;

  /// Throws the same sdk::ConfigError as the make_* functions when no factory of `kind` is
  /// named `name`; lets callers check every name before they create anything.
  void require(sdk::PluginKind kind, const std::string& name) const { entry_for(kind, name); }

  /// The factory named `name` of `kind`, or nullptr.
  const LoadedFactory* find(sdk::PluginKind kind, const std::string& name) const;

 private:
  struct Library;
  struct Entry;
  const Entry& entry_for(sdk::PluginKind kind, const std::string& name) const;

  std::vector<std::shared_ptr<Library>> libraries_;
  std::vector<Entry> entries_;
  std::vector<LoadedFactory> factories_;
  std::vector<RefusedPlugin> refused_;
};

}  // namespace vt::core
