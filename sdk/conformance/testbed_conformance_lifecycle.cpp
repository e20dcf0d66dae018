// Conformance of a testbed's life: capabilities, open, revert, reboot, console, close, reopen.
#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <future>
#include <iostream>
#include <thread>

#include "conformance_util.h"
#include "vt/sdk/conformance/testbed_conformance.h"
#include "vt/sdk/error.h"

namespace vt::sdk::conformance {

int link_lifecycle_tests() {
  return 0;
}

namespace {

namespace fs = std::filesystem;

const Capabilities known_capabilities = {
    cap::revert,          cap::revert_full_system,  cap::reboot,
    cap::root_on_testbed, cap::isolation_container, cap::isolation_machine,
    cap::snapshot,        cap::parallel_safe,       cap::console};

std::string join(const Capabilities& caps) {
  std::string out;
  for (const auto& c : caps) out += (out.empty() ? "" : " ") + c;
  return out;
}

// Checks what open() and revert() promise about the scratch directory.
void expect_fresh_scratch(const std::string& path,
                          const std::function<ExecResult(const std::string&)>& sh) {
  ASSERT_FALSE(path.empty()) << "the scratch directory path is empty";
  EXPECT_EQ(path.front(), '/') << "the scratch directory '" << path << "' is not absolute";
  const std::string q = shell_quote(path);
  const ExecResult dir = sh("test -d " + q);
  EXPECT_EQ(dir.exit_status, 0) << "scratch directory '" << path << "' does not exist";
  const ExecResult ls = sh("ls -A " + q);
  EXPECT_EQ(ls.exit_status, 0) << describe(ls);
  EXPECT_EQ(ls.stdout_data, "") << "scratch directory '" << path << "' is not empty";
  const ExecResult write = sh("echo probe > " + q + "/.probe && rm " + q + "/.probe");
  EXPECT_EQ(write.exit_status, 0) << "scratch directory '" << path
                                  << "' is not writable: " << describe(write);
}

TEST_P(TestbedConformance, CapabilitiesAreKnownNames) {
  const Capabilities caps = testbed().capabilities();
  EXPECT_FALSE(caps.empty()) << "a testbed offers at least one capability (e.g. parallel-safe "
                                "or isolation-machine); got none";
  for (const auto& name : caps) {
    if (known_capabilities.count(name) == 0)
      std::cout << "[  WARNING ] unknown capability '" << name
                << "' (the core ignores it; known: " << join(known_capabilities) << ")\n";
  }
  if (caps.count(cap::root_on_testbed) != 0) {
    EXPECT_EQ(sh_ok("id -u"), "0\n") << "'root-on-testbed' is offered but commands are not root";
  }
}

TEST_P(TestbedConformance, CapabilitiesAreValidBeforeOpen) {
  std::shared_ptr<Testbed> other;
  try {
    other = make_unopened_testbed();
  } catch (const std::exception& e) {
    FAIL() << "creating a second testbed threw: " << e.what();
  }
  EXPECT_EQ(other->capabilities(), testbed().capabilities())
      << "capabilities() of an unopened testbed must equal those of an open one";
  other->close();  // never opened: close() must do nothing and not throw
}

TEST_P(TestbedConformance, OpenReturnsAnEmptyWritableScratchDirectory) {
  expect_fresh_scratch(scratch(), [this](const std::string& s) { return sh(s); });
}

TEST_P(TestbedConformance, RevertUndoesChangesOrThrowsWithoutTheCapability) {
  if (testbed().capabilities().count(cap::revert) == 0) {
    EXPECT_THROW(testbed().revert(), Error)
        << "without the 'revert' capability revert() must throw a vt::sdk::Error";
    return;
  }
  sh_ok("echo before > before-revert.txt");
  std::string again;
  try {
    again = testbed().revert();
  } catch (const std::exception& e) {
    FAIL() << "revert() threw although 'revert' is offered: " << e.what();
  }
  EXPECT_EQ(again, scratch()) << "revert() must keep the scratch directory's path";
  const ExecResult r = sh("test -e " + shell_quote(on_testbed("before-revert.txt")));
  EXPECT_NE(r.exit_status, 0) << "a file written before revert() is still there";
  expect_fresh_scratch(again, [this](const std::string& s) { return sh(s); });
}

TEST_P(TestbedConformance, RebootKeepsTheTestbedUsableOrThrowsWithoutTheCapability) {
  if (testbed().capabilities().count(cap::reboot) == 0) {
    EXPECT_THROW(testbed().reboot(), Error)
        << "without the 'reboot' capability reboot() must throw a vt::sdk::Error";
    return;
  }
  try {
    testbed().reboot();
  } catch (const std::exception& e) {
    FAIL() << "reboot() threw although 'reboot' is offered: " << e.what();
  }
  EXPECT_EQ(sh_ok("echo alive"), "alive\n") << "commands must work when reboot() returns";
  EXPECT_EQ(sh("test -d " + shell_quote(scratch())).exit_status, 0)
      << "the scratch directory is gone after reboot()";
}

TEST_P(TestbedConformance, ConsoleIsEmptyOrAnExistingFile) {
  const fs::path console = testbed().console();
  if (console.empty()) {
    EXPECT_EQ(testbed().capabilities().count(cap::console), 0u)
        << "'console' is offered but console() returned an empty path";
    return;
  }
  std::error_code ec;
  EXPECT_TRUE(fs::is_regular_file(console, ec))
      << "console() returned '" << console.string() << "', which is not an existing host file";
}

TEST_P(TestbedConformance, CloseIsIdempotentAndEndsExec) {
  testbed().close();
  testbed().close();
  ExecRequest request;
  request.argv = {"echo", "after-close"};
  try {
    const ExecResult r = testbed().exec(request, nullptr);
    EXPECT_EQ(r.exit_status, channel_failure)
        << "exec after close() must throw or return 255; " << describe(r);
  } catch (const std::exception&) {
    // Throwing is the other allowed answer.
  }
}

TEST_P(TestbedConformance, CloseEndsCommandsStillRunning) {
  // The runner closes a test's testbeds to end what vtctl still runs on them (from other
  // threads) before it waits for those threads: a close() that leaves them running hangs it.
  ExecRequest request;
  request.argv = {"sh", "-c", "touch running.flag; sleep 30"};
  request.timeout = std::chrono::milliseconds(120'000);
  std::promise<void> returned;
  auto returned_future = returned.get_future();
  std::thread runner([&] {
    try {
      (void)testbed().exec(request, nullptr);
    } catch (const std::exception&) {
      // Throwing is a fine answer to "the testbed was closed under me".
    }
    returned.set_value();
  });
  const ExecResult started =
      sh("i=0; while [ ! -e running.flag ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i+1)); done; "
         "test -e running.flag");
  EXPECT_EQ(started.exit_status, 0) << "the command never started: " << describe(started);
  testbed().close();
  const bool ended =
      returned_future.wait_for(std::chrono::seconds(10)) == std::future_status::ready;
  runner.join();
  EXPECT_TRUE(ended) << "close() must end commands still running on the testbed; an exec of "
                        "`sleep 30` was still running 10 s after close()";
}

TEST_P(TestbedConformance, IdentityIsStableForTheSameSpec) {
  // The runner keeps an open testbed for the next test whose machine has the same identity:
  // an identity that changes from one object to the next would never be reused, and one that
  // changes after open() would hand a test the wrong machine.
  std::shared_ptr<Testbed> other;
  try {
    other = make_unopened_testbed();
  } catch (const std::exception& e) {
    FAIL() << "creating a second testbed threw: " << e.what();
  }
  EXPECT_EQ(other->identity(), testbed().identity())
      << "identity() of two testbeds made from the same spec must be equal";
}

TEST_P(TestbedConformance, ShellCommandNamesAProgramOrIsEmpty) {
  const std::vector<std::string> command = testbed().shell_command();
  if (command.empty()) return;  // the core then offers a line shell through exec()
  ASSERT_FALSE(command.front().empty()) << "shell_command() starts with an empty program name";
  const std::string& program = command.front();
  bool found = program.find('/') != std::string::npos && fs::exists(program);
  if (program.find('/') == std::string::npos) {
    const char* path = std::getenv("PATH");
    std::string dirs = path != nullptr ? path : "/usr/bin:/bin";
    for (std::size_t start = 0; !found && start <= dirs.size();) {
      const std::size_t end = std::min(dirs.find(':', start), dirs.size());
      found = fs::exists(fs::path(dirs.substr(start, end - start)) / program);
      start = end + 1;
    }
  }
  EXPECT_TRUE(found) << "shell_command() names '" << program
                     << "', which is not an existing host program";
}

TEST_P(TestbedConformance, ShutdownStopsTheTestbedWithinItsTimeout) {
  const auto began = std::chrono::steady_clock::now();
  testbed().shutdown(std::chrono::seconds(30));
  const auto took = std::chrono::steady_clock::now() - began;
  EXPECT_LT(took, std::chrono::seconds(45)) << "shutdown(30 s) took longer than its timeout";
  ExecRequest request;
  request.argv = {"echo", "after-shutdown"};
  try {
    const ExecResult r = testbed().exec(request, nullptr);
    EXPECT_EQ(r.exit_status, channel_failure)
        << "exec after shutdown() must throw or return 255; " << describe(r);
  } catch (const std::exception&) {
    // Throwing is the other allowed answer.
  }
  testbed().close();  // still idempotent
  std::string path;
  try {
    path = reopen();
  } catch (const std::exception& e) {
    FAIL() << "open() after shutdown() threw: " << e.what();
  }
  EXPECT_EQ(sh_ok("echo again"), "again\n") << "exec must work after reopening";
}

TEST_P(TestbedConformance, OpenAfterCloseWorksAgain) {
  sh_ok("echo old > old.txt");
  testbed().close();
  std::string path;
  try {
    path = reopen();
  } catch (const std::exception& e) {
    FAIL() << "open() after close() threw: " << e.what();
  }
  expect_fresh_scratch(path, [this](const std::string& s) { return sh(s); });
  EXPECT_EQ(sh_ok("echo again"), "again\n") << "exec must work after reopening";
}

}  // namespace
}  // namespace vt::sdk::conformance
