#include <algorithm>
#include <map>

#include "vt/core/plan.h"
#include "vt/sdk/error.h"

namespace vt::core {

namespace fs = std::filesystem;

std::vector<TestCase> discover_tests(const std::vector<Provider>& providers,
                                     const std::string& backend) {
  std::vector<TestCase> tests;
  std::map<std::string, std::pair<fs::path, int>> first_definition;  // id -> where
  for (const Provider& provider : providers) {
    const auto section = provider.section_for(backend);
    // An .ini provider lists the backends it has tests for; one without a section for this
    // backend (or "generic") simply offers none. TOML providers may omit sections entirely.
    if (!section && !provider.backends.empty()) continue;
    const fs::path dir = provider_root(provider) / (section ? section->subdir : std::string());
    if (provider.format == "cartesian")
      throw sdk::ConfigError(provider.definition.string(), provider.uri_line,
                             "provider '" + provider.name +
                                 "' uses the Cartesian format, which this vtrun cannot read yet");
    const fs::path native = dir / "vtrun.toml";
    std::error_code ec;
    if (!fs::exists(native, ec)) {
      if (provider.format == "native")
        throw sdk::ConfigError(provider.definition.string(), provider.uri_line,
                               "provider '" + provider.name + "' has no '" + native.string() +
                                   "' — create it or fix `subdir`");
      continue;
    }
    for (TestCase& t : load_native_tests(native, provider.name)) {
      for (const auto& tag : provider.tags)
        if (std::find(t.tags.begin(), t.tags.end(), tag) == t.tags.end()) t.tags.push_back(tag);
      auto [it, fresh] = first_definition.emplace(t.id, std::make_pair(t.source, t.line));
      if (!fresh)
        throw sdk::ConfigError(t.source.string(), t.line,
                               "test id '" + t.id + "' is also defined at " +
                                   it->second.first.string() + ":" +
                                   std::to_string(it->second.second) + " — rename one of them");
      tests.push_back(std::move(t));
    }
  }
  return tests;
}

}  // namespace vt::core
