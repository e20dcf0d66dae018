// The junit reporter: Ant-style JUnit XML, the format CI systems (Jenkins, GitLab) import.
// It validates against the schema in conformance/junit/JUnit.xsd (docs/reporters.md).
#pragma once

#include <cstddef>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>

#include "vt/sdk/host.h"
#include "vt/sdk/reporter.h"

namespace vt::reporters {

/// At most this many bytes of each test's stdout and stderr are copied into the report (the
/// end of the log, which usually explains a failure); the files in the job directory are whole.
inline constexpr std::size_t junit_log_cap = 64 * 1024;

/// Renders the document: one <testsuites> holding one <testsuite name="vtrun">. Test logs are
/// read from `job_dir`/<logdir>/{stdout,stderr}; the schema allows <system-out> and
/// <system-err> only per suite, so each test's output is a section in them. Any text that is
/// not valid XML (invalid UTF-8, NUL, escape codes) is replaced by U+FFFD. Throws
/// vt::sdk::Error if libxml2 fails.
std::string render_junit_xml(const vt::sdk::JobSummary& summary,
                             const std::filesystem::path& job_dir, const std::string& hostname);

/// Writes render_junit_xml at job end: to `output` atomically, or to `out` when `output` is
/// "-". Not thread-safe: the core serialises reporter calls. on_job_end throws (see
/// vt::sdk::write_file_atomic) when the report cannot be written.
class JunitReporter final : public vt::sdk::Reporter {
 public:
  /// `job_dir` is used when the summary carries none. `out` is borrowed and must outlive the
  /// reporter.
  JunitReporter(std::filesystem::path output, std::filesystem::path job_dir, std::FILE* out);

  void on_job_end(const vt::sdk::JobSummary& summary) override;

 private:
  std::filesystem::path output_;
  std::filesystem::path job_dir_;
  std::FILE* out_;
};

/// Factory of the `junit` reporter: `spec.output`, by default `<job_dir>/junit.xml`.
std::unique_ptr<vt::sdk::Reporter> make_junit_reporter(vt::sdk::Host& host,
                                                       const vt::sdk::ReporterSpec& spec);

}  // namespace vt::reporters
