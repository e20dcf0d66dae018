#include "junit_reporter.h"

#include <libxml/xmlwriter.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <ctime>
#include <fstream>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

#include "document_output.h"
#include "vt/sdk/error.h"
#include "vt/sdk/files.h"
#include "xml_text.h"

namespace vt::reporters {

namespace {

namespace fs = std::filesystem;
using vt::sdk::Status;

// Thin RAII over xmlTextWriter so every call is checked and every string is made XML-safe on
// its way in; the document is never assembled by hand.
class XmlWriter {
 public:
  XmlWriter() : buffer_(xmlBufferCreate(), &xmlBufferFree) {
    if (buffer_ == nullptr) fail("creating the buffer");
    writer_.reset(xmlNewTextWriterMemory(buffer_.get(), 0));
    if (writer_ == nullptr) fail("creating the writer");
    check(xmlTextWriterSetIndent(writer_.get(), 1), "setting indentation");
    check(xmlTextWriterSetIndentString(writer_.get(), as_xml("  ")), "setting indentation");
    check(xmlTextWriterStartDocument(writer_.get(), nullptr, "UTF-8", nullptr),
          "starting the document");
  }

  void start(const char* element) {
    check(xmlTextWriterStartElement(writer_.get(), as_xml(element)), element);
  }
  void attribute(const char* name, std::string_view value) {
    const std::string safe = to_xml_text(value);
    check(xmlTextWriterWriteAttribute(writer_.get(), as_xml(name), as_xml(safe.c_str())), name);
  }
  void text(std::string_view value) {
    const std::string safe = to_xml_text(value);
    check(xmlTextWriterWriteString(writer_.get(), as_xml(safe.c_str())), "text");
  }
  void end() { check(xmlTextWriterEndElement(writer_.get()), "closing an element"); }

  /// Closes the document and returns it; the writer is spent afterwards.
  std::string finish() {
    check(xmlTextWriterEndDocument(writer_.get()), "ending the document");
    writer_.reset();  // flushes into buffer_
    return {reinterpret_cast<const char*>(xmlBufferContent(buffer_.get())),
            static_cast<std::size_t>(xmlBufferLength(buffer_.get()))};
  }

 private:
  static const xmlChar* as_xml(const char* text) { return reinterpret_cast<const xmlChar*>(text); }
  static void check(int rc, const char* what) {
    if (rc < 0) fail(what);
  }
  [[noreturn]] static void fail(const char* what) {
    throw vt::sdk::Error(std::string("junit reporter: libxml2 failed at '") + what +
                         "' — this is a bug or out of memory; the other reports are unaffected");
  }

