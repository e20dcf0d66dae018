#include <unistd.h>

#include <iostream>

#include "cli/cartesian_options.h"
#include "cli/commands.h"
#include "cli/run_common.h"
#include "cli/scheduling_options.h"
#include "vt/core/ledger_sweep.h"
#include "vt/core/runner.h"
#include "vt/sdk/error.h"

namespace vt::core::cli {

namespace {

struct RunArgs {
  Selection selection;
  unsigned jobs = 1;
  std::optional<unsigned> timeout;
  std::vector<std::string> reporters;
  SchedulingArgs scheduling;
  CartesianOptions cartesian;
  int retries = 0;
  bool retry_errors = false;
  unsigned max_cpus = 0;
  std::string max_mem;
  std::string lock_dir;
  bool overwrite = false;
  bool loop = false;
  bool shell_fail = false;
  bool keep_testbed = false;
  bool locked = false;
};

}  // namespace

Command add_run_command(CLI::App& app) {
  auto* sub = app.add_subcommand(
      "run", "run the selected tests; prints the job directory as the last line of output");
  auto args = std::make_shared<RunArgs>();
  sub->add_option(
      "selectors", args->selection.selectors,
      "test ids, group prefixes (`boot`, `local/core`), provider names or globs; none: all tests");
  sub->add_option("-t,--tags", args->selection.tag_filters,
                  "keep tests whose tags match: `a,b` needs both, `-a` excludes; repeat for OR")
      ->allow_extra_args(false);
  sub->add_option("-j,--jobs", args->jobs, "tests to run at once (0: one per CPU)")->default_val(1);
  sub->add_option("--timeout", args->timeout,
                  "per-test timeout in seconds, overriding the tests' own (default: theirs, "
                  "else 300)")
      ->check(CLI::PositiveNumber);
  sub->add_option("--reporter", args->reporters,
                  "NAME[:PATH], repeatable: console (default), json, junit; `vtrun plugins` "
                  "lists all")
      ->allow_extra_args(false);
  sub->add_option("--retries", args->retries,
                  "run a FAILed test again, up to N more times; a pass on a retry counts as "
                  "PASS (flaky) and attempt k keeps its logs in tests/<id>.k/")
      ->check(CLI::NonNegativeNumber);
  sub->add_flag("--retry-errors", args->retry_errors,
                "with --retries, retry ERROR and INTERRUPTED tests too");
  sub->add_option("--max-cpus", args->max_cpus,
                  "CPU budget for tests running at once, counted from their `smp` (default: "
                  "this machine's CPUs, or -j if larger)");
  sub->add_option("--max-mem", args->max_mem,
                  "memory budget for tests running at once, counted from their `mem`, in MiB "
                  "or with a unit: 4096, 8G (default: this machine's memory)");
  sub->add_option("--lock-dir", args->lock_dir,
                  "directory of the named locks tests take (`locks`), shared by every vtrun on "
                  "this host (default: $VTRUN_LOCK_DIR, else /tmp/vtrun-locks)");
  sub->add_flag("-o,--overwrite", args->overwrite,
                "golden-output tests record their output as the expected `output` file instead "
                "of comparing");
  sub->add_flag("--loop", args->loop,
                "run the plan again and again, one provider's test after the other's, until "
                "`vtrun stop` or SIGTERM (the running tests finish first)");
  sub->add_flag("--shell-fail", args->shell_fail,
                "open an interactive shell on the testbed of a test that fails, before it is "
                "torn down (needs a terminal)");
  sub->add_flag("--keep-testbed", args->keep_testbed,
                "leave the testbeds of failing tests running after the job and print how to "
                "reach them; Ctrl-C or `vtrun stop` closes them");
  sub->add_flag("--locked", args->locked,
                "refuse to run when a fetched provider is not at the revision providers.lock "
                "records (CI: run exactly what was reviewed)");
  args->scheduling.add_to(sub);
  args->cartesian.add_to(sub);
  return {sub, [args](Context& ctx) {
            if (args->locked) ctx.require_locked();
            RunOptions options;
            options.backend = ctx.options().backend;
            args->scheduling.apply(options);
            options.jobs = args->jobs;
            options.retries = args->retries;
            options.retry_errors = args->retry_errors;
            options.max_cpus = args->max_cpus;
            if (!args->max_mem.empty()) options.max_mem_mib = parse_mebibytes(args->max_mem);
            options.lock_dir = args->lock_dir;
            options.overwrite = args->overwrite;
            options.loop = args->loop;
            options.shell_fail = args->shell_fail;
            options.keep_testbed = args->keep_testbed;
            if (args->timeout) options.timeout_override = std::chrono::seconds(*args->timeout);
            for (const auto& r : args->reporters) options.reporters.push_back(parse_reporter(r));
            DiscoveryOptions discovery;
            discovery.cartesian_statements = args->cartesian.statements();
            const auto plan = ctx.select(args->selection, discovery);
            return run_plan(ctx, plan, options);
          }};
}

}  // namespace vt::core::cli
