// Avocado-VT's test layout read as vtrun tests: each dict of a provider's Cartesian
// configuration is one test (DESIGN.md "Test formats"; docs/providers.md "Cartesian providers").
#pragma once

#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "vt/core/test_case.h"

namespace vt::core {

/// One Cartesian provider section and what to compute from it.
struct CartesianSource {
  std::string provider;       ///< provider name, copied into every test
  std::filesystem::path dir;  ///< absolute subdir holding tests.cfg or tests/cfg/, and tests/
  std::vector<std::string> configs;     ///< the section's `configs`, relative to `dir`
  std::vector<std::string> statements;  ///< parsed after the provider's files, in order
  std::filesystem::path definition;     ///< the providers.d file, for errors about the layout
  int definition_line = 0;
  bool params = true;        ///< false: no params, command or timeout (listing)
  bool dependencies = true;  ///< false: `depends` stays empty and tests stream one by one
  std::function<void(const std::string&)> debug;  ///< may be empty
  std::function<bool()> stop;  ///< polled while collecting: true ends early; may be empty
};

/// Whether `dir` has Avocado-VT's layout: a `tests.cfg`, or `.cfg` files in `tests/cfg/`.
bool has_cartesian_layout(const std::filesystem::path& dir);

/// Delivers one test per dict, in the reference parser's order, until `sink` returns false.
/// With `dependencies` the section's tests are collected first, because a `dep` may name a
/// later dict, and then delivered. Returns false when the sink stopped early. Throws
/// cartesian::Error (a sdk::ConfigError) at the file:line of a bad statement, and
/// sdk::ConfigError for a missing entry file.
bool load_cartesian_tests(const CartesianSource& source,
                          const std::function<bool(TestCase&&)>& sink);

}  // namespace vt::core
