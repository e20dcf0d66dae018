// The conformance suite every backend passes (DESIGN.md, "Testbeds"). A backend proves itself
// with one line in a test source that links `vt_testbed_conformance`:
//
//   VT_INSTANTIATE_TESTBED_CONFORMANCE(Local, {.backend = "local", .plugin_dirs = {DIR}});
//
// Each test loads the plugins from `plugin_dirs` through the real loader (core's
// PluginRegistry), creates the testbed with a real CoreHost, opens it, checks one part of the
// Testbed contract (testbed.h) and closes it. A factory or open() that throws
// sdk::UnavailableError (the host lacks /dev/kvm, a container engine, ...) skips the test with
// that message; every other failure names the backend, the command and expected vs got.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <iosfwd>
#include <memory>
#include <string>
#include <vector>

#include "vt/sdk/testbed.h"
#include "vt/sdk/types.h"

namespace vt::sdk::conformance {

/// Which backend to test and how to make it.
struct TestbedConformanceParam {
  // Every member has an initializer, so designated initializers may leave any of them out.
  std::string backend{};                             ///< the backend factory's name ("local")
  std::vector<std::filesystem::path> plugin_dirs{};  ///< where its libvt_*.so lives
  Params params{};                                   ///< TestbedSpec::params (e.g. an image)
  std::string machine = "vm1";                       ///< TestbedSpec::machine
  std::chrono::seconds open_timeout{300};            ///< longest open() may take (checked)
};

/// Prints "<backend> (machine <machine>, params {k=v, ...})" so failures say what ran.
void PrintTo(const TestbedConformanceParam& param, std::ostream* os);
std::ostream& operator<<(std::ostream& os, const TestbedConformanceParam& param);

/// The test-name suffix: the backend's name made of [A-Za-z0-9_], plus "_<index>" after the
/// first parameter, so several configurations of one backend stay distinct.
std::string conformance_test_name(const ::testing::TestParamInfo<TestbedConformanceParam>& info);

/// The fixture. SetUp: load plugins, make a CoreHost (its ledger in a fresh temporary
/// directory), make the testbed and open it. TearDown: close it and remove the temporary
/// directory. Tests run one at a time; a few call the testbed from several threads at once, as
/// the runner does.
class TestbedConformance : public ::testing::TestWithParam<TestbedConformanceParam> {
 protected:
  void SetUp() override;
  void TearDown() override;

  /// The open testbed (valid between SetUp and TearDown).
  sdk::Testbed& testbed();
  /// The scratch directory open() returned (a testbed path).
  const std::string& scratch() const { return scratch_; }
  /// A fresh host directory for this test's files, removed in TearDown.
  const std::filesystem::path& host_dir() const { return host_dir_; }
  /// `scratch() + "/" + relative`.
  std::string on_testbed(const std::string& relative) const;

  /// Runs `script` with `sh -c` on the testbed; output collected.
  sdk::ExecResult sh(const std::string& script, std::chrono::milliseconds timeout = {});
  /// Runs `request` on the testbed; output collected.
  sdk::ExecResult run(const sdk::ExecRequest& request);
  /// Runs `script` and returns its stdout, failing the test (and returning "") unless it
  /// exits 0.
  std::string sh_ok(const std::string& script);

  /// Opens the testbed again after close(). Returns the new scratch directory.
  std::string reopen();

  /// A second testbed of the same backend and spec, not opened (to check what is valid
  /// before open()). It is closed and destroyed when the pointer goes.
  std::shared_ptr<sdk::Testbed> make_unopened_testbed();

 private:
  struct State;  // the loader, the host and the testbed; keeps core's headers out of here
  std::shared_ptr<State> state_;
  std::filesystem::path temp_dir_;
  std::filesystem::path host_dir_;
  std::string scratch_;
};

/// Quotes `word` for sh: 'it'\''s'.
std::string shell_quote(const std::string& word);

/// Referenced by the instantiation macro so that the linker keeps every test of the suite
/// (they live in several object files of a static library). Returns 0.
int link_testbed_conformance();

}  // namespace vt::sdk::conformance

/// Instantiates the suite once per given TestbedConformanceParam (braced initializers work).
/// Use at namespace scope, followed by ';'. `name` prefixes the test names
/// (`Local/TestbedConformance.ExecHonoursCwd/local`) and must be unique in the binary.
#define VT_INSTANTIATE_TESTBED_CONFORMANCE(name, ...)                                              \
  namespace vt::sdk::conformance {                                                                 \
  [[maybe_unused]] static const int link_##name = link_testbed_conformance();                      \
  INSTANTIATE_TEST_SUITE_P(name, TestbedConformance,                                               \
                           ::testing::ValuesIn(std::vector<TestbedConformanceParam>{__VA_ARGS__}), \
                           conformance_test_name);                                                 \
  }                                                                                                \
  static_assert(true, "VT_INSTANTIATE_TESTBED_CONFORMANCE is followed by ';'")
