// What every vtrun command shares: the global options and the helpers that turn them into
// loaded plugins, providers and tests.
#pragma once

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "vt/core/core_host.h"
#include "vt/core/plan.h"
#include "vt/core/plugin_registry.h"
#include "vt/core/provider.h"
#include "vt/core/provider_fetch.h"
#include "vt/core/providers_lock.h"

namespace vt::core::cli {

struct GlobalOptions {
  std::string backend = "qemu";
  bool backend_given = false;  ///< --backend or $VTRUN_BACKEND was set (not the default)
  std::optional<std::filesystem::path> providers_dir;
  std::filesystem::path results_dir = "vtrun-results";
  int verbosity = 0;
  bool offline = false;           ///< --offline: providers come from the cache only
  std::vector<std::string> argv;  ///< vtrun's own command line
};

class Context {
 public:
  explicit Context(GlobalOptions options);

  const GlobalOptions& options() const noexcept { return options_; }
  /// `vtrun replay`: the backend and providers a recorded job used, before any are read.
  void use_backend(std::string backend) { options_.backend = std::move(backend); }
  void use_providers_dir(std::filesystem::path dir) { options_.providers_dir = std::move(dir); }
  /// `run -r DIR`: the results directory, as the global -r.
  void use_results_dir(std::filesystem::path dir) { options_.results_dir = std::move(dir); }
  /// The appengine compatibility mode (`-d DIR`): the tests are the pv-test@1 tree at `dir`,
  /// used in place as the only provider, instead of providers.d. Call before providers().
  void use_test_tree(const std::filesystem::path& dir);
  /// Whether use_test_tree() was called.
  bool has_test_tree() const noexcept { return test_tree_; }
  CoreHost& host() { return *host_; }
  /// The resource ledger's directory: $VTRUN_LEDGER_DIR, else CoreHost::default_ledger_dir().
  const std::filesystem::path& ledger_dir() const noexcept { return ledger_dir_; }

  /// Plugins from the default search path, loaded once. Refusals are logged as warnings.
  const PluginRegistry& plugins();

  /// The providers.d directory in use (throws ConfigError when none is found).
  const std::filesystem::path& providers_dir();
  /// The definitions of providers.d, not fetched.
  const std::vector<Provider>& providers();
  /// providers.lock next to providers.d (empty when there is none).
  const ProvidersLock& providers_lock();
  /// `run --locked`, `vtrun replay`: how resolved_providers() resolves; call before it.
  void require_locked() { resolve_.locked = true; }
  void pin_providers(std::map<std::string, std::string> pins) { resolve_.pins = std::move(pins); }
  /// The providers, each fetched, verified and resolved once for this command (notices are
  /// logged as warnings). Discovery uses these.
  const std::vector<Provider>& resolved_providers();

  /// Tests for the selected backend, filtered by `selection`. Debug messages of discovery go
  /// to the host's log unless `options.debug` is set.
  std::vector<TestCase> select(const Selection& selection, DiscoveryOptions options = {});

  /// Streams the tests for the selected backend (for_each_test), unselected.
  void for_each_test(DiscoveryOptions options, const std::function<bool(TestCase&&)>& sink);

 private:
  GlobalOptions options_;
  std::filesystem::path ledger_dir_;
  std::unique_ptr<CoreHost> host_;
  std::unique_ptr<PluginRegistry> registry_;
  std::optional<std::filesystem::path> providers_dir_;
  std::optional<std::vector<Provider>> providers_;
  std::optional<ProvidersLock> lock_;
  std::optional<std::vector<Provider>> resolved_;
  ResolveOptions resolve_;
  bool test_tree_ = false;

  DiscoveryOptions with_debug_log(DiscoveryOptions options);
};

/// Exit status for errors that stop a command before it does its work.
inline constexpr int exit_usage = 2;

}  // namespace vt::core::cli
