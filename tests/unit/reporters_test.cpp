// Unit tests of the reporters plugin's reporters, compiled in directly (the plugin itself is a
// MODULE library; loading it through the real loader is an integration test).
#include <gtest/gtest.h>
#include <libxml/parser.h>
#include <libxml/xpath.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "console_reporter.h"
#include "json_reporter.h"
#include "junit_reporter.h"
#include "support/test_support.h"
#include "vt/sdk/error.h"
#include "vt/sdk/host.h"
#include "xml_text.h"

namespace vt::reporters {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using vt::sdk::Status;
using vt::test_support::TempDir;
using vt::test_support::write_file;

constexpr std::string_view temp_prefix = "vt-reporters-test-";

// Captures what a reporter writes to its stdio stream.
class MemoryStream {
 public:
  MemoryStream() : file_(open_memstream(&data_, &size_)) {}
  MemoryStream(const MemoryStream&) = delete;
  MemoryStream& operator=(const MemoryStream&) = delete;
  ~MemoryStream() {
    std::fclose(file_);
    std::free(data_);
  }
  std::FILE* file() { return file_; }
  std::string str() {
    std::fflush(file_);
    return {data_, size_};
  }

 private:
  char* data_ = nullptr;
  std::size_t size_ = 0;
  std::FILE* file_;
};

class FakeHost final : public vt::sdk::Host {
 public:
  void log(vt::sdk::LogLevel, std::string_view, std::string_view message) override {
    logged.emplace_back(message);
  }
  vt::sdk::ExecResult run(const vt::sdk::ExecRequest&, vt::sdk::OutputSink*) override {
    throw vt::sdk::Error("FakeHost::run is not part of this test");
  }
  std::unique_ptr<vt::sdk::Process> spawn(const vt::sdk::ExecRequest&,
                                          vt::sdk::OutputSink*) override {
    throw vt::sdk::Error("FakeHost::spawn is not part of this test");
  }
  fs::path make_scratch_dir(std::string_view) override {
    throw vt::sdk::Error("FakeHost::make_scratch_dir is not part of this test");
  }
  vt::sdk::ResourceLedger& ledger() override {
    throw vt::sdk::Error("FakeHost::ledger is not part of this test");
  }
  void at_shutdown(void (*)(void*), void*) override {
    throw vt::sdk::Error("FakeHost::at_shutdown is not part of this test");
  }
  std::vector<std::string> logged;
};

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream content;
  content << in.rdbuf();
  return content.str();
}

struct CommandResult {
  int exit_status = -1;
  std::string output;
};

