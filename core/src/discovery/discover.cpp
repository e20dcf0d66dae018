// From providers to tests: which format each provider section uses, and one stream of tests.
#include <algorithm>
#include <map>

#include "vt/core/cartesian_loader.h"
#include "vt/core/plan.h"
#include "vt/core/pvtest_loader.h"
#include "vt/sdk/error.h"

namespace vt::core {

namespace fs = std::filesystem;

namespace {

enum class Format { none, native, cartesian, pvtest };

// A provider's tests for one backend: where they are and in which format.
struct Located {
  const Provider* provider = nullptr;
  std::optional<BackendSection> section;
  fs::path dir;
  Format format = Format::none;
};

Located locate(const Provider& provider, const std::string& backend) {
  Located at{&provider, provider.section_for(backend), {}, Format::none};
  // An .ini provider lists the backends it has tests for; one without a section for this
  // backend (or "generic") simply offers none. TOML providers may omit sections entirely.
  if (!at.section && !provider.backends.empty()) return at;
  at.dir = provider_root(provider) / (at.section ? at.section->subdir : std::string());
  const fs::path native = at.dir / "vtrun.toml";
  std::error_code ec;
  if (provider.format == "cartesian") {
    at.format = Format::cartesian;
  } else if (provider.format == "pvtest") {
    at.format = Format::pvtest;
    if (!fs::is_directory(at.dir, ec))
      throw sdk::ConfigError(provider.definition.string(), provider.uri_line,
                             "provider '" + provider.name + "' has no directory '" +
                                 at.dir.string() +
                                 "' for its pv-test tree — fix `uri` or `subdir`");
  } else if (fs::exists(native, ec)) {
    at.format = Format::native;
  } else if (provider.format == "native") {
    throw sdk::ConfigError(provider.definition.string(), provider.uri_line,
                           "provider '" + provider.name + "' has no '" + native.string() +
                               "' — create it or fix `subdir`");
  } else if ((at.section && !at.section->configs.empty()) || has_cartesian_layout(at.dir)) {
    // Avocado-VT's layout: `configs`, a tests.cfg, or tests/cfg/*.cfg, and no vtrun.toml.
    at.format = Format::cartesian;
  } else if (has_pvtest_layout(at.dir)) {
    // Pantavisor's layout: <scope>/<category>/<name>/test.json, or <scope>/common/templates/.
    at.format = Format::pvtest;
  }
  return at;
}

std::string place(const fs::path& file, int line) {
  return file.string() + (line > 0 ? ":" + std::to_string(line) : std::string());
}

// Ids must be unique in a plan. Cartesian ids are remembered only for whole plans: a
// streamed listing of a huge matrix must not hold every id.
class IdCheck {
 public:
  void check(const TestCase& t, bool cartesian, bool remember) {
    if (const auto it = first_.find(t.id); it != first_.end()) {
      if (!cartesian)
        throw sdk::ConfigError(
            t.source.string(), t.line,
            "test id '" + t.id + "' is also defined at " + it->second + " — rename one of them");
      throw sdk::ConfigError(t.source.string(), t.line,
                             "test id '" + t.id + "' (the shortname of dict '" + t.description +
                                 "') is also defined at " + it->second +
                                 " — rename a variant so the shortnames differ, or filter one "
                                 "out with --no");
    }
    if (remember) first_.emplace(t.id, place(t.source, t.line));
  }

 private:
  std::map<std::string, std::string> first_;  // id -> where
};

}  // namespace

void for_each_test(const std::vector<Provider>& providers, const std::string& backend,
                   const DiscoveryOptions& options, const std::function<bool(TestCase&&)>& sink) {
  std::vector<Located> located;
  for (const Provider& provider : providers) located.push_back(locate(provider, backend));
  const bool any_cartesian = std::any_of(located.begin(), located.end(), [](const Located& at) {
    return at.format == Format::cartesian;
  });
  if (!options.cartesian_statements.empty() && !any_cartesian)
    throw sdk::ConfigError(
        "--only, --no and --cartesian filter Cartesian providers, and no "
        "provider offers Cartesian tests for backend '" +
        backend + "' — drop them, or use selectors and --tags");

  IdCheck ids;
  for (const Located& at : located) {
    const Provider& provider = *at.provider;
    const bool cartesian = at.format == Format::cartesian;
    auto deliver = [&](TestCase&& t) {
      for (const auto& tag : provider.tags)
        if (std::find(t.tags.begin(), t.tags.end(), tag) == t.tags.end()) t.tags.push_back(tag);
      ids.check(t, cartesian, !cartesian || options.whole_plan);
      return sink(std::move(t));
    };
    if (at.format == Format::native) {
      for (TestCase& t : load_native_tests(at.dir / "vtrun.toml", provider.name))
        if (!deliver(std::move(t))) return;
    } else if (at.format == Format::pvtest) {
      for (TestCase& t : load_pvtest_tests(at.dir, provider.name))
        if (!deliver(std::move(t))) return;
    } else if (cartesian) {
      CartesianSource source;
      source.provider = provider.name;
      source.dir = at.dir;
      if (at.section) source.configs = at.section->configs;
      source.statements = options.cartesian_statements;
      source.definition = provider.definition;
      source.definition_line = at.section ? at.section->line : provider.uri_line;
      source.params = options.params;
      source.dependencies = options.whole_plan;
      source.debug = options.debug;
      source.stop = options.stop;
      if (!load_cartesian_tests(source, deliver)) return;
    }
  }
}

std::vector<TestCase> discover_tests(const std::vector<Provider>& providers,
                                     const std::string& backend, const DiscoveryOptions& options) {
  std::vector<TestCase> tests;
  for_each_test(providers, backend, options, [&](TestCase&& t) {
    tests.push_back(std::move(t));
    return true;
  });
  return tests;
}

}  // namespace vt::core
