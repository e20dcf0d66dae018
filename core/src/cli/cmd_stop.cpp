#include <signal.h>

#include <iostream>

#include "cli/commands.h"
#include "cli/job_files.h"
#include "vt/sdk/error.h"

namespace vt::core::cli {

namespace {

struct StopArgs {
  std::vector<std::string> jobs;
  bool interrupt = false;
};

}  // namespace

Command add_stop_command(CLI::App& app) {
  auto* sub = app.add_subcommand(
      "stop",
      "ask running jobs to stop: no more tests start; under --loop the running tests finish, "
      "otherwise they are interrupted (SIGTERM to vtrun)");
  auto args = std::make_shared<StopArgs>();
  sub->add_option("jobs", args->jobs,
                  "job directories or ids under the results dir; none: every running job there");
  sub->add_flag("--interrupt", args->interrupt,
                "interrupt the running tests even under --loop (SIGINT; twice kills them)");
  return {sub, [args](Context& ctx) {
            const auto& results_dir = ctx.options().results_dir;
            std::vector<std::filesystem::path> dirs;
            for (const auto& spec : args->jobs) dirs.push_back(find_job_dir(spec, results_dir));
            if (args->jobs.empty()) dirs = running_jobs(results_dir);
            if (dirs.empty()) {
              std::cout << "no running job in " << results_dir.string() << "\n";
              return 0;
            }
            int status = 0;
            for (const auto& dir : dirs) {
              const int pid = running_pid(dir);
              if (pid == 0) {
                std::cout << dir.filename().string() << ": not running\n";
                continue;
              }
              if (kill(pid, args->interrupt ? SIGINT : SIGTERM) != 0) {
                std::cout << dir.filename().string() << ": cannot signal pid " << pid << "\n";
                status = 1;
                continue;
              }
              std::cout << dir.filename().string() << ": asked vtrun (pid " << pid << ") to stop\n";
            }
            return status;
          }};
}

}  // namespace vt::core::cli