CommandResult run_command(const std::string& command) {
  CommandResult result;
  std::FILE* pipe = popen((command + " 2>&1").c_str(), "r");
  if (pipe == nullptr) return result;
  char buf[4096];
  std::size_t n = 0;
  while ((n = std::fread(buf, 1, sizeof buf, pipe)) > 0) result.output.append(buf, n);
  const int status = pclose(pipe);
  result.exit_status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

std::string quoted(const fs::path& path) {
  std::string out = "'";
  for (char c : path.string()) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

const std::chrono::system_clock::time_point job_start =
    std::chrono::system_clock::from_time_t(1714979289);  // 2024-05-06T07:08:09Z

vt::sdk::TestResult result(std::string id, Status status, std::string reason, double seconds) {
  vt::sdk::TestResult r;
  r.provider = "local";
  r.logdir = "tests/" + id;
  r.id = std::move(id);
  r.status = status;
  r.reason = std::move(reason);
  r.started = job_start;
  r.duration = std::chrono::duration<double>(seconds);
  return r;
}

// One test of every status, in enum order.
vt::sdk::JobSummary summary_of_every_status(const fs::path& job_dir = "/tmp/job") {
  vt::sdk::JobSummary s;
  s.job.id = "job-1";
  s.job.dir = job_dir;
  s.job.command = {"vtrun", "run", "local"};
  s.job.backend = "local";
  s.job.started = job_start;
  s.job.test_count = 7;
  s.finished = job_start + std::chrono::milliseconds(12345);
  s.exit_code = 1 | 8;
  s.tests = {result("t.pass", Status::pass, "", 0.031),
             result("t.fail", Status::fail, "exit status 1 <&\"'>", 1.2),
             result("t.error", Status::error, "testbed channel failed", 2),
             result("t.skip", Status::skip, "needs isolation-machine", 0),
             result("t.warn", Status::warn, "slow boot", 10.5),
             result("t.cancel", Status::cancel, "dependency t.fail failed", 0),
             result("t.interrupted", Status::interrupted, "SIGINT", 123.456)};
  return s;
}

vt::sdk::TestInfo info(const std::string& id) {
  vt::sdk::TestInfo t;
  t.id = id;
  t.provider = "local";
  return t;
}

// Plays the job through a reporter as the core does, one test at a time.
void play_sequentially(vt::sdk::Reporter& reporter, const vt::sdk::JobSummary& summary) {
  reporter.on_job_start(summary.job);
  for (const vt::sdk::TestResult& r : summary.tests) {
    reporter.on_test_start(info(r.id));
    reporter.on_test_output(info(r.id), vt::sdk::Stream::out, "output that must not be echoed\n");
    reporter.on_test_end(r);
  }
  reporter.on_job_end(summary);
}

// ---------------------------------------------------------------------------------- console

const std::string expected_summary =
    "RESULTS : PASS 1 | FAIL 1 | ERROR 1 | SKIP 1 | WARN 1 | CANCEL 1 | INTERRUPTED 1\n"
    "JOB TIME: 12.35 s\n";

TEST(ConsoleReporter, PlainLinesWhenNotATerminal) {
  MemoryStream out;
  ConsoleReporter reporter(out.file(), /*terminal=*/false);
  play_sequentially(reporter, summary_of_every_status());
  EXPECT_EQ(out.str(),
            "PASS           0.03 s  t.pass\n"
            "FAIL           1.20 s  t.fail (exit status 1 <&\"'>)\n"
            "ERROR          2.00 s  t.error (testbed channel failed)\n"
            "SKIP           0.00 s  t.skip (needs isolation-machine)\n"
            "WARN          10.50 s  t.warn (slow boot)\n"
            "CANCEL         0.00 s  t.cancel (dependency t.fail failed)\n"
            "INTERRUPTED  123.46 s  t.interrupted (SIGINT)\n" +
                expected_summary);
}

TEST(ConsoleReporter, CounterAndTransientRunningLineOnATerminal) {
  MemoryStream out;
  ConsoleReporter reporter(out.file(), /*terminal=*/true);
  play_sequentially(reporter, summary_of_every_status());
  const std::string clear = "\r\x1b[K";
  EXPECT_EQ(out.str(),
            "[0/7] RUNNING t.pass" + clear + "[1/7] PASS           0.03 s  t.pass\n" +
                "[1/7] RUNNING t.fail" + clear +
                "[2/7] FAIL           1.20 s  t.fail (exit status 1 <&\"'>)\n" +
                "[2/7] RUNNING t.error" + clear +
                "[3/7] ERROR          2.00 s  t.error (testbed channel failed)\n" +
                "[3/7] RUNNING t.skip" + clear +
                "[4/7] SKIP           0.00 s  t.skip (needs isolation-machine)\n" +
                "[4/7] RUNNING t.warn" + clear +
                "[5/7] WARN          10.50 s  t.warn (slow boot)\n" + "[5/7] RUNNING t.cancel" +
                clear + "[6/7] CANCEL         0.00 s  t.cancel (dependency t.fail failed)\n" +
                "[6/7] RUNNING t.interrupted" + clear +
                "[7/7] INTERRUPTED  123.46 s  t.interrupted (SIGINT)\n" + expected_summary);
}

TEST(ConsoleReporter, CounterIsPaddedToTheWidthOfTheTotal) {
  MemoryStream out;
  ConsoleReporter reporter(out.file(), /*terminal=*/true);
  vt::sdk::JobInfo job;
  job.test_count = 40;
  reporter.on_job_start(job);
  reporter.on_test_end(result("a", Status::pass, "", 0.5));
  EXPECT_EQ(out.str(), "[ 1/40] PASS           0.50 s  a\n");
}

TEST(ConsoleReporter, RedrawsTheTestsStillRunningInParallel) {
  MemoryStream out;
  ConsoleReporter reporter(out.file(), /*terminal=*/true);
  vt::sdk::JobInfo job;
  job.test_count = 3;
  reporter.on_job_start(job);
  reporter.on_test_start(info("a"));
  reporter.on_test_start(info("b"));
  reporter.on_test_start(info("c"));
  reporter.on_test_end(result("c", Status::pass, "", 1));
  const std::string clear = "\r\x1b[K";
  EXPECT_EQ(out.str(), "[0/3] RUNNING a" + clear + "[0/3] RUNNING b (+1 more)" + clear +
                           "[0/3] RUNNING c (+2 more)" + clear +
                           "[1/3] PASS           1.00 s  c\n" + "[1/3] RUNNING b (+1 more)");
}

TEST(ConsoleReporter, ReportsTheJobErrorAndNeverTheJobDirectory) {
  MemoryStream out;
  ConsoleReporter reporter(out.file(), /*terminal=*/false);
  vt::sdk::JobSummary summary;
  summary.job.dir = "/results/job-1";
  summary.job.started = job_start;
  summary.finished = job_start + 2s;
  summary.error = "backend 'qemu' failed to start";
  reporter.on_job_start(summary.job);
  reporter.on_job_end(summary);
  EXPECT_EQ(out.str(),
            "RESULTS : PASS 0 | FAIL 0 | ERROR 0 | SKIP 0 | WARN 0 | CANCEL 0 | INTERRUPTED 0\n"
            "JOB TIME: 2.00 s\n"
            "JOB ERROR: backend 'qemu' failed to start\n");
}

TEST(ConsoleReporter, ControlCharactersInIdsAndReasonsCannotReachTheTerminal) {
  MemoryStream out;
  ConsoleReporter reporter(out.file(), /*terminal=*/false);
  reporter.on_test_end(result("evil\x1b[2J", Status::fail, "line one\nline two", 0));
  EXPECT_EQ(out.str(), "FAIL           0.00 s  evil?[2J (line one?line two)\n");
}

// ---------------------------------------------------------------------------------- json

void expect_results_document(const std::string& text) {
  const nlohmann::json doc = nlohmann::json::parse(text);
  EXPECT_EQ(doc["job"]["id"], "job-1");
  for (const char* status : {"PASS", "FAIL", "ERROR", "SKIP", "WARN", "CANCEL", "INTERRUPTED"})
    EXPECT_EQ(doc["job"]["summary"][status], 1) << status;
  EXPECT_EQ(doc["job"]["exit_code"], 9);
  ASSERT_EQ(doc["tests"].size(), 7u);
  EXPECT_EQ(doc["tests"][0]["id"], "t.pass");
  EXPECT_EQ(doc["tests"][0]["status"], "PASS");
  EXPECT_EQ(doc["tests"][1]["status"], "FAIL");
  EXPECT_EQ(doc["tests"][1]["reason"], "exit status 1 <&\"'>");
  EXPECT_EQ(doc["tests"][6]["status"], "INTERRUPTED");
  EXPECT_EQ(doc["tests"][6]["logdir"], "tests/t.interrupted");
}

TEST(JsonReporter, WritesTheResultsDocumentToTheStreamWithoutAPath) {
  for (const char* path : {"", "-"}) {
    MemoryStream out;
    JsonReporter reporter(path, out.file());
    play_sequentially(reporter, summary_of_every_status());
    SCOPED_TRACE(std::string("path '") + path + "'");
    expect_results_document(out.str());
  }
}

TEST(JsonReporter, WritesAFileAtomicallyCreatingItsDirectory) {
  const TempDir dir(temp_prefix);
  FakeHost host;
  vt::sdk::ReporterSpec spec;
  spec.job_dir = dir.path() / "job";
  spec.output = dir.path() / "nested" / "out" / "results.json";
  const std::unique_ptr<vt::sdk::Reporter> reporter = make_json_reporter(host, spec);
  play_sequentially(*reporter, summary_of_every_status(spec.job_dir));
  expect_results_document(read_file(spec.output));
  // Only the final file: no temporary is left next to it.
  EXPECT_EQ(std::distance(fs::directory_iterator(spec.output.parent_path()), {}), 1);
}

TEST(JsonReporter, ReplacesAnExistingFile) {
  const TempDir dir(temp_prefix);
  const fs::path path = dir.path() / "results.json";
  write_file(path, "old content that is longer than nothing");
  JsonReporter reporter(path, stdout);
  reporter.on_job_end(summary_of_every_status());
  expect_results_document(read_file(path));
}

TEST(JsonReporter, AnUnwritablePathIsAnErrorNamingIt) {
  const TempDir dir(temp_prefix);
  write_file(dir.path() / "file", "x");
  JsonReporter reporter(dir.path() / "file" / "results.json", stdout);
  try {
    reporter.on_job_end(summary_of_every_status());
    FAIL() << "expected an exception";
  } catch (const std::exception& e) {
    EXPECT_NE(std::string(e.what()).find((dir.path() / "file").string()), std::string::npos)
        << e.what();
  }
}

// ---------------------------------------------------------------------------------- junit

class JunitReporterTest : public ::testing::Test {
 protected:
  // Logs as the runner leaves them: some tests with output, some without.
  void SetUp() override {
    job_dir_ = dir_.path() / "job-1";
    write_file(job_dir_ / "tests/t.pass/stdout", "hello from t.pass\n");
    write_file(
        job_dir_ / "tests/t.fail/stdout",
        std::string("before NUL ") + '\0' + " after; bad UTF-8 \xC3\x28 \xFF; escape \x1b[31m red");
    write_file(job_dir_ / "tests/t.fail/stderr", "assertion failed: 1 < 2 && \"x\" ]]>\n");
    write_file(job_dir_ / "tests/t.error/stdout", "");
  }

  fs::path write_report() {
    FakeHost host;
    vt::sdk::ReporterSpec spec;
    spec.job_dir = job_dir_;
    const std::unique_ptr<vt::sdk::Reporter> reporter = make_junit_reporter(host, spec);
    play_sequentially(*reporter, summary_of_every_status(job_dir_));
    return job_dir_ / "junit.xml";
  }

  static void expect_valid(const fs::path& report) {
    if (run_command("xmllint --version").exit_status != 0)
      GTEST_SKIP() << "xmllint is not installed (Debian: libxml2-utils)";
    const fs::path xsd = fs::path(VTRUN_SHARED_DIR) / "conformance/junit/JUnit.xsd";
    const CommandResult r =
        run_command("xmllint --noout --schema " + quoted(xsd) + " " + quoted(report));
    EXPECT_EQ(r.exit_status, 0) << r.output << "\n--- report ---\n" << read_file(report);
  }

  const TempDir dir_{temp_prefix};
  fs::path job_dir_;
};

// Evaluates an XPath expression to a string on the report.
class XmlDocument {
 public:
  explicit XmlDocument(const fs::path& path)
      : doc_(xmlReadFile(path.c_str(), nullptr, XML_PARSE_NONET)) {}
  XmlDocument(const XmlDocument&) = delete;
  XmlDocument& operator=(const XmlDocument&) = delete;
  ~XmlDocument() {
    if (doc_ != nullptr) xmlFreeDoc(doc_);
  }
  bool ok() const { return doc_ != nullptr; }

  std::string eval(const std::string& xpath) const {
    std::unique_ptr<xmlXPathContext, decltype(&xmlXPathFreeContext)> context(
        xmlXPathNewContext(doc_), &xmlXPathFreeContext);
    std::unique_ptr<xmlXPathObject, decltype(&xmlXPathFreeObject)> value(
        xmlXPathEvalExpression(reinterpret_cast<const xmlChar*>(("string(" + xpath + ")").c_str()),
                               context.get()),
        &xmlXPathFreeObject);
    if (!value || value->stringval == nullptr) return "<xpath failed>";
    return reinterpret_cast<const char*>(value->stringval);
  }

 private:
  xmlDocPtr doc_;
};

TEST_F(JunitReporterTest, ValidatesAgainstTheSchema) {
  expect_valid(write_report());
}

TEST_F(JunitReporterTest, MapsEveryStatus) {
  const XmlDocument xml(write_report());
  ASSERT_TRUE(xml.ok());
  const std::string suite = "/testsuites/testsuite";
  EXPECT_EQ(xml.eval(suite + "/@name"), "vtrun");
  EXPECT_EQ(xml.eval(suite + "/@tests"), "7");
  EXPECT_EQ(xml.eval(suite + "/@failures"), "1");
  EXPECT_EQ(xml.eval(suite + "/@errors"), "2");
  EXPECT_EQ(xml.eval(suite + "/@skipped"), "2");
  EXPECT_EQ(xml.eval(suite + "/@time"), "12.345");
  EXPECT_EQ(xml.eval(suite + "/@timestamp"), "2024-05-06T07:08:09");
  EXPECT_EQ(xml.eval(suite + "/properties/property[@name='vtrun.job.id']/@value"), "job-1");
  EXPECT_EQ(xml.eval("count(" + suite + "/testcase)"), "7");

  const auto testcase = [&](const std::string& id) {
    return suite + "/testcase[@name='" + id + "']";
  };
  EXPECT_EQ(xml.eval(testcase("t.pass") + "/@classname"), "local");
  EXPECT_EQ(xml.eval(testcase("t.pass") + "/@time"), "0.031");
  EXPECT_EQ(xml.eval("count(" + testcase("t.pass") + "/*)"), "0");
  EXPECT_EQ(xml.eval(testcase("t.fail") + "/failure/@type"), "FAIL");
  EXPECT_EQ(xml.eval(testcase("t.fail") + "/failure/@message"), "exit status 1 <&\"'>");
  EXPECT_EQ(xml.eval(testcase("t.error") + "/error/@type"), "ERROR");
  EXPECT_EQ(xml.eval(testcase("t.interrupted") + "/error/@type"), "INTERRUPTED");
  EXPECT_EQ(xml.eval(testcase("t.interrupted") + "/error/@message"), "SIGINT");
  EXPECT_EQ(xml.eval(testcase("t.skip") + "/skipped/@message"), "needs isolation-machine");
  EXPECT_EQ(xml.eval(testcase("t.cancel") + "/skipped/@message"), "dependency t.fail failed");
  EXPECT_EQ(xml.eval("count(" + testcase("t.warn") + "/*)"), "0");
}

TEST_F(JunitReporterTest, CarriesTestOutputAndWarnNotesAsSafeText) {
  const XmlDocument xml(write_report());
  ASSERT_TRUE(xml.ok());
  const std::string out = xml.eval("/testsuites/testsuite/system-out");
  const std::string err = xml.eval("/testsuites/testsuite/system-err");
  const std::string fffd = "\xEF\xBF\xBD";
  EXPECT_NE(out.find("===== t.pass (PASS) =====\nhello from t.pass\n"), std::string::npos) << out;
  EXPECT_NE(out.find("before NUL " + fffd + " after; bad UTF-8 " + fffd + "( " + fffd +
                     "; escape " + fffd + "[31m red\n"),
            std::string::npos)
      << out;
  EXPECT_NE(out.find("===== t.warn (WARN) =====\n[vtrun: WARN: slow boot]\n"), std::string::npos)
      << out;
  EXPECT_EQ(out.find("t.error"), std::string::npos) << "an empty log gets no section";
  EXPECT_EQ(err, "===== t.fail (FAIL) =====\nassertion failed: 1 < 2 && \"x\" ]]>\n");
}

TEST_F(JunitReporterTest, KeepsOnlyTheEndOfLongLogs) {
  std::string log(junit_log_cap + 1000, 'a');
  log.replace(log.size() - 4, 4, "END\n");
  write_file(job_dir_ / "tests/t.pass/stdout", log);
  const fs::path report = write_report();
  const XmlDocument xml(report);
  ASSERT_TRUE(xml.ok());
  const std::string out = xml.eval("/testsuites/testsuite/system-out");
  EXPECT_NE(out.find("[vtrun: 1000 earlier bytes omitted; full log: " +
                     (job_dir_ / "tests/t.pass/stdout").string() + "]\n"),
            std::string::npos);
  EXPECT_NE(out.find(std::string(junit_log_cap - 4, 'a') + "END\n"), std::string::npos);
  EXPECT_LT(out.size(), junit_log_cap + 2000);
  expect_valid(report);
}

TEST_F(JunitReporterTest, WritesToTheGivenPath) {
  FakeHost host;
  vt::sdk::ReporterSpec spec;
  spec.job_dir = job_dir_;
  spec.output = dir_.path() / "ci" / "report.xml";
  const std::unique_ptr<vt::sdk::Reporter> reporter = make_junit_reporter(host, spec);
  play_sequentially(*reporter, summary_of_every_status(job_dir_));
  EXPECT_FALSE(fs::exists(job_dir_ / "junit.xml"));
  expect_valid(spec.output);
}

TEST_F(JunitReporterTest, AnEmptyJobValidates) {
  vt::sdk::JobSummary summary;
  summary.job.started = job_start;
  summary.finished = job_start;
  const fs::path report = dir_.path() / "empty.xml";
  JunitReporter reporter(report, job_dir_, stdout);
  reporter.on_job_end(summary);
  expect_valid(report);
}

// ---------------------------------------------------------------------------------- xml text

TEST(ToXmlText, KeepsWellFormedTextAndReplacesEverythingElse) {
  const std::string fffd = "\xEF\xBF\xBD";
  EXPECT_EQ(to_xml_text("plain <&> \t\n\r"), "plain <&> \t\n\r");
  EXPECT_EQ(to_xml_text("h\xC3\xA9llo \xE2\x82\xAC \xF0\x9D\x84\x9E"),
            "h\xC3\xA9llo \xE2\x82\xAC \xF0\x9D\x84\x9E");
  EXPECT_EQ(to_xml_text(std::string("a\0b", 3)), "a" + fffd + "b");
  EXPECT_EQ(to_xml_text("\x1b\x7f"), fffd + "\x7f");
  EXPECT_EQ(to_xml_text("\xC0\xAF"), fffd + fffd);                        // overlong '/'
  EXPECT_EQ(to_xml_text("\xED\xA0\x80"), fffd + fffd + fffd);             // a surrogate
  EXPECT_EQ(to_xml_text("\xF4\x90\x80\x80"), fffd + fffd + fffd + fffd);  // above U+10FFFF
  EXPECT_EQ(to_xml_text("x\xE2\x82"), "x" + fffd);                        // truncated at the end
  EXPECT_EQ(to_xml_text("\xE2\x82x"), fffd + "x");                        // truncated mid-text
  EXPECT_EQ(to_xml_text("\xEF\xBF\xBE\xEF\xBF\xBF"), fffd + fffd);        // U+FFFE, U+FFFF
}

}  // namespace
}  // namespace vt::reporters
