#include <unistd.h>

#include <iostream>

#include "cli/cartesian_options.h"
#include "cli/commands.h"
#include "vt/core/ledger_sweep.h"
#include "vt/core/runner.h"
#include "vt/sdk/error.h"

namespace vt::core::cli {

namespace fs = std::filesystem;

namespace {

struct RunArgs {
  Selection selection;
  unsigned jobs = 1;
  std::optional<unsigned> timeout;
  std::vector<std::string> reporters;
  std::string scheduler;
  CartesianOptions cartesian;
};

// vtctl is installed (and built) next to vtrun.
fs::path find_vtctl() {
  std::error_code ec;
  const fs::path self = fs::read_symlink("/proc/self/exe", ec);
  const fs::path candidate = self.parent_path() / "vtctl";
  if (!ec && fs::exists(candidate)) return candidate;
  throw sdk::Error("cannot find vtctl next to vtrun (" + self.string() +
                   ") — install both from the same build");
}

ReporterRequest parse_reporter(const std::string& spec) {
  const auto colon = spec.find(':');
  if (colon == std::string::npos) return {spec, {}};
  std::string path = spec.substr(colon + 1);
  if (path.empty())
    throw sdk::ConfigError("--reporter '" + spec +
                           "': empty path after ':' — use NAME or NAME:PATH");
  return {spec.substr(0, colon), path == "-" ? fs::path("-") : fs::absolute(path)};
}

// What a crashed run left behind goes before this job creates anything of its own; quietly,
// since it is not this job's business unless it fails (then `vtrun gc` says more).
void sweep_ledger_quietly(Context& ctx) {
  try {
    const SweepReport report = sweep_ledger(ctx.ledger_dir(), ctx.host());
    for (const auto& item : report.items) {
      std::string notes;
      for (const auto& n : item.notes) notes += "; " + n;
      switch (item.action) {
        case SweepItem::Action::removed:
          ctx.host().log(sdk::LogLevel::info, "gc",
                         "removed " + item.kind + " " + item.name + " left by a crashed run (pid " +
                             std::to_string(item.owner_pid) + ")" + notes);
          break;
        case SweepItem::Action::kept:
          break;
        case SweepItem::Action::failed:
        case SweepItem::Action::unreadable:
          ctx.host().log(sdk::LogLevel::info, "gc",
                         "could not clean up ledger entry '" + item.file.string() + "'" + notes +
                             " — `vtrun gc` shows it");
          break;
      }
    }
  } catch (const std::exception& e) {
    ctx.host().log(sdk::LogLevel::warn, "gc", std::string("ledger sweep failed: ") + e.what());
  }
}

}  // namespace

Command add_run_command(CLI::App& app) {
  auto* sub = app.add_subcommand(
      "run", "run the selected tests; prints the job directory as the last line of output");
  auto args = std::make_shared<RunArgs>();
  sub->add_option("selectors", args->selection.selectors,
                  "test ids, dotted prefixes, provider names or globs; none: all tests");
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
  sub->add_option("--scheduler", args->scheduler,
                  "scheduler plugin (default: sequential, or parallel with -j)");
  args->cartesian.add_to(sub);
  return {sub, [args](Context& ctx) {
            RunOptions options;
            options.backend = ctx.options().backend;
            options.scheduler = args->scheduler;
            options.jobs = args->jobs;
            if (args->timeout) options.timeout_override = std::chrono::seconds(*args->timeout);
            for (const auto& r : args->reporters) options.reporters.push_back(parse_reporter(r));
            options.results_dir = ctx.options().results_dir;
            options.command = ctx.options().argv;
            options.vtctl = find_vtctl();
            options.terminal = isatty(STDOUT_FILENO) != 0;
            DiscoveryOptions discovery;
            discovery.cartesian_statements = args->cartesian.statements();
            const auto plan = ctx.select(args->selection, discovery);
            options.providers_dir = ctx.providers_dir();
            sweep_ledger_quietly(ctx);
            const JobOutcome outcome =
                run_job(plan, ctx.providers(), options, ctx.plugins(), ctx.host());
            std::cout << outcome.job_dir.string() << std::endl;
            return outcome.summary.exit_code;
          }};
}

}  // namespace vt::core::cli
