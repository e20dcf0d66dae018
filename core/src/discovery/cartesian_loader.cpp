// A Cartesian provider section as tests: one per dict (docs/providers.md, "Cartesian
// providers").
#include "vt/core/cartesian_loader.h"

#include <algorithm>
#include <charconv>
#include <sstream>
#include <system_error>
#include <unordered_map>

#include "discovery/cartesian_entry.h"
#include "discovery/type_programs.h"
#include "vt/core/cartesian.h"

namespace vt::core {

namespace fs = std::filesystem;

namespace {

// A positive whole number of seconds, else nullopt: Avocado-VT values are free text.
std::optional<std::chrono::seconds> seconds_in(const std::optional<std::string>& value) {
  if (!value || value->empty()) return std::nullopt;
  long long n = 0;
  const char* end = value->data() + value->size();
  const auto [ptr, ec] = std::from_chars(value->data(), end, n);
  if (ec != std::errc() || ptr != end || n <= 0) return std::nullopt;
  return std::chrono::seconds(n);
}

class DictConverter {
 public:
  DictConverter(const CartesianSource& source, const detail::CartesianEntry& entry)
      : source_(source), entry_(entry), programs_(source.dir / "tests") {}

  TestCase convert(const cartesian::Dict& dict) {
    TestCase test;
    // Avocado-VT names a test by its shortname; a dict outside every variant has none.
    test.id = !dict.shortname().empty() ? std::string(dict.shortname())
              : !dict.name().empty()    ? std::string(dict.name())
                                        : source_.provider;
    test.provider = source_.provider;
    test.dir = source_.dir;
    test.description = std::string(dict.name());
    const detail::Place place = entry_.place_of(dict.name());
    test.source = place.file;
    test.line = std::max(place.line, 0);
    if (!source_.params) return test;
    for (auto& [key, value] : dict.items()) test.params.emplace(std::move(key), std::move(value));
    const auto type = test.params.find("type");
    const auto& found = programs_.find(type != test.params.end() ? type->second : std::string());
    test.command = found.command;
    test.not_runnable = found.why_not;
    if (const auto locks = test.params.find("locks"); locks != test.params.end()) {
      std::istringstream words(locks->second);
      for (std::string lock; words >> lock;) test.locks.push_back(lock);
    }
    test.timeout = seconds_in(dict.get("test_timeout"));
    if (!test.timeout) test.timeout = seconds_in(dict.get("timeout"));
    return test;
  }

 private:
  const CartesianSource& source_;
  const detail::CartesianEntry& entry_;
  detail::TypePrograms programs_;
};

// virt-test's rule, the one runner that acted on `dep`: a test waits for every test whose
// *name* contains one of its dep entries. Entries that match nothing are dropped, as
// Avocado-VT never checks them (they may name dicts a filter removed).
void resolve_dependencies(std::vector<TestCase>& tests, const std::vector<std::string>& names,
                          const std::vector<std::vector<std::string>>& deps,
                          const CartesianSource& source) {
  std::unordered_map<std::string, std::vector<std::size_t>> matches;
  for (std::size_t i = 0; i < tests.size(); ++i) {
    for (const std::string& dep : deps[i]) {
      auto [it, fresh] = matches.try_emplace(dep);
      if (fresh) {
        for (std::size_t j = 0; j < tests.size(); ++j)
          if (names[j].find(dep) != std::string::npos) it->second.push_back(j);
        if (it->second.empty() && source.debug)
          source.debug("provider '" + source.provider + "': dep '" + dep + "' of '" + tests[i].id +
                       "' names no dict; dropped");
      }
      for (std::size_t j : it->second) {
        const std::string& id = tests[j].id;
        if (j != i && std::find(tests[i].depends.begin(), tests[i].depends.end(), id) ==
                          tests[i].depends.end())
          tests[i].depends.push_back(id);
      }
    }
  }
}

}  // namespace

bool has_cartesian_layout(const fs::path& dir) {
  std::error_code ec;
  if (fs::is_regular_file(dir / "tests.cfg", ec)) return true;
  for (const auto& entry : fs::directory_iterator(dir / "tests/cfg", ec))
    if (entry.path().extension() == ".cfg" && !entry.path().filename().string().starts_with("."))
      return true;
  return false;
}

bool load_cartesian_tests(const CartesianSource& source,
                          const std::function<bool(TestCase&&)>& sink) {
  const detail::CartesianEntry entry(source);
  if (!entry.has_tests()) return true;
  cartesian::Config config;
  entry.parse_into(config);
  DictConverter converter(source, entry);
  const auto detail = source.params ? cartesian::Detail::full : cartesian::Detail::names;

  if (!source.dependencies) {
    bool more = true;
    entry.with_user_places([&] {
      config.for_each(
          [&](const cartesian::Dict& dict) {
            more = sink(converter.convert(dict));
            return more;
          },
          detail);
    });
    return more;
  }

  std::vector<TestCase> tests;
  std::vector<std::string> names;
  std::vector<std::vector<std::string>> deps;
  entry.with_user_places([&] {
    config.for_each(
        [&](const cartesian::Dict& dict) {
          tests.push_back(converter.convert(dict));
          names.emplace_back(dict.name());
          deps.push_back(dict.dep());
          return !(source.stop && source.stop());
        },
        detail);
  });
  if (source.stop && source.stop()) return false;
  resolve_dependencies(tests, names, deps, source);
  for (TestCase& test : tests)
    if (!sink(std::move(test))) return false;
  return true;
}

}  // namespace vt::core
