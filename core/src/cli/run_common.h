// What `run` and `replay` share: turning a plan and options into a job.
#pragma once

#include <string>
#include <vector>

#include "cli/context.h"
#include "vt/core/runner.h"

namespace vt::core::cli {

/// NAME or NAME:PATH of --reporter. Throws sdk::ConfigError for an empty PATH.
ReporterRequest parse_reporter(const std::string& spec);

/// The appengine compatibility mode's test tree: `dir` (-d) when given, else, with --backend
/// appengine and no --providers, the current directory when it is a pv-test@1 tree (as
/// Pantavisor's runner defaults to "."). Calls ctx.use_test_tree() and returns true when
/// there is one.
bool use_test_tree_if_any(Context& ctx, const std::string& dir);

/// Fills in what every job needs (vtctl, the providers dir, the terminal), sweeps what crashed
/// runs left, runs the job, prints its directory and returns the exit bitmask.
int run_plan(Context& ctx, const std::vector<TestCase>& plan, RunOptions options);

}  // namespace vt::core::cli
