#include "cli/scheduling_options.h"

#include <charconv>

#include "vt/sdk/error.h"

namespace vt::core::cli {

void SchedulingArgs::add_to(CLI::App* sub) {
  sub->add_option("--scheduler", scheduler_,
                  "scheduler plugin: parallel (default: plan order), sequential, priority, "
                  "shuffle, shard, external; `vtrun plugins` lists all");
  sub->add_option("--scheduler-option", options_,
                  "KEY=VALUE for the scheduler, repeatable (e.g. program=./next-test for "
                  "external)")
      ->allow_extra_args(false);
  sub->add_option("--seed", seed_,
                  "seed for schedulers that shuffle; the same seed gives the same order "
                  "(default: from the clock, recorded in job.json)");
  sub->add_option("--shard", shard_,
                  "I/N: only the I-th of N stable, balanced parts of the plan (CI matrices); "
                  "`list` and `run` agree on it")
      ->check([](const std::string& v) -> std::string {
        return v.find('/') == std::string::npos ? "expected I/N, e.g. --shard 2/4" : "";
      });
  sub->add_flag("--slow", slow_, "also run tests tagged `slow` (scheduler priority)");
}

void SchedulingArgs::apply(RunOptions& options) const {
  options.scheduler = scheduler_.empty() ? "parallel" : scheduler_;
  for (const auto& kv : options_) {
    const auto eq = kv.find('=');
    if (eq == std::string::npos || eq == 0)
      throw sdk::ConfigError("--scheduler-option '" + kv +
                             "': expected KEY=VALUE, e.g. --scheduler-option program=./next");
    options.scheduler_options[kv.substr(0, eq)] = kv.substr(eq + 1);
  }
  if (!shard_.empty()) {
    if (!scheduler_.empty() && scheduler_ != "shard")
      throw sdk::ConfigError(
          "--shard picks the 'shard' scheduler; it cannot be combined with "
          "--scheduler " +
          scheduler_);
    options.scheduler = "shard";
    options.scheduler_options["shard"] = shard_;
  }
  if (slow_) {
    // Leaving slow tests out is the priority scheduler's business.
    if (scheduler_.empty() && shard_.empty()) options.scheduler = "priority";
    if (options.scheduler != "priority")
      throw sdk::ConfigError("--slow works with the priority scheduler, not '" + options.scheduler +
                             "'");
    options.scheduler_options["slow"] = "yes";
  }
  options.seed = seed_;
}

std::uint64_t parse_mebibytes(const std::string& text) {
  std::uint64_t n = 0;
  const char* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, n);
  std::string unit(ptr, end);
  std::uint64_t factor = 0;
  if (unit.empty() || unit == "M" || unit == "MiB")
    factor = 1;
  else if (unit == "G" || unit == "GiB")
    factor = 1024;
  else if (unit == "T" || unit == "TiB")
    factor = 1024 * 1024;
  if (ec != std::errc() || factor == 0 || n == 0)
    throw sdk::ConfigError("--max-mem '" + text +
                           "': expected a positive size in MiB or with M, G or T, e.g. 8G");
  return n * factor;
}

}  // namespace vt::core::cli
