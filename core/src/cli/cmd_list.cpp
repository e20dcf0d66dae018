#include <iostream>

#include "cli/commands.h"

namespace vt::core::cli {

namespace {
std::string join(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : ",") + s;
  return out;
}
}  // namespace

Command add_list_command(CLI::App& app) {
  auto* sub =
      app.add_subcommand("list", "print the ids of the tests a run would run, one per line");
  auto selection = std::make_shared<Selection>();
  auto long_format = std::make_shared<bool>(false);
  sub->add_option("selectors", selection->selectors,
                  "test ids, dotted prefixes (`boot` selects `boot.smoke`), provider names or "
                  "globs; none: all tests");
  sub->add_option("-t,--tags", selection->tag_filters,
                  "keep tests whose tags match: `a,b` needs both, `-a` excludes; repeat for OR")
      ->allow_extra_args(false);
  sub->add_flag("-l,--long", *long_format, "also print provider, tags and source file:line");
  return {sub, [selection, long_format](Context& ctx) {
            for (const auto& t : ctx.select(*selection)) {
              std::cout << t.id;
              if (*long_format)
                std::cout << '\t' << t.provider << '\t' << join(t.tags) << '\t' << t.source.string()
                          << ':' << t.line;
              std::cout << '\n';
            }
            return 0;
          }};
}

}  // namespace vt::core::cli
