#include "runner/reporter_fanout.h"

namespace vt::core {

void ReporterFanout::add(std::string name, PluginPtr<sdk::Reporter> reporter) {
  std::lock_guard lock(mutex_);
  slots_.push_back({std::move(name), std::move(reporter)});
}

template <class Call>
void ReporterFanout::each(const char* event, Call call) {
  std::lock_guard lock(mutex_);
  for (auto& slot : slots_) {
    if (!slot.reporter) continue;
    try {
      call(*slot.reporter);
    } catch (const std::exception& e) {
      host_.log(sdk::LogLevel::error, "runner",
                "reporter '" + slot.name + "' failed in " + event + ": " + e.what() +
                    " — it is disabled for the rest of this job");
      slot.reporter.reset();
    }
  }
}

void ReporterFanout::job_start(const sdk::JobInfo& job) {
  each("on_job_start", [&](sdk::Reporter& r) { r.on_job_start(job); });
}
void ReporterFanout::test_start(const sdk::TestInfo& test) {
  each("on_test_start", [&](sdk::Reporter& r) { r.on_test_start(test); });
}
void ReporterFanout::test_output(const sdk::TestInfo& test, sdk::Stream stream,
                                 std::string_view bytes) {
  each("on_test_output", [&](sdk::Reporter& r) { r.on_test_output(test, stream, bytes); });
}
void ReporterFanout::test_end(const sdk::TestResult& result) {
  each("on_test_end", [&](sdk::Reporter& r) { r.on_test_end(result); });
}
void ReporterFanout::job_end(const sdk::JobSummary& summary) {
  each("on_job_end", [&](sdk::Reporter& r) { r.on_job_end(summary); });
}

}  // namespace vt::core
