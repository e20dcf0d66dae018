#include <iomanip>
#include <iostream>

#include "cli/commands.h"
#include "vt/sdk/error.h"

namespace vt::core::cli {

namespace {

// "ok", or why the provider cannot be used as it is.
std::string provider_status(const Provider& p) {
  try {
    provider_root(p);
    return "ok";
  } catch (const sdk::UnavailableError&) {
    return "not-fetched";
  } catch (const sdk::Error&) {
    return "missing";
  }
}

}  // namespace

Command add_providers_command(CLI::App& app) {
  auto* sub = app.add_subcommand("providers", "inspect the test providers in providers.d");
  sub->require_subcommand(1);
  auto* list = sub->add_subcommand(
      "list", "one provider per line: NAME URI KIND REF STATUS (from the providers.d in use)");
  return {sub, [list](Context& ctx) {
            if (!list->parsed()) return exit_usage;
            std::cout << "# " << ctx.providers_dir().string() << '\n';
            for (const auto& p : ctx.providers()) {
              const std::string ref = !p.ref.empty() ? p.ref : (!p.branch.empty() ? p.branch : "-");
              std::cout << p.name << '\t' << p.uri.text << '\t' << to_string(p.uri.kind) << '\t'
                        << ref << '\t' << provider_status(p) << '\n';
            }
            return 0;
          }};
}

}  // namespace vt::core::cli
