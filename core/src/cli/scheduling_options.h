// The scheduling options `run` and `list` share: --scheduler, --scheduler-option, --seed,
// --shard, --slow (docs/scheduling.md).
#pragma once

#include <CLI/CLI.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "vt/core/runner.h"

namespace vt::core::cli {

class SchedulingArgs {
 public:
  /// Adds the options to `sub`; this object must outlive its parsing.
  void add_to(CLI::App* sub);
  /// Sets RunOptions::scheduler, scheduler_options and seed (call after parsing). Throws
  /// sdk::ConfigError for a malformed KEY=VALUE or --shard with another --scheduler.
  void apply(RunOptions& options) const;

 private:
  std::string scheduler_;
  std::vector<std::string> options_;
  std::optional<std::uint64_t> seed_;
  std::string shard_;
  bool slow_ = false;
};

/// "4096" (MiB), "512M", "8G", "1T" → MiB. Throws sdk::ConfigError otherwise.
std::uint64_t parse_mebibytes(const std::string& text);

}  // namespace vt::core::cli
