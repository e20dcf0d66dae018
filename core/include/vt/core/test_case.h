// A test as the core plans and runs it, whatever format it was loaded from.
#pragma once

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "vt/sdk/types.h"

namespace vt::core {

/// Where a test's command runs.
enum class RunIn {
  host,     ///< on the host, in the provider subdir; it drives the testbed with `vtctl`
  testbed,  ///< the subdir is copied onto the testbed and the command runs there
};

struct TestCase {
  std::string id;                    ///< unique in the plan; dots group tests (`boot.smoke`)
  std::string provider;              ///< provider name
  std::filesystem::path dir;         ///< absolute provider subdir the test belongs to
  std::vector<std::string> command;  ///< argv; argv[0] relative to `dir` when it has a '/'
  RunIn run_in = RunIn::host;
  /// The command runs under a pseudo-terminal: stdout and stderr merge in order and lines end
  /// in CR LF (pv-test@1, whose golden outputs were recorded under `script`).
  bool pty = false;
  std::optional<std::chrono::seconds> timeout;  ///< nullopt: the run's default
  std::vector<std::string> tags;
  std::vector<std::string> requires_caps;  ///< capabilities the testbed must have
  std::vector<std::string> depends;        ///< ids that must PASS first
  /// Named exclusive resources it holds while it runs (native `locks`, Cartesian `locks`).
  std::vector<std::string> locks;
  int priority = 0;
  std::string verdict = "exit-code";  ///< exit-code | golden-output | guest-reported
  sdk::Params params;
  std::filesystem::path source;  ///< file that defined the test
  int line = 0;                  ///< line of its definition in `source`
  std::string description;       ///< one line for people (listings, reports); may be empty
  /// Non-empty: why the test cannot run (e.g. no program for a Cartesian dict's `type`). It is
  /// still listed; running it gives ERROR with this reason.
  std::string not_runnable;
  /// Non-empty: the test is SKIPped with this reason without opening a testbed (pv-test@1's
  /// `skip: "true"`). Dependents then SKIP as for any dependency that did not pass.
  std::string skip;
};

/// Loads `vtrun.toml` (the native format, DESIGN.md "Test formats"). Relative commands resolve
/// against the file's directory; ids are the `name`s. Throws sdk::ConfigError with file:line.
std::vector<TestCase> load_native_tests(const std::filesystem::path& vtrun_toml,
                                        const std::string& provider);

}  // namespace vt::core
