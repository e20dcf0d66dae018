// The vtrun command line (DESIGN.md "Command line"; a user-facing contract).
#pragma once

namespace vt::core {

/// Parses argv, runs the command and returns the process exit status.
int run_cli(int argc, char** argv);

}  // namespace vt::core
