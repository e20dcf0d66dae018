#include "cli/context.h"

#include "vt/sdk/error.h"

namespace vt::core::cli {

Context::Context(GlobalOptions options)
    : options_(std::move(options)),
      host_(std::make_unique<CoreHost>(CoreHost::default_ledger_dir(), options_.verbosity)) {}

const PluginRegistry& Context::plugins() {
  if (!registry_) {
    registry_ = std::make_unique<PluginRegistry>();
    registry_->load_directories(PluginRegistry::default_search_path());
    for (const auto& r : registry_->refused())
      host_->log(sdk::LogLevel::warn, "plugins", "refused " + r.reason);
  }
  return *registry_;
}

const std::filesystem::path& Context::providers_dir() {
  if (!providers_dir_) providers_dir_ = find_providers_dir(options_.providers_dir);
  return *providers_dir_;
}

const std::vector<Provider>& Context::providers() {
  if (!providers_) providers_ = read_providers_dir(providers_dir());
  return *providers_;
}

std::vector<TestCase> Context::select(const Selection& selection) {
  return select_tests(discover_tests(providers(), options_.backend), selection);
}

}  // namespace vt::core::cli
