#include <iostream>

#include "cli/commands.h"
#include "vt/core/ledger_sweep.h"

namespace vt::core::cli {

namespace {

std::string joined_notes(const SweepItem& item) {
  std::string out;
  for (const auto& n : item.notes) out += (out.empty() ? "" : "; ") + n;
  return out;
}

std::string line_for(const SweepItem& item, bool dry_run) {
  const std::string what = item.kind + " " + item.name;
  const std::string notes = joined_notes(item);
  switch (item.action) {
    case SweepItem::Action::removed:
      return (dry_run ? "would remove " : "removed ") + what +
             (notes.empty() ? "" : " (" + notes + ")");
    case SweepItem::Action::kept:
      return "kept " + what + " (owner " + std::to_string(item.owner_pid) + " is running)";
    case SweepItem::Action::failed:
      return "failed " + what + ": " + notes + " — the entry is kept; run `vtrun gc` again";
    case SweepItem::Action::unreadable:
      return "unreadable " + item.file.string() + ": " + notes +
             " — not a vtrun ledger entry; left in place, remove it by hand";
  }
  return {};
}

}  // namespace

Command add_gc_command(CLI::App& app) {
  auto* sub = app.add_subcommand(
      "gc",
      "remove what crashed runs left behind (VMs, overlays, processes in the resource ledger): "
      "one line per entry, then a summary; exit 1 when a cleanup failed");
  auto dry_run = std::make_shared<bool>(false);
  sub->add_flag("-n,--dry-run", *dry_run, "only list what would be removed");
  return {sub, [dry_run](Context& ctx) {
            SweepOptions options;
            options.dry_run = *dry_run;
            const SweepReport report = sweep_ledger(ctx.ledger_dir(), ctx.host(), options);
            for (const auto& item : report.items) std::cout << line_for(item, *dry_run) << '\n';
            using A = SweepItem::Action;
            std::cout << (*dry_run ? "gc (dry run): would remove " : "gc: removed ")
                      << report.count(A::removed) << ", kept " << report.count(A::kept)
                      << ", failed " << report.count(A::failed) << ", unreadable "
                      << report.count(A::unreadable) << " (ledger " << ctx.ledger_dir().string()
                      << ")" << std::endl;
            return report.ok() ? 0 : 1;
          }};
}

}  // namespace vt::core::cli
