// Validates plugin libraries before trusting them: file → entry symbol → ABI → fingerprint →
// unique names. Only after the ABI and fingerprint match is any C++ type of the plugin touched.
#include "vt/core/plugin_registry.h"

#include <dlfcn.h>

#include <algorithm>
#include <boost/dll/shared_library.hpp>
#include <cstdlib>
#include <sstream>

#include "vt/sdk/error.h"
#include "vt/sdk/version.h"

namespace vt::core {

namespace fs = std::filesystem;

struct PluginRegistry::Library {
  boost::dll::shared_library handle;
};

struct PluginRegistry::Entry {
  LoadedFactory info;
  const sdk::Factory* factory = nullptr;
  std::shared_ptr<Library> library;
};

PluginRegistry::PluginRegistry() = default;
PluginRegistry::~PluginRegistry() = default;

namespace {

std::string quoted_name(const fs::path& file) {
  return "plugin '" + file.filename().string() + "'";
}

const char* core_fingerprint() {
  return VT_SDK_BUILD_FINGERPRINT;
}

bool factory_has_maker(const sdk::Factory& f) {
  switch (f.kind) {
    case sdk::PluginKind::backend:
      return f.make_testbed != nullptr;
    case sdk::PluginKind::reporter:
      return f.make_reporter != nullptr;
    case sdk::PluginKind::scheduler:
      return f.make_scheduler != nullptr;
  }
  return false;
}

}  // namespace

std::vector<fs::path> PluginRegistry::default_search_path() {
  std::vector<fs::path> dirs;
  auto add = [&dirs](const fs::path& d) {
    std::error_code ec;
    if (!d.empty() && fs::is_directory(d, ec) &&
        std::find(dirs.begin(), dirs.end(), d) == dirs.end())
      dirs.push_back(d);
  };
  // The build tree's plugins, only for the build tree's own vtrun (and tests): an installed
  // vtrun must not pick up whatever a build directory holds.
  std::error_code ec;
  const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (!ec && exe.parent_path() == fs::path(VTRUN_BUILD_BIN_DIR)) add(VTRUN_BUILD_PLUGIN_DIR);
  if (const char* env = std::getenv("VTRUN_PLUGIN_PATH")) {
    std::stringstream ss(env);
    std::string item;
    while (std::getline(ss, item, ':')) add(item);
  }
  // The install layout relative to the running vtrun (bin/ -> lib/vtrun/plugins), so a tree
  // installed under any prefix finds its plugins; then the configured install directory.
  if (!ec) add(exe.parent_path().parent_path() / VTRUN_INSTALL_LIBDIR / "vtrun" / "plugins");
  add(VTRUN_INSTALL_PLUGIN_DIR);
  return dirs;
}

void PluginRegistry::load_directories(const std::vector<fs::path>& dirs) {
  for (const auto& dir : dirs) {
    std::vector<fs::path> files;
    std::error_code ec;
    for (const auto& ent : fs::directory_iterator(dir, ec)) {
      const auto name = ent.path().filename().string();
      if (name.rfind("libvt_", 0) == 0 && ent.path().extension() == ".so")
        files.push_back(ent.path());
    }
    std::sort(files.begin(), files.end());
    for (const auto& f : files) load_file(f);
  }
}

bool PluginRegistry::load_file(const fs::path& file) {
  const std::string who = quoted_name(file);
  auto refuse = [&](const std::string& reason) {
    refused_.push_back({file, reason});
    return false;
  };
  std::error_code ec;
  if (!fs::is_regular_file(file, ec))
    return refuse(who + ": file '" + file.string() + "' does not exist or is not a regular file");
  // The same library found twice on the search path (build tree and install): first one wins.
  for (const auto& lib : libraries_)
    if (lib && fs::equivalent(lib->handle.location(), file, ec))
      return refuse(who + ": already loaded from '" + lib->handle.location().string() + "'");

  auto library = std::make_shared<Library>();
  try {
    library->handle.load(file, boost::dll::load_mode::rtld_now | boost::dll::load_mode::rtld_local);
  } catch (const std::exception& e) {
    return refuse(who + ": cannot be loaded: " + e.what() +
                  " — check that it was built for this machine and its libraries are installed");
  }
  if (!library->handle.has(sdk::plugin_entry_name))
    return refuse(who + ": no entry symbol '" + std::string(sdk::plugin_entry_name) +
                  "' — it is not a vtrun plugin, or it was built without VT_PLUGIN_ENTRY()");
  // BOOST_DLL_ALIAS exports a pointer to the function under the alias name.
  const auto entry = *library->handle.get<sdk::PluginEntry>(sdk::plugin_entry_name);
  const sdk::PluginHeader* header = entry != nullptr ? entry() : nullptr;
  if (header == nullptr)
    return refuse(who + ": entry '" + std::string(sdk::plugin_entry_name) + "' returned nothing");
  if (header->abi_version != sdk::abi_version)
    return refuse(who + ": ABI version " + std::to_string(header->abi_version) +
                  ", vtrun expects " + std::to_string(sdk::abi_version) +
                  " — rebuild it against vtrun-sdk " + std::to_string(sdk::abi_version) + ".x");
  if (header->header_size != sizeof(sdk::PluginHeader))
    return refuse(who + ": plugin header of " + std::to_string(header->header_size) +
                  " bytes, vtrun expects " + std::to_string(sizeof(sdk::PluginHeader)) +
                  " — rebuild it against this vtrun-sdk");
  const std::string fingerprint = header->fingerprint != nullptr ? header->fingerprint : "";
  if (fingerprint != core_fingerprint())
    return refuse(who + ": build fingerprint '" + fingerprint + "', vtrun has '" +
                  core_fingerprint() +
                  "' — rebuild it with the same compiler and standard "
                  "library as vtrun");

  const sdk::Manifest* manifest = nullptr;
  try {
    manifest = header->manifest != nullptr ? header->manifest() : nullptr;
  } catch (const std::exception& e) {
    return refuse(who + ": its manifest threw: " + e.what() + " — fix the plugin");
  } catch (...) {
    return refuse(who + ": its manifest threw an unknown exception — fix the plugin");
  }
  if (manifest == nullptr) return refuse(who + ": it returned no manifest — fix the plugin");

  // Check every factory first, so a library is taken whole or not at all.
  for (const auto& f : manifest->factories) {
    if (!factory_has_maker(f))
      return refuse(who + ": " + sdk::to_string(f.kind) + " '" + f.name + "' has no make_" +
                    (f.kind == sdk::PluginKind::backend ? "testbed" : sdk::to_string(f.kind)) +
                    " function — set the one matching its kind");
    for (const auto& other : manifest->factories)
      if (&other != &f && other.kind == f.kind && other.name == f.name)
        return refuse(who + ": declares " + sdk::to_string(f.kind) + " '" + f.name +
                      "' twice — give each factory its own name");
    if (const LoadedFactory* existing = find(f.kind, f.name))
      return refuse(who + ": " + sdk::to_string(f.kind) + " '" + f.name +
                    "' is already provided by '" + existing->path.string() +
                    "' — rename one of them or remove one from the plugin path");
  }
  // Accepted libraries stay mapped until the process exits, even after the registry and every
  // object are gone: unloading code that may own static state (libxml2's, say) or running
  // threads' code gains nothing and makes leak checkers lose track of reachable memory.
  dlopen(file.c_str(), RTLD_NOW | RTLD_NOLOAD | RTLD_NODELETE);
  libraries_.push_back(library);
  for (const auto& f : manifest->factories) {
    LoadedFactory info{f.kind, f.name, f.summary, manifest->name, manifest->version, file};
    factories_.push_back(info);
    entries_.push_back({info, &f, library});
  }
  return true;
}

std::vector<std::string> PluginRegistry::names(sdk::PluginKind kind) const {
  std::vector<std::string> out;
  for (const auto& f : factories_)
    if (f.kind == kind) out.push_back(f.name);
  std::sort(out.begin(), out.end());
  return out;
}

const LoadedFactory* PluginRegistry::find(sdk::PluginKind kind, const std::string& name) const {
  for (const auto& f : factories_)
    if (f.kind == kind && f.name == name) return &f;
  return nullptr;
}

const PluginRegistry::Entry& PluginRegistry::entry_for(sdk::PluginKind kind,
                                                       const std::string& name) const {
  for (const auto& e : entries_)
    if (e.info.kind == kind && e.info.name == name) return e;
  std::string known;
  for (const auto& n : names(kind)) known += (known.empty() ? "" : ", ") + n;
  throw sdk::ConfigError(std::string("unknown ") + sdk::to_string(kind) + " '" + name +
                         "' — known: " + (known.empty() ? "none (no plugin loaded)" : known) +
                         "; `vtrun plugins` shows what was found and refused");
}

namespace {
template <class T, class Make, class... Args>
PluginPtr<T> create(const LoadedFactory& info, const std::shared_ptr<const void>& library,
                    Make make, Args&&... args) {
  std::unique_ptr<T> object;
  const std::string who = "plugin '" + info.path.filename().string() + "': creating " +
                          sdk::to_string(info.kind) + " '" + info.name + "' failed: ";
  try {
    object = make(std::forward<Args>(args)...);
  } catch (const sdk::ConfigError& e) {
    throw sdk::ConfigError(who + e.what());
  } catch (const sdk::UnavailableError& e) {
    throw sdk::UnavailableError(who + e.what());
  } catch (const std::exception& e) {
    throw sdk::Error(who + e.what());
  } catch (...) {
    throw sdk::Error(who + "unknown exception");
  }
  if (!object) throw sdk::Error(who + "it returned nothing");
  return PluginPtr<T>(object.release(), PluginDeleter<T>{library});
}
}  // namespace

PluginPtr<sdk::Testbed> PluginRegistry::make_testbed(const std::string& name, sdk::Host& host,
                                                     const sdk::TestbedSpec& spec) const {
  const Entry& e = entry_for(sdk::PluginKind::backend, name);
  return create<sdk::Testbed>(e.info, e.library, e.factory->make_testbed, host, spec);
}

PluginPtr<sdk::Reporter> PluginRegistry::make_reporter(const std::string& name, sdk::Host& host,
                                                       const sdk::ReporterSpec& spec) const {
  const Entry& e = entry_for(sdk::PluginKind::reporter, name);
  return create<sdk::Reporter>(e.info, e.library, e.factory->make_reporter, host, spec);
}

PluginPtr<sdk::Scheduler> PluginRegistry::make_scheduler(const std::string& name, sdk::Host& host,
                                                         const sdk::SchedulerSpec& spec) const {
  const Entry& e = entry_for(sdk::PluginKind::scheduler, name);
  return create<sdk::Scheduler>(e.info, e.library, e.factory->make_scheduler, host, spec);
}

std::optional<std::vector<sdk::HostCheck>> PluginRegistry::check_host(const std::string& name,
                                                                      sdk::Host& host) const {
  const Entry& e = entry_for(sdk::PluginKind::backend, name);
  if (e.factory->check_host == nullptr) return std::nullopt;
  const std::string who = "plugin '" + e.info.path.filename().string() + "': checking the host " +
                          "for backend '" + name + "' failed: ";
  try {
    return e.factory->check_host(host);
  } catch (const std::exception& ex) {
    throw sdk::Error(who + ex.what() + " — check_host must report problems, not throw");
  } catch (...) {
    throw sdk::Error(who + "unknown exception — check_host must report problems, not throw");
  }
}

}  // namespace vt::core
