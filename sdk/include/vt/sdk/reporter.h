// The reporter interface: a listener to the job's events. The base class does nothing, so a
// reporter overrides only what it needs.
//
// Threading: the core serialises all calls to one reporter (tests running in parallel never
// call it concurrently). Exceptions thrown here are logged and disable that reporter for the
// rest of the job; they never lose other results.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

#include "vt/sdk/types.h"

namespace vt::sdk {

/// What the core tells a reporter at creation.
struct ReporterSpec {
  std::filesystem::path output;   ///< `--reporter NAME:PATH`'s PATH, empty when not given
  std::filesystem::path job_dir;  ///< absolute job directory
  bool terminal = false;          ///< vtrun's stdout is a terminal (live progress is welcome)
};

class Reporter {
 public:
  virtual ~Reporter();
  virtual void on_job_start(const JobInfo& job);
  virtual void on_test_start(const TestInfo& test);
  /// Live output of a running test, in the order it was produced.
  virtual void on_test_output(const TestInfo& test, Stream stream, std::string_view bytes);
  virtual void on_test_end(const TestResult& result);
  /// Last call. Reporters writing files write them here (atomically).
  virtual void on_job_end(const JobSummary& summary);
};

}  // namespace vt::sdk
