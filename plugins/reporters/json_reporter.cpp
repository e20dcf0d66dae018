#include "json_reporter.h"

#include <cerrno>
#include <cstring>
#include <string>
#include <utility>

#include "vt/sdk/error.h"
#include "vt/sdk/files.h"
#include "vt/sdk/types.h"

namespace vt::reporters {

JsonReporter::JsonReporter(std::filesystem::path output, std::FILE* out)
    : output_(std::move(output)), out_(out) {}

void JsonReporter::on_job_end(const vt::sdk::JobSummary& summary) {
  const std::string document = vt::sdk::render_results_json(summary);
  if (!output_.empty() && output_ != "-") {
    vt::sdk::write_file_atomic(output_, document);
    return;
  }
  if (std::fwrite(document.data(), 1, document.size(), out_) != document.size() ||
      std::fflush(out_) != 0) {
    throw vt::sdk::Error(std::string("json reporter: cannot write to stdout: ") +
                         std::strerror(errno) + " — give a file instead: --reporter json:PATH");
  }
}

std::unique_ptr<vt::sdk::Reporter> make_json_reporter(vt::sdk::Host& /*host*/,
                                                      const vt::sdk::ReporterSpec& spec) {
  return std::make_unique<JsonReporter>(spec.output, stdout);
}

}  // namespace vt::reporters
