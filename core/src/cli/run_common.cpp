#include "cli/run_common.h"

#include <unistd.h>

#include <iostream>

#include "vt/core/ledger_sweep.h"
#include "vt/core/pvtest_loader.h"
#include "vt/sdk/error.h"

namespace vt::core::cli {

namespace fs = std::filesystem;

namespace {

// vtctl is installed (and built) next to vtrun.
fs::path find_vtctl() {
  std::error_code ec;
  const fs::path self = fs::read_symlink("/proc/self/exe", ec);
  const fs::path candidate = self.parent_path() / "vtctl";
  if (!ec && fs::exists(candidate)) return candidate;
  throw sdk::Error("cannot find vtctl next to vtrun (" + self.string() +
                   ") — install both from the same build");
}

}  // namespace

ReporterRequest parse_reporter(const std::string& spec) {
  const auto colon = spec.find(':');
  if (colon == std::string::npos) return {spec, {}};
  std::string path = spec.substr(colon + 1);
  if (path.empty())
    throw sdk::ConfigError("--reporter '" + spec +
                           "': empty path after ':' — use NAME or NAME:PATH");
  return {spec.substr(0, colon), path == "-" ? fs::path("-") : fs::absolute(path)};
}

namespace {

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

bool use_test_tree_if_any(Context& ctx, const std::string& dir) {
  if (!dir.empty()) {
    ctx.use_test_tree(dir);
    return true;
  }
  if (ctx.options().backend != "appengine" || ctx.options().providers_dir) return false;
  std::error_code ec;
  const fs::path here = fs::current_path(ec);
  if (ec || !has_pvtest_layout(here)) return false;
  ctx.use_test_tree(here);
  return true;
}

int run_plan(Context& ctx, const std::vector<TestCase>& plan, RunOptions options) {
  options.vtctl = find_vtctl();
  options.terminal = isatty(STDOUT_FILENO) != 0;
  options.providers_dir = ctx.providers_dir();
  options.results_dir = ctx.options().results_dir;
  options.command = ctx.options().argv;
  sweep_ledger_quietly(ctx);
  const JobOutcome outcome =
      run_job(plan, ctx.resolved_providers(), options, ctx.plugins(), ctx.host());
  std::cout << outcome.job_dir.string() << std::endl;
  return outcome.summary.exit_code;
}

}  // namespace vt::core::cli
