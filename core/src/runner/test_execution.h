// Runs one attempt of a test from start to verdict: testbeds, control socket, command, logs.
#pragma once

#include <filesystem>
#include <string>

#include "runner/kept_testbeds.h"
#include "runner/reporter_fanout.h"
#include "runner/test_stopper.h"
#include "runner/testbed_pool.h"
#include "vt/core/job_dir.h"
#include "vt/core/runner.h"

namespace vt::core {

struct TestContext {
  const TestCase& test;
  const sdk::TestInfo& info;
  const RunOptions& options;
  const PluginRegistry& registry;
  CoreHost& host;
  ReporterFanout& reporters;
  const JobDir& job;
  std::filesystem::path control_socket;  ///< where this test's vtctl server listens
  std::string logdir;                    ///< relative to the job dir: tests/<id>[.k]
  TestbedPool& pool;                     ///< testbeds kept between tests
  TestStopper& stopper;                  ///< how the job loop ends this test on an interrupt
  KeptTestbeds& kept;                    ///< --keep-testbed
};

/// Never throws: every failure becomes the test's status (ERROR for the testbed, never FAIL).
sdk::TestResult execute_test(const TestContext& ctx);

}  // namespace vt::core