  // Declared before writer_ so that the writer, which flushes into it, is destroyed first.
  std::unique_ptr<xmlBuffer, decltype(&xmlBufferFree)> buffer_;
  std::unique_ptr<xmlTextWriter, decltype(&xmlFreeTextWriter)> writer_{nullptr, &xmlFreeTextWriter};
};

std::string decimal_seconds(std::chrono::duration<double> d) {
  const double s = std::isfinite(d.count()) ? std::max(0.0, d.count()) : 0.0;
  std::array<char, 32> buf{};
  std::snprintf(buf.data(), buf.size(), "%.3f", s);
  return buf.data();
}

// The schema's timestamp pattern has no zone designator; UTC keeps reports from different
// machines comparable.
std::string timestamp(std::chrono::system_clock::time_point t) {
  const std::time_t tt = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  std::array<char, 32> buf{};
  std::strftime(buf.data(), buf.size(), "%Y-%m-%dT%H:%M:%S", &tm);
  return buf.data();
}

std::string read_log_tail(const fs::path& file) {
  std::error_code ec;
  if (!fs::is_regular_file(file, ec)) return {};
  const std::uintmax_t size = fs::file_size(file, ec);
  std::ifstream in(file, std::ios::binary);
  if (ec || !in) return "[vtrun: cannot read '" + file.string() + "']\n";
  std::string out;
  if (size > junit_log_cap) {
    in.seekg(static_cast<std::streamoff>(size - junit_log_cap));
    out = "[vtrun: " + std::to_string(size - junit_log_cap) +
          " earlier bytes omitted; full log: " + file.string() + "]\n";
  }
  std::string data(junit_log_cap, '\0');
  in.read(data.data(), static_cast<std::streamsize>(data.size()));
  data.resize(static_cast<std::size_t>(in.gcount()));
  out += data;
  if (!out.empty() && out.back() != '\n') out += '\n';
  return out;
}

struct Counts {
  int failures = 0;
  int errors = 0;
  int skipped = 0;
};

Counts count(const std::vector<vt::sdk::TestResult>& tests) {
  Counts c;
  for (const vt::sdk::TestResult& r : tests) {
    if (r.status == Status::fail) ++c.failures;
    if (r.status == Status::error || r.status == Status::interrupted) ++c.errors;
    if (r.status == Status::skip || r.status == Status::cancel) ++c.skipped;
  }
  return c;
}

void write_properties(XmlWriter& xml, const vt::sdk::JobSummary& summary) {
  std::string command;
  for (const std::string& arg : summary.job.command) command += (command.empty() ? "" : " ") + arg;
  std::vector<std::pair<const char*, std::string>> properties = {
      {"vtrun.job.id", summary.job.id},
      {"vtrun.job.dir", summary.job.dir.string()},
      {"vtrun.job.backend", summary.job.backend},
      {"vtrun.job.command", command},
      {"vtrun.job.exit_code", std::to_string(summary.exit_code)}};
  if (!summary.error.empty()) properties.emplace_back("vtrun.job.error", summary.error);
  xml.start("properties");
  for (const auto& [name, value] : properties) {
    xml.start("property");
    xml.attribute("name", name);
    xml.attribute("value", value);
    xml.end();
  }
  xml.end();
}

// Only FAIL, ERROR/INTERRUPTED and SKIP/CANCEL have an element in the schema; PASS and WARN
// are plain testcases (a WARN's note goes to <system-out>).
void write_testcase(XmlWriter& xml, const vt::sdk::TestResult& r, const fs::path& job_dir) {
  xml.start("testcase");
  xml.attribute("classname", r.provider.empty() ? "vtrun" : r.provider);
  xml.attribute("name", r.id);
  xml.attribute("time", decimal_seconds(r.duration));
  const char* element = nullptr;
  switch (r.status) {
    case Status::fail:
      element = "failure";
      break;
    case Status::error:
    case Status::interrupted:
      element = "error";
      break;
    case Status::skip:
    case Status::cancel:
      element = "skipped";
      break;
    case Status::pass:
    case Status::warn:
      break;
  }
  if (element != nullptr) {
    xml.start(element);
    xml.attribute("message", r.reason);
    if (std::strcmp(element, "skipped") != 0) {
      xml.attribute("type", vt::sdk::to_string(r.status));
      if (!r.logdir.empty()) xml.text("logs: " + (job_dir / r.logdir).string());
    }
    xml.end();
  }
  xml.end();
}

// One section per test with something to say, in plan order. `with_notes` adds WARN reasons,
// which have no element of their own in the schema.
std::string collect_output(const vt::sdk::JobSummary& summary, const fs::path& job_dir,
                           const char* file, bool with_notes) {
  std::string out;
  for (const vt::sdk::TestResult& r : summary.tests) {
    std::string body;
    if (with_notes && r.status == Status::warn && !r.reason.empty())
      body = "[vtrun: WARN: " + r.reason + "]\n";
    if (!r.logdir.empty()) body += read_log_tail(job_dir / r.logdir / file);
    if (body.empty()) continue;
    out += "===== " + r.id + " (" + std::string(vt::sdk::to_string(r.status)) + ") =====\n";
    out += body;
  }
  return out;
}

std::string host_name() {
  std::array<char, 256> buf{};
  if (::gethostname(buf.data(), buf.size() - 1) != 0 || buf[0] == '\0') return "localhost";
  return buf.data();
}

}  // namespace

std::string render_junit_xml(const vt::sdk::JobSummary& summary, const fs::path& job_dir,
                             const std::string& hostname) {
  const Counts counts = count(summary.tests);
  XmlWriter xml;
  xml.start("testsuites");
  xml.start("testsuite");
  // A constant name keeps CI history tracking stable across jobs; the job id is a property.
  xml.attribute("name", "vtrun");
  xml.attribute("package", "vtrun");
  xml.attribute("id", "0");
  xml.attribute("tests", std::to_string(summary.tests.size()));
  xml.attribute("failures", std::to_string(counts.failures));
  xml.attribute("errors", std::to_string(counts.errors));
  xml.attribute("skipped", std::to_string(counts.skipped));
  xml.attribute("time", decimal_seconds(summary.finished - summary.job.started));
  xml.attribute("timestamp", timestamp(summary.job.started));
  xml.attribute("hostname", hostname.empty() ? "localhost" : hostname);
  write_properties(xml, summary);
  for (const vt::sdk::TestResult& r : summary.tests) write_testcase(xml, r, job_dir);
  xml.start("system-out");
  xml.text(collect_output(summary, job_dir, "stdout", /*with_notes=*/true));
  xml.end();
  xml.start("system-err");
  xml.text(collect_output(summary, job_dir, "stderr", /*with_notes=*/false));
  xml.end();
  xml.end();
  xml.end();
  return xml.finish();
}

JunitReporter::JunitReporter(fs::path output, fs::path job_dir, std::FILE* out)
    : output_(std::move(output)), job_dir_(std::move(job_dir)), out_(out) {}

void JunitReporter::on_job_end(const vt::sdk::JobSummary& summary) {
  const fs::path& job_dir = summary.job.dir.empty() ? job_dir_ : summary.job.dir;
  const std::string document = render_junit_xml(summary, job_dir, host_name());
  write_document(output_, out_, document, "junit");
}

std::unique_ptr<vt::sdk::Reporter> make_junit_reporter(vt::sdk::Host& /*host*/,
                                                       const vt::sdk::ReporterSpec& spec) {
  fs::path output = spec.output.empty() ? spec.job_dir / "junit.xml" : spec.output;
  return std::make_unique<JunitReporter>(std::move(output), spec.job_dir, stdout);
}

}  // namespace vt::reporters
