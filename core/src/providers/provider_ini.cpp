// providers.d/*.ini, read the way Avocado-VT's get_test_provider_info() reads it.
#include "providers/ini_reader.h"
#include "providers/provider_readers.h"
#include "providers/uri.h"
#include "vt/sdk/error.h"

namespace vt::core::detail {
namespace {

std::string_view strip(std::string_view s) {
  const auto first = s.find_first_not_of(" \t\n\v\f\r");
  if (first == std::string_view::npos) return {};
  return s.substr(first, s.find_last_not_of(" \t\n\v\f\r") - first + 1);
}

// Avocado-VT: `[x.strip() for x in configs.split(',')]`. Empty items are dropped: Avocado-VT
// would keep them as '' names, which no loader can open.
std::vector<std::string> split_configs(std::string_view text) {
  std::vector<std::string> out;
  while (true) {
    const auto comma = text.find(',');
    const std::string_view item = strip(text.substr(0, comma));
    if (!item.empty()) out.emplace_back(item);
    if (comma == std::string_view::npos) break;
    text.remove_prefix(comma + 1);
  }
  return out;
}

}  // namespace

Provider read_ini_provider(const std::filesystem::path& definition) {
  const std::string file = definition.string();
  const ini::File ini = ini::File::read(definition);
  Provider provider;
  provider.definition = definition;

  const ini::Section* section = ini.section("provider");
  if (section == nullptr) {
    throw sdk::ConfigError(file, 0,
                           "expected a [provider] section, got none — add '[provider]' with "
                           "'uri: <where the tests are>'");
  }
  const std::optional<std::string> uri = ini.get("provider", "uri");
  if (!uri) {
    throw sdk::ConfigError(file, section->line,
                           "expected 'uri' in [provider], got none — add e.g. "
                           "'uri: https://github.com/org/tests.git'");
  }
  provider.uri_line = ini.find("provider", "uri")->line;
  provider.uri = classify_uri(*uri, definition, provider.uri_line);
  provider.branch = ini.get("provider", "branch").value_or("");
  provider.ref = ini.get("provider", "ref").value_or("");
  provider.pubkey = ini.get("provider", "pubkey").value_or("");
  const auto line_of = [&](const char* key) {
    const auto* entry = ini.find("provider", key);
    return entry != nullptr ? entry->line : 0;
  };
  provider.branch_line = line_of("branch");
  provider.ref_line = line_of("ref");
  provider.pubkey_line = line_of("pubkey");

  for (const std::string& name : ini.section_names()) {
    if (name == "provider") continue;
    BackendSection backend;
    backend.backend = name;
    backend.line = ini.section(name)->line;
    if (const auto subdir = ini.get(name, "subdir")) {
      backend.subdir = checked_subdir(*subdir, file, ini.find(name, "subdir")->line);
    }
    if (const auto configs = ini.get(name, "configs")) backend.configs = split_configs(*configs);
    provider.backends.emplace(name, std::move(backend));
  }
  return provider;
}

}  // namespace vt::core::detail
