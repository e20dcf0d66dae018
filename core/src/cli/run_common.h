// What `run` and `replay` share: turning a plan and options into a job.
#pragma once

#include <string>
#include <vector>

#include "cli/context.h"
#include "vt/core/runner.h"

namespace vt::core::cli {

/// NAME or NAME:PATH of --reporter. Throws sdk::ConfigError for an empty PATH.
ReporterRequest parse_reporter(const std::string& spec);

/// Fills in what every job needs (vtctl, the providers dir, the terminal), sweeps what crashed
/// runs left, runs the job, prints its directory and returns the exit bitmask.
int run_plan(Context& ctx, const std::vector<TestCase>& plan, RunOptions options);

}  // namespace vt::core::cli
