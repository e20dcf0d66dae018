// The json reporter: the results document (the same one as the job's results.json) for tools
// that want it somewhere else, or on stdout for a pipe.
#pragma once

#include <cstdio>
#include <filesystem>
#include <memory>

#include "vt/sdk/host.h"
#include "vt/sdk/reporter.h"

namespace vt::reporters {

/// Writes vt::sdk::render_results_json(summary) at job end: to `output` atomically, or to
/// `out` when `output` is empty or "-". Not thread-safe: the core serialises reporter calls.
/// on_job_end throws (see vt::sdk::write_file_atomic) when the report cannot be written.
class JsonReporter final : public vt::sdk::Reporter {
 public:
  /// `out` is borrowed and must outlive the reporter.
  JsonReporter(std::filesystem::path output, std::FILE* out);

  void on_job_end(const vt::sdk::JobSummary& summary) override;

 private:
  std::filesystem::path output_;
  std::FILE* out_;
};

/// Factory of the `json` reporter: `spec.output`, or stdout when no path (or "-") is given.
std::unique_ptr<vt::sdk::Reporter> make_json_reporter(vt::sdk::Host& host,
                                                      const vt::sdk::ReporterSpec& spec);

}  // namespace vt::reporters
