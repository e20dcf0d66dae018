#include "cli/context.h"

#include <cstdlib>

#include "vt/core/pvtest_loader.h"
#include "vt/sdk/error.h"

namespace {
namespace fs = std::filesystem;
}

namespace vt::core::cli {

namespace {
std::filesystem::path ledger_dir_from_environment() {
  if (const char* v = std::getenv("VTRUN_LEDGER_DIR"); v != nullptr && *v != '\0')
    return std::filesystem::absolute(v);
  return CoreHost::default_ledger_dir();
}
}  // namespace

Context::Context(GlobalOptions options)
    : options_(std::move(options)),
      ledger_dir_(ledger_dir_from_environment()),
      host_(std::make_unique<CoreHost>(ledger_dir_, options_.verbosity)) {}

const PluginRegistry& Context::plugins() {
  if (!registry_) {
    registry_ = std::make_unique<PluginRegistry>();
    registry_->load_directories(PluginRegistry::default_search_path());
    for (const auto& r : registry_->refused())
      host_->log(sdk::LogLevel::warn, "plugins", "refused " + r.reason);
  }
  return *registry_;
}

void Context::use_test_tree(const std::filesystem::path& dir) {
  const fs::path root = fs::absolute(dir).lexically_normal();
  std::error_code ec;
  if (!fs::is_directory(root, ec))
    throw sdk::ConfigError("-d '" + dir.string() +
                           "': expected the directory of a pv-test@1 tree (<scope>/<category>/"
                           "<name>/test.json), got " +
                           (fs::exists(root, ec) ? "something else" : "nothing there"));
  Provider tree;
  tree.name = root.has_filename() ? root.filename().string() : "tests";
  tree.definition = root;
  tree.uri = {root.string(), UriKind::path, "", root};
  tree.format = "pvtest";
  tree.backends["generic"] = {"generic", "", {}, 0};
  providers_ = std::vector<Provider>{tree};
  // No providers.d: the tree itself is where a providers.lock would be (there is none).
  providers_dir_ = root;
  test_tree_ = true;
}

const std::filesystem::path& Context::providers_dir() {
  if (!providers_dir_) providers_dir_ = find_providers_dir(options_.providers_dir);
  return *providers_dir_;
}

const std::vector<Provider>& Context::providers() {
  if (!providers_) providers_ = read_providers_dir(providers_dir());
  return *providers_;
}

const ProvidersLock& Context::providers_lock() {
  if (!lock_) lock_ = read_providers_lock(providers_lock_path(providers_dir()));
  return *lock_;
}

const std::vector<Provider>& Context::resolved_providers() {
  if (!resolved_) {
    std::vector<Provider> providers = this->providers();
    ResolveOptions options = resolve_;
    options.offline = options_.offline;
    options.notice = [this](const std::string& message) {
      host_->log(sdk::LogLevel::warn, "providers", message);
    };
    resolve_providers(providers, providers_lock(), options);
    resolved_ = std::move(providers);
  }
  return *resolved_;
}

DiscoveryOptions Context::with_debug_log(DiscoveryOptions options) {
  if (!options.debug)
    options.debug = [this](const std::string& message) {
      host_->log(sdk::LogLevel::debug, "discovery", message);
    };
  return options;
}

std::vector<TestCase> Context::select(const Selection& selection, DiscoveryOptions options) {
  return select_tests(
      discover_tests(resolved_providers(), options_.backend, with_debug_log(std::move(options))),
      selection);
}

void Context::for_each_test(DiscoveryOptions options, const std::function<bool(TestCase&&)>& sink) {
  core::for_each_test(resolved_providers(), options_.backend, with_debug_log(std::move(options)),
                      sink);
}

}  // namespace vt::core::cli
