// Key functions of the SDK's interfaces (see error.cpp for why they live here) and the
// no-op defaults of Reporter.
#include "vt/sdk/host.h"
#include "vt/sdk/plugin.h"
#include "vt/sdk/reporter.h"
#include "vt/sdk/scheduler.h"
#include "vt/sdk/testbed.h"

namespace vt::sdk {

OutputSink::~OutputSink() = default;
Process::~Process() = default;
ResourceLedger::~ResourceLedger() = default;
Host::~Host() = default;
Testbed::~Testbed() = default;
Scheduler::~Scheduler() = default;

Reporter::~Reporter() = default;
void Reporter::on_job_start(const JobInfo&) {}
void Reporter::on_test_start(const TestInfo&) {}
void Reporter::on_test_output(const TestInfo&, Stream, std::string_view) {}
void Reporter::on_test_end(const TestResult&) {}
void Reporter::on_job_end(const JobSummary&) {}

const char* to_string(PluginKind kind) noexcept {
  switch (kind) {
    case PluginKind::backend:
      return "backend";
    case PluginKind::reporter:
      return "reporter";
    case PluginKind::scheduler:
      return "scheduler";
  }
  return "unknown";
}

}  // namespace vt::sdk
