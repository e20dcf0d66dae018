// Each vtrun command adds its CLI11 subcommand and returns what to run if it was chosen.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>

#include "cli/context.h"

namespace vt::core::cli {

struct Command {
  CLI::App* app;
  std::function<int(Context&)> run;
};

Command add_list_command(CLI::App& app);
Command add_run_command(CLI::App& app);
Command add_plugins_command(CLI::App& app);
Command add_providers_command(CLI::App& app);
Command add_cartesian_command(CLI::App& app);
Command add_gc_command(CLI::App& app);
Command add_image_command(CLI::App& app);
Command add_check_command(CLI::App& app);
Command add_stop_command(CLI::App& app);
Command add_replay_command(CLI::App& app);
Command add_add_command(CLI::App& app);
Command add_ls_command(CLI::App& app);

}  // namespace vt::core::cli
