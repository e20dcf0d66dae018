#include <iostream>

#include "cli/commands.h"

namespace vt::core::cli {

Command add_plugins_command(CLI::App& app) {
  auto* sub = app.add_subcommand(
      "plugins",
      "list plugin factories: `KIND NAME VERSION PATH` per line, then `refused PATH: REASON` for "
      "each library that failed validation");
  return {sub, [](Context& ctx) {
            const auto& registry = ctx.plugins();
            for (const auto& f : registry.factories())
              std::cout << sdk::to_string(f.kind) << ' ' << f.name << ' ' << f.version << ' '
                        << f.path.string() << '\n';
            for (const auto& r : registry.refused())
              std::cout << "refused " << r.path.string() << ": " << r.reason << '\n';
            return 0;
          }};
}

}  // namespace vt::core::cli
