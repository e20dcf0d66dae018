// Pantavisor's pv-test@1 test trees read as vtrun tests: each directory holding a test.json is
// one test (DESIGN.md "Test formats"; docs/pvtest.md).
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "vt/core/test_case.h"

namespace vt::core {

/// Whether `dir` looks like a pv-test@1 tree, without walking all of it: some
/// `<scope>/<category>/<name>/test.json`, or a `<scope>/common/templates/` directory. Names
/// starting with '.' are not looked at, as a shell's `*` would not.
bool has_pvtest_layout(const std::filesystem::path& dir);

/// One test per directory under `root` that holds a `test.json`, in the order of
/// `find -name test.json | sort` (byte order of the relative path); the id is that path without
/// `/test.json` (`local/core/legacy-config-overload`). `<scope>/common/` (shared data) and
/// `.git` are not searched. Tests run on the testbed with the golden-output verdict; every
/// setup field is a `pvtest_*` param (docs/pvtest.md). A missing test script makes the test
/// not_runnable; `skip: "true"` sets TestCase::skip. Throws sdk::ConfigError with the file
/// and line for a test.json that is not valid JSON or not pv-test@1, and for an unreadable
/// `root`.
std::vector<TestCase> load_pvtest_tests(const std::filesystem::path& root,
                                        const std::string& provider);

}  // namespace vt::core
