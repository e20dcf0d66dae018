#include <csignal>
#include <cstdio>
#include <iostream>

#include "cli/commands.h"
#include "vt/core/cli.h"
#include "vt/core/process.h"
#include "vt/core/runner.h"
#include "vt/sdk/error.h"

namespace vt::core {

namespace {
void on_signal(int sig) {
  if (sig == SIGTERM)
    request_termination();
  else
    request_interrupt();
}
}  // namespace

int run_cli(int argc, char** argv) {
  CLI::App app{
      "vtrun — run virtualization and integration tests from test providers on "
      "testbeds made by backend plugins (local, qemu, libvirt, xen, appengine).",
      "vtrun"};
  app.set_version_flag("--version", std::string("vtrun ") + VTRUN_VERSION);
  app.require_subcommand(1);
  app.fallthrough();
  cli::GlobalOptions globals;
  for (int i = 0; i < argc; ++i) globals.argv.emplace_back(argv[i]);
  auto* backend = app.add_option("-b,--backend", globals.backend,
                                 "backend that makes the testbeds (`check`: only this one)")
                      ->default_val("qemu")
                      ->envname("VTRUN_BACKEND");
  app.add_option("-p,--providers", globals.providers_dir,
                 "providers.d directory (default: ./providers.d, "
                 "$XDG_CONFIG_HOME/vtrun/providers.d, /etc/vtrun/providers.d)")
      ->envname("VTRUN_PROVIDERS");
  app.add_option("-r,--results-dir", globals.results_dir, "where job directories go")
      ->default_val("vtrun-results")
      ->envname("VTRUN_RESULTS_DIR");
  app.add_flag("-v,--verbose", globals.verbosity, "more log output on stderr (repeat for debug)");
  app.add_flag("--offline", globals.offline,
               "never touch the network: git and downloaded providers come from the cache")
      ->envname("VTRUN_OFFLINE");
  app.footer(
      "Run `vtrun COMMAND --help` for a command's options. Exit status of `run`: 0 all "
      "passed; bits 1 tests failed, 2 job error, 4 framework failure, 8 interrupted.");

  std::vector<cli::Command> commands{
      cli::add_list_command(app),      cli::add_run_command(app),
      cli::add_plugins_command(app),   cli::add_providers_command(app),
      cli::add_cartesian_command(app), cli::add_gc_command(app),
      cli::add_image_command(app),     cli::add_check_command(app),
      cli::add_stop_command(app),      cli::add_replay_command(app),
      cli::add_add_command(app),       cli::add_ls_command(app)};
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? 0 : cli::exit_usage;
  }
  // The default does not count; a value from $VTRUN_BACKEND does (the user chose it).
  globals.backend_given = backend->count() > 0;

  become_subreaper();
  // `vtrun run | head` must not kill the job: a closed stdout only disables the console
  // reporter, and results still land in the job directory. Children get SIGPIPE back.
  std::signal(SIGPIPE, SIG_IGN);
  std::signal(SIGINT, on_signal);
  std::signal(SIGTERM, on_signal);
  try {
    cli::Context ctx(globals);
    for (auto& c : commands)
      if (app.got_subcommand(c.app)) return c.run(ctx);
  } catch (const sdk::ConfigError& e) {
    std::cerr << "vtrun: error: " << e.what() << "\n";
    return cli::exit_usage;
  } catch (const sdk::UnavailableError& e) {
    // A provider that cannot be fetched: the job could not be done, vtrun did not fail.
    std::cerr << "vtrun: error: " << e.what() << "\n";
    return cli::exit_usage;
  } catch (const std::exception& e) {
    std::cerr << "vtrun: error: " << e.what() << "\n";
    return exit_bits::framework;
  }
  return cli::exit_usage;
}

}  // namespace vt::core
