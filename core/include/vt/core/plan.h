// From providers to the ordered list of tests a job runs (DESIGN.md "Running a test", step 1).
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "vt/core/provider.h"
#include "vt/core/test_case.h"

namespace vt::core {

/// What discovery computes. The defaults give tests ready to run.
struct DiscoveryOptions {
  /// Statements parsed after each Cartesian provider's own files, in this order (`only x`,
  /// `no y`, `mem = 2048`): the command line's --only, --no and --cartesian. Native tests
  /// ignore them; given without any Cartesian provider for the backend they are an error.
  std::vector<std::string> cartesian_statements;
  /// false: Cartesian tests carry no params, command or timeout (enough for listing, and
  /// much cheaper: the values of a dict are never computed).
  bool params = true;
  /// false: Cartesian `dep` is not resolved to `depends` and Cartesian ids are not checked for
  /// uniqueness, so tests stream one at a time in bounded memory (both checks need the whole
  /// matrix). Native tests are always checked.
  bool whole_plan = true;
  /// Receives debug messages (e.g. a `dep` that names no dict); may be empty.
  std::function<void(const std::string&)> debug;
  /// Polled while a whole plan is collected; true ends discovery early, with fewer tests
  /// (e.g. on SIGINT). May be empty.
  std::function<bool()> stop;
};

/// Streams every test the providers offer for `backend`, in discovery order: for each
/// provider its section for the backend (or "generic", or the provider root), loaded with the
/// format found there. `sink` returns false to stop early. Throws sdk::ConfigError for bad
/// files and for an id defined twice (naming both places), possibly after some tests were
/// delivered.
void for_each_test(const std::vector<Provider>& providers, const std::string& backend,
                   const DiscoveryOptions& options, const std::function<bool(TestCase&&)>& sink);

/// for_each_test, collected.
std::vector<TestCase> discover_tests(const std::vector<Provider>& providers,
                                     const std::string& backend,
                                     const DiscoveryOptions& options = {});

struct Selection {
  /// Test ids, group prefixes (`boot` selects `boot.smoke`, `local/core` selects
  /// `local/core/x`), provider names, or globs with
  /// `*`/`?`. Empty: every test. Each selector must match something.
  std::vector<std::string> selectors;
  /// Avocado's --filter-by-tags: each entry is a comma-separated AND of tags, `-tag` negated;
  /// a test is kept when any entry matches. Empty: no tag filter.
  std::vector<std::string> tag_filters;
};

/// The tests `selection` picks, in discovery order, plus (transitively) the tests they depend
/// on. Throws sdk::ConfigError for a selector that matches nothing or an unknown dependency.
std::vector<TestCase> select_tests(const std::vector<TestCase>& all, const Selection& selection);

/// Throws sdk::ConfigError naming the first dependency cycle in `plan` (`a -> b -> a`, with
/// the file and line of its first test). Dependencies outside `plan` are ignored.
void check_dependency_cycles(const std::vector<TestCase>& plan);

/// True when `tags` satisfy one --tags expression (comma-separated AND, `-tag` negated).
bool tags_match(const std::vector<std::string>& tags, const std::string& expression);

}  // namespace vt::core
