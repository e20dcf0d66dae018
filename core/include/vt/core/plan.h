// From providers to the ordered list of tests a job runs (DESIGN.md "Running a test", step 1).
#pragma once

#include <string>
#include <vector>

#include "vt/core/provider.h"
#include "vt/core/test_case.h"

namespace vt::core {

/// Every test the providers offer for `backend`: for each provider its section for the backend
/// (or "generic", or the provider root), loaded with the format found there. Throws
/// sdk::ConfigError for bad files and for an id defined twice (naming both places).
std::vector<TestCase> discover_tests(const std::vector<Provider>& providers,
                                     const std::string& backend);

struct Selection {
  /// Test ids, dotted prefixes (`boot` selects `boot.smoke`), provider names, or globs with
  /// `*`/`?`. Empty: every test. Each selector must match something.
  std::vector<std::string> selectors;
  /// Avocado's --filter-by-tags: each entry is a comma-separated AND of tags, `-tag` negated;
  /// a test is kept when any entry matches. Empty: no tag filter.
  std::vector<std::string> tag_filters;
};

/// The tests `selection` picks, in discovery order, plus (transitively) the tests they depend
/// on. Throws sdk::ConfigError for a selector that matches nothing or an unknown dependency.
std::vector<TestCase> select_tests(const std::vector<TestCase>& all, const Selection& selection);

/// True when `tags` satisfy one --tags expression (comma-separated AND, `-tag` negated).
bool tags_match(const std::vector<std::string>& tags, const std::string& expression);

}  // namespace vt::core
