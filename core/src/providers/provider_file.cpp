// providers.d as a whole: which files count, how a provider is named, where its tests are.
#include <algorithm>
#include <system_error>

#include "providers/provider_readers.h"
#include "providers/uri.h"
#include "vt/core/provider.h"
#include "vt/core/provider_fetch.h"
#include "vt/sdk/error.h"

namespace vt::core {
namespace {

std::filesystem::path absolute_normal(const std::filesystem::path& p) {
  return std::filesystem::absolute(p).lexically_normal();
}

std::string in_quotes(const std::string& s) {
  return "'" + s + "'";
}

bool is_definition(const std::filesystem::directory_entry& entry) {
  std::error_code ec;
  const std::string name = entry.path().filename().string();
  const std::string ext = entry.path().extension().string();
  // Avocado-VT globs `*.ini`, and a glob skips dot files (editor backups, .#locks).
  return !name.starts_with(".") && (ext == ".ini" || ext == ".toml") && entry.is_regular_file(ec);
}

}  // namespace

const char* to_string(UriKind kind) noexcept {
  switch (kind) {
    case UriKind::git:
      return "git";
    case UriKind::archive:
      return "archive";
    case UriKind::file_url:
      return "file_url";
    case UriKind::path:
      return "path";
  }
  return "unknown";
}

std::optional<BackendSection> Provider::section_for(const std::string& backend) const {
  if (const auto it = backends.find(backend); it != backends.end()) return it->second;
  if (const auto it = backends.find("generic"); it != backends.end()) return it->second;
  return std::nullopt;
}

std::string detail::checked_subdir(const std::string& subdir, const std::string& file, int line) {
  const std::filesystem::path path(subdir);
  if (path.is_absolute()) {
    throw sdk::ConfigError(file, line,
                           "expected 'subdir' relative to the provider root, got " +
                               in_quotes(subdir) + " — remove the leading '/'");
  }
  std::string normal = path.lexically_normal().generic_string();
  while (normal.size() > 1 && normal.ends_with("/")) normal.pop_back();
  if (normal == ".") normal.clear();
  if (normal == ".." || normal.starts_with("../")) {
    throw sdk::ConfigError(file, line,
                           "expected 'subdir' inside the provider root, got " + in_quotes(subdir) +
                               " — name a directory of the provider, without '..'");
  }
  return normal;
}

Provider read_provider_file(const std::filesystem::path& file) {
  const std::filesystem::path definition = absolute_normal(file);
  const std::string file_name = definition.filename().string();
  // Avocado-VT: `os.path.basename(path).split('.')[0]`.
  const std::string name = file_name.substr(0, file_name.find('.'));
  if (name.empty()) {
    throw sdk::ConfigError(definition.string(), 0,
                           "expected a provider name before the first '.' of the file name, "
                           "got " +
                               in_quotes(file_name) + " — rename the file, e.g. 'my-tests.toml'");
  }
  const std::string ext = definition.extension().string();
  Provider provider;
  if (ext == ".ini") {
    provider = detail::read_ini_provider(definition);
  } else if (ext == ".toml") {
    provider = detail::read_toml_provider(definition);
  } else {
    throw sdk::ConfigError(definition.string(), 0,
                           "expected a .ini or .toml provider definition, got " +
                               in_quotes(file_name) + " — rename it to end in .ini or .toml");
  }
  provider.name = name;
  return provider;
}

std::vector<Provider> read_providers_dir(const std::filesystem::path& dir) {
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec)) {
    throw sdk::ConfigError(
        dir.string(), 0,
        "expected a directory of provider definitions, got " +
            std::string(std::filesystem::exists(dir, ec) ? "a file" : "nothing") +
            " — create it or point --providers at one");
  }
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (is_definition(entry)) files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end(), [](const auto& a, const auto& b) {
    return a.filename().string() < b.filename().string();
  });
  std::vector<Provider> providers;
  for (const std::filesystem::path& file : files) {
    Provider provider = read_provider_file(file);
    const auto same = std::find_if(providers.begin(), providers.end(),
                                   [&](const Provider& p) { return p.name == provider.name; });
    if (same != providers.end()) {
      throw sdk::ConfigError(
          provider.definition.string(), 0,
          "expected one definition per provider, got " + in_quotes(provider.name) + " in both " +
              in_quotes(same->definition.string()) + " and " +
              in_quotes(provider.definition.string()) + " — rename or remove one of the files");
    }
    providers.push_back(std::move(provider));
  }
  return providers;
}

std::filesystem::path provider_root(const Provider& provider) {
  return provider.resolved ? provider.resolved->root : resolve_provider(provider).root;
}

}  // namespace vt::core
