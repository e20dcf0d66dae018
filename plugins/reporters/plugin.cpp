// The reporters plugin's manifest and its one exported entry, vt_plugin_v1.
#include "vt/sdk/plugin_entry.h"

#include "console_reporter.h"
#include "json_reporter.h"
#include "junit_reporter.h"

namespace vt::reporters {

namespace {

vt::sdk::Factory reporter(
    const char* name, const char* summary,
    std::unique_ptr<vt::sdk::Reporter> (*make)(vt::sdk::Host&, const vt::sdk::ReporterSpec&)) {
  vt::sdk::Factory factory;
  factory.kind = vt::sdk::PluginKind::reporter;
  factory.name = name;
  factory.summary = summary;
  factory.make_reporter = make;
  return factory;
}

}  // namespace

const vt::sdk::Manifest* manifest() {
  static const vt::sdk::Manifest manifest{
      "reporters",
      "0.1.0",
      {reporter("console", "one line per test and a summary on stdout", &make_console_reporter),
       reporter("json", "the results document to PATH, or stdout", &make_json_reporter),
       reporter("junit", "JUnit XML for CI, by default <job>/junit.xml", &make_junit_reporter)}};
  return &manifest;
}

}  // namespace vt::reporters

VT_PLUGIN_ENTRY(vt::reporters::manifest)
