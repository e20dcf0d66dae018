// `vtrun ls [-d DIR] [SELECTOR…]`: the tests of a pv-test@1 tree with their descriptions, as
// Pantavisor's runner's `ls` prints them.
#include <algorithm>
#include <cstdio>

#include "cli/commands.h"
#include "cli/run_common.h"
#include "cli/stdout_lines.h"

namespace vt::core::cli {

Command add_ls_command(CLI::App& app) {
  auto* sub = app.add_subcommand(
      "ls", "print the tests of a pv-test@1 tree (-d DIR, default .) with their descriptions");
  auto selection = std::make_shared<Selection>();
  auto dir = std::make_shared<std::string>();
  sub->add_option("selectors", selection->selectors,
                  "a scope, a category or a test (`local`, `local/core`); none: all");
  sub->add_option("-d,--dir", *dir, "the tree (default: the current directory)");
  return {sub, [selection, dir](Context& ctx) {
            ctx.use_test_tree(dir->empty() ? std::string(".") : *dir);
            const auto tests = ctx.select(*selection);
            std::size_t width = 4;
            for (const auto& t : tests) width = std::max(width, t.id.size());
            StdoutLines out;
            char header[512];
            std::snprintf(header, sizeof header, "%-*s  %s", static_cast<int>(width), "test",
                          "description");
            out.write(header);
            for (const auto& t : tests) {
              std::string line = t.id;
              line.resize(width, ' ');
              if (!out.write(line + "  " + t.description)) break;
            }
            return listing_status(out);
          }};
}

}  // namespace vt::core::cli
