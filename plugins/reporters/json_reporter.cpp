#include "json_reporter.h"

#include <utility>

#include "document_output.h"
#include "vt/sdk/types.h"

namespace vt::reporters {

JsonReporter::JsonReporter(std::filesystem::path output, std::FILE* out)
    : output_(std::move(output)), out_(out) {}

void JsonReporter::on_job_end(const vt::sdk::JobSummary& summary) {
  write_document(output_.empty() ? std::filesystem::path("-") : output_, out_,
                 vt::sdk::render_results_json(summary), "json");
}

std::unique_ptr<vt::sdk::Reporter> make_json_reporter(vt::sdk::Host& /*host*/,
                                                      const vt::sdk::ReporterSpec& spec) {
  return std::make_unique<JsonReporter>(spec.output, stdout);
}

}  // namespace vt::reporters
