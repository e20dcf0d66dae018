// The console reporter: one line per finished test and a summary, for people watching a run.
#pragma once

#include <cstddef>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "vt/sdk/host.h"
#include "vt/sdk/reporter.h"

namespace vt::reporters {

/// Writes to a stdio stream (stdout in vtrun). With `terminal` it shows a `[ n/total]` counter
/// and a transient `RUNNING <id>` line that the next line overwrites; without it, the output
/// is plain lines that logs and CI consoles keep readable. Every line is flushed as written.
/// Test output is not echoed. Not thread-safe: the core serialises reporter calls.
class ConsoleReporter final : public vt::sdk::Reporter {
 public:
  /// `out` is borrowed and must outlive the reporter.
  ConsoleReporter(std::FILE* out, bool terminal);

  void on_job_start(const vt::sdk::JobInfo& job) override;
  void on_test_start(const vt::sdk::TestInfo& test) override;
  void on_test_end(const vt::sdk::TestResult& result) override;
  void on_job_end(const vt::sdk::JobSummary& summary) override;

 private:
  std::string counter() const;
  void show_running();
  std::string take_running();
  void write(const std::string& text);

  std::FILE* out_;
  bool terminal_;
  std::size_t total_ = 0;
  std::size_t finished_ = 0;
  std::vector<std::string> running_;  // ids in start order; the newest is shown
  bool running_shown_ = false;
};

/// Factory of the `console` reporter: writes to stdout.
std::unique_ptr<vt::sdk::Reporter> make_console_reporter(vt::sdk::Host& host,
                                                         const vt::sdk::ReporterSpec& spec);

}  // namespace vt::reporters
