#include "cli/cartesian_options.h"
#include "cli/commands.h"
#include "cli/run_common.h"
#include "cli/scheduling_options.h"
#include "cli/stdout_lines.h"
#include "vt/core/runner.h"

namespace vt::core::cli {

namespace {

std::string join(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : ",") + s;
  return out;
}

std::string line_for(const TestCase& t, bool long_format) {
  if (!long_format) return t.id;
  return t.id + '\t' + t.provider + '\t' + join(t.tags) + '\t' + t.source.string() + ':' +
         std::to_string(t.line);
}

}  // namespace

Command add_list_command(CLI::App& app) {
  auto* sub =
      app.add_subcommand("list", "print the ids of the tests a run would run, one per line");
  auto selection = std::make_shared<Selection>();
  auto long_format = std::make_shared<bool>(false);
  auto cartesian = std::make_shared<CartesianOptions>();
  auto scheduling = std::make_shared<SchedulingArgs>();
  sub->add_option("selectors", selection->selectors,
                  "test ids, group prefixes (`boot` selects `boot.smoke`, `local/core` selects "
                  "`local/core/x`), provider names or "
                  "globs; none: all tests");
  sub->add_option("-t,--tags", selection->tag_filters,
                  "keep tests whose tags match: `a,b` needs both, `-a` excludes; repeat for OR")
      ->allow_extra_args(false);
  sub->add_flag("-l,--long", *long_format, "also print provider, tags and source file:line");
  auto dir = std::make_shared<std::string>();
  sub->add_option("-d,--dir", *dir,
                  "list the pv-test@1 tree in DIR instead of providers.d (with --backend "
                  "appengine: the current directory, when it is one)");
  cartesian->add_to(sub);
  scheduling->add_to(sub);
  return {sub, [selection, long_format, cartesian, scheduling, dir](Context& ctx) {
            use_test_tree_if_any(ctx, *dir);
            RunOptions run_options;
            scheduling->apply(run_options);
            // A scheduler other than the plan-order ones may leave tests out: ask its select().
            const bool filtered =
                run_options.scheduler != "parallel" && run_options.scheduler != "sequential";
            DiscoveryOptions options;
            options.cartesian_statements = cartesian->statements();
            // A listing needs no values (much cheaper for Cartesian), unless the scheduler
            // chooses by them (a slow test is one whose param says so).
            options.params = filtered;
            StdoutLines out;
            // SIGINT and SIGTERM only raise the interrupt flag: a matrix of 10^9 dicts must
            // still stop on Ctrl-C.
            if (selection->selectors.empty() && selection->tag_filters.empty() && !filtered) {
              // Nothing pulls dependencies in: stream, so a huge Cartesian matrix lists in
              // bounded memory and `vtrun list | head` ends at once.
              options.whole_plan = false;
              ctx.for_each_test(options, [&](TestCase&& t) {
                return out.write(line_for(t, *long_format)) && !interrupt_requested();
              });
            } else {
              // Selected tests bring their dependencies, which needs the whole plan.
              std::vector<TestCase> all;
              options.stop = interrupt_requested;
              ctx.for_each_test(options, [&](TestCase&& t) {
                all.push_back(std::move(t));
                return !interrupt_requested();
              });
              if (!interrupt_requested()) {
                auto tests = select_tests(all, *selection);
                if (filtered)
                  tests = scheduled_tests(tests, run_options, ctx.plugins(), ctx.host());
                for (const auto& t : tests)
                  if (!out.write(line_for(t, *long_format))) break;
              }
            }
            if (interrupt_requested()) return exit_bits::interrupted;
            return listing_status(out);
          }};
}

}  // namespace vt::core::cli
