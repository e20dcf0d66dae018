// Delivers job events to every reporter, one call at a time (the SDK promises reporters
// serial calls), and isolates their failures: a reporter that throws is logged and dropped,
// and the job and the other reporters go on.
#pragma once

#include <mutex>
#include <string>
#include <vector>

#include "vt/core/plugin_registry.h"
#include "vt/sdk/host.h"
#include "vt/sdk/reporter.h"

namespace vt::core {

class ReporterFanout {
 public:
  explicit ReporterFanout(sdk::Host& host) : host_(host) {}

  void add(std::string name, PluginPtr<sdk::Reporter> reporter);

  void job_start(const sdk::JobInfo& job);
  void test_start(const sdk::TestInfo& test);
  void test_output(const sdk::TestInfo& test, sdk::Stream stream, std::string_view bytes);
  void test_end(const sdk::TestResult& result);
  void job_end(const sdk::JobSummary& summary);

 private:
  template <class Call>
  void each(const char* event, Call call);

  struct Slot {
    std::string name;
    PluginPtr<sdk::Reporter> reporter;  // null once it threw
  };
  sdk::Host& host_;
  std::mutex mutex_;
  std::vector<Slot> slots_;
};

}  // namespace vt::core
