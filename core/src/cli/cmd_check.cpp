#include <iostream>

#include "cli/commands.h"
#include "vt/sdk/error.h"

namespace vt::core::cli {

namespace {

// Prints one backend's section; false when something is not ok.
bool check_backend(const PluginRegistry& registry, const std::string& name, sdk::Host& host) {
  std::cout << "backend " << name << ":\n";
  std::optional<std::vector<sdk::HostCheck>> checks;
  try {
    checks = registry.check_host(name, host);
  } catch (const sdk::ConfigError&) {
    throw;
  } catch (const std::exception& e) {
    std::cout << "  FAIL check_host: " << e.what() << '\n';
    return false;
  }
  if (!checks) {
    std::cout << "  ok   no host requirements declared\n";
    return true;
  }
  bool ok = true;
  for (const auto& c : *checks) {
    if (c.ok) {
      std::cout << "  ok   " << c.what << ": " << c.found << '\n';
      continue;
    }
    ok = false;
    std::cout << "  FAIL " << c.what << ": " << c.found
              << (c.remedy.empty() ? "" : " — " + c.remedy) << '\n';
  }
  return ok;
}

// The providers' section, when providers.d is found and its providers need tools.
bool check_providers(Context& ctx) {
  std::vector<sdk::HostCheck> checks;
  try {
    checks = provider_host_checks(ctx.providers());
  } catch (const sdk::ConfigError&) {
    return true;  // no providers.d here: nothing to fetch
  }
  if (checks.empty()) return true;
  std::cout << "providers (" << ctx.providers_dir().string() << "):\n";
  bool ok = true;
  for (const auto& c : checks) {
    ok = ok && c.ok;
    std::cout << (c.ok ? "  ok   " : "  FAIL ") << c.what << ": " << c.found
              << (c.remedy.empty() ? "" : " — " + c.remedy) << '\n';
  }
  return ok;
}

}  // namespace

Command add_check_command(CLI::App& app) {
  auto* sub = app.add_subcommand(
      "check",
      "check that this host has what the backends need (tools, devices, images): a section per "
      "backend (only --backend's when given), then the tools the providers need (git, gpg), "
      "`ok` or `FAIL` per line; exit 1 on any FAIL");
  return {sub, [](Context& ctx) {
            const auto& registry = ctx.plugins();
            std::vector<std::string> backends;
            if (ctx.options().backend_given) {
              registry.require(sdk::PluginKind::backend, ctx.options().backend);
              backends.push_back(ctx.options().backend);
            } else {
              backends = registry.names(sdk::PluginKind::backend);
            }
            if (backends.empty())
              throw sdk::ConfigError(
                  "no backend plugin found — `vtrun plugins` shows what was found and refused");
            bool ok = true;
            for (const auto& name : backends) ok = check_backend(registry, name, ctx.host()) && ok;
            ok = check_providers(ctx) && ok;
            std::cout.flush();
            return ok ? 0 : 1;
          }};
}

}  // namespace vt::core::cli
