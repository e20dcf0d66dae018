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
  // Pantavisor's runner's options (the appengine compatibility mode, docs/appengine.md).
  std::string dir;
  std::string parallel_or_providers;  // -p N (parallel) or -p DIR (global --providers)
  std::string retries_or_results;     // -r N (retries) or -r DIR (global --results-dir)
  std::string workspace;
  bool valgrind = false;
  bool interactive = false;
  bool manual = false;
  std::vector<std::string> params;
};

bool is_count(const std::string& s) {
  return !s.empty() && s.size() < 6 && s.find_first_not_of("0123456789") == std::string::npos;
}

// KEY=VALUE of --param.
std::pair<std::string, std::string> parse_param(const std::string& spec) {
  const auto eq = spec.find('=');
  if (eq == std::string::npos || eq == 0)
    throw sdk::ConfigError("--param '" + spec +
                           "': expected KEY=VALUE, e.g. --param appengine_ready_timeout=300");
  return {spec.substr(0, eq), spec.substr(eq + 1)};
}

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
  sub->add_option("--param", args->params,
                  "KEY=VALUE, repeatable: set a param of every test (overrides the test's own), "
                  "e.g. --param appengine_image=my-tester:1")
      ->allow_extra_args(false);
  auto* compat = "Pantavisor runner compatibility (--backend appengine)";
  sub->add_option("-d,--dir", args->dir,
                  "run the pv-test@1 tree in DIR instead of providers.d; ids are paths in it "
                  "(default with --backend appengine: the current directory, when it is one)")
      ->group(compat);
  sub->add_option("-p", args->parallel_or_providers,
                  "N: tests at once (as -j); DIR: the providers.d directory (as the global -p)")
      ->group(compat);
  sub->add_option("-r", args->retries_or_results,
                  "N: retries (as --retries); DIR: the results directory (as the global -r)")
      ->group(compat);
  sub->add_option("-w,--workspace", args->workspace,
                  "use DIR (new or empty) as the job directory itself: DIR/run.log, "
                  "DIR/tests/<id>/")
      ->group(compat);
  sub->add_flag("-V,--valgrind", args->valgrind,
                "run the device runtime under valgrind memcheck; logs in tests/<id>/valgrind/")
      ->group(compat);
  sub->add_flag("-i,--interactive", args->interactive,
                "one test only: open a shell in the device once it is READY, run the test "
                "when it ends")
      ->group(compat);
  sub->add_flag("-m,--manual", args->manual,
                "one test only: stage the device but do not start the runtime, then a shell "
                "(implies -i)")
      ->group(compat);
  args->scheduling.add_to(sub);
  args->cartesian.add_to(sub);
  return {sub, [args](Context& ctx) {
            // -p and -r mean what Pantavisor's runner means by them when given a number.
            if (!args->parallel_or_providers.empty() && !is_count(args->parallel_or_providers))
              ctx.use_providers_dir(args->parallel_or_providers);
            if (!args->retries_or_results.empty() && !is_count(args->retries_or_results))
              ctx.use_results_dir(args->retries_or_results);
            const bool tree = use_test_tree_if_any(ctx, args->dir);
            if (args->locked) ctx.require_locked();
            RunOptions options;
            options.backend = ctx.options().backend;
            args->scheduling.apply(options);
            options.jobs = args->jobs;
            options.retries = args->retries;
            if (is_count(args->parallel_or_providers))
              options.jobs = static_cast<unsigned>(std::stoul(args->parallel_or_providers));
            if (is_count(args->retries_or_results))
              options.retries = std::stoi(args->retries_or_results);
            options.pvtest_compat = tree && ctx.options().backend == "appengine";
            options.workspace = args->workspace;
            if (args->manual) args->interactive = true;
            options.shell_before = args->interactive;
            // pvtest-run exits 1 for a setup error as for a mismatch, and both are retried.
            options.retry_errors = args->retry_errors || options.pvtest_compat;
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
            auto plan = ctx.select(args->selection, discovery);
            if (args->interactive) {
              if (plan.size() != 1 || args->selection.selectors.size() != 1)
                throw sdk::ConfigError(std::string(args->manual ? "-m" : "-i") +
                                       " needs a selector naming exactly one test, got " +
                                       std::to_string(plan.size()) + " tests");
              if (args->overwrite) throw sdk::ConfigError("-o and -i cannot be combined");
              if (options.jobs > 1) throw sdk::ConfigError("-p/-j > 1 cannot be combined with -i");
            }
            sdk::Params overrides;
            for (const auto& spec : args->params) {
              auto [key, value] = parse_param(spec);
              overrides[key] = value;
            }
            if (args->valgrind) overrides["appengine_valgrind"] = "yes";
            if (args->manual) overrides["appengine_manual"] = "yes";
            for (auto& t : plan)
              for (const auto& [key, value] : overrides) t.params[key] = value;
            return run_plan(ctx, plan, options);
          }};
}

}  // namespace vt::core::cli
