// --shell-fail: a shell for the person at the terminal on the testbed of a failing test.
#pragma once

#include <string>

#include "vt/sdk/host.h"
#include "vt/sdk/testbed.h"

namespace vt::core {

/// Runs the testbed's shell_command() with this terminal, or, when it has none, a
/// line-by-line shell whose lines run through exec() under a pty. Returns when the person
/// leaves (exit or Ctrl-D). Does nothing (and says so) when stdin is not a terminal. One shell
/// at a time: tests failing in parallel wait for each other. `before`: `run -i`, the shell
/// comes before the test runs (the header says so), else after it failed (--shell-fail).
void interactive_shell(sdk::Host& host, sdk::Testbed& testbed, const std::string& machine,
                       const std::string& scratch, const std::string& test_id, bool before = false);

}  // namespace vt::core
