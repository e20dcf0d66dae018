// The fixture of the testbed conformance suite: it makes the testbed exactly as vtrun does,
// through the real plugin loader and a real CoreHost, so a backend that passes here works in
// vtrun. The tests themselves are in testbed_conformance_*.cpp.
#include "vt/sdk/conformance/testbed_conformance.h"

#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <iterator>
#include <ostream>
#include <random>
#include <sstream>

#include "conformance_util.h"
#include "vt/core/core_host.h"
#include "vt/core/plugin_registry.h"
#include "vt/sdk/error.h"

namespace vt::sdk::conformance {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

struct TestbedConformance::State {
  // Declaration order is destruction order reversed: the testbed goes before the host.
  std::unique_ptr<core::CoreHost> host;
  core::PluginRegistry registry;
  sdk::TestbedSpec spec;
  core::PluginPtr<sdk::Testbed> testbed;
};

namespace {

fs::path make_temp_dir() {
  std::string templ = (fs::temp_directory_path() / "vt-conformance-XXXXXX").string();
  if (mkdtemp(templ.data()) == nullptr)
    throw std::runtime_error("cannot create a temporary directory in '" +
                             fs::temp_directory_path().string() + "': " + std::strerror(errno));
  return templ;
}

std::string head(std::string_view bytes, std::size_t limit = 200) {
  std::string out;
  for (char c : bytes.substr(0, limit)) {
    const auto u = static_cast<unsigned char>(c);
    if (c == '\n')
      out += "\\n";
    else if (c == '\r')
      out += "\\r";
    else if (std::isprint(u))
      out += c;
    else
      out += "\\x" + std::string(1, "0123456789abcdef"[u >> 4]) + "0123456789abcdef"[u & 15];
  }
  if (bytes.size() > limit) out += "...";
  return out;
}

std::string join_dirs(const std::vector<fs::path>& dirs) {
  std::string out;
  for (const auto& d : dirs) out += (out.empty() ? "'" : ", '") + d.string() + "'";
  return out.empty() ? "(none)" : out;
}

// Why the backend is not among the loaded factories: what was loaded and what was refused.
std::string explain_missing(const TestbedConformanceParam& param,
                            const core::PluginRegistry& registry) {
  std::ostringstream out;
  out << "backend '" << param.backend << "' was not loaded from " << join_dirs(param.plugin_dirs)
      << "; backends found:";
  for (const auto& name : registry.names(sdk::PluginKind::backend)) out << " '" << name << "'";
  for (const auto& refused : registry.refused()) out << "\n  refused: " << refused.reason;
  out << "\n  — build the plugin first and check the factory's name and plugin_dirs";
  return out.str();
}

}  // namespace

std::string describe_difference(std::string_view expected, std::string_view got) {
  if (expected == got) return "equal";
  std::size_t i = 0;
  while (i < expected.size() && i < got.size() && expected[i] == got[i]) ++i;
  std::ostringstream out;
  out << "expected " << expected.size() << " bytes, got " << got.size()
      << "; first difference at offset " << i << ": expected \"" << head(expected.substr(i), 40)
      << "\", got \"" << head(got.substr(std::min(i, got.size())), 40) << "\"";
  return out.str();
}

std::string describe(const ExecResult& result) {
  std::ostringstream out;
  out << "exit status " << result.exit_status << (result.timed_out ? " (timed out)" : "")
      << ", stdout \"" << head(result.stdout_data) << "\", stderr \"" << head(result.stderr_data)
      << "\"";
  return out.str();
}

void write_host_file(const fs::path& path, std::string_view content) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(content.data(), static_cast<std::streamsize>(content.size()));
  if (!out) ADD_FAILURE() << "cannot write host file '" << path.string() << "'";
}

std::string read_host_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    ADD_FAILURE() << "cannot read host file '" << path.string() << "'";
    return {};
  }
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

std::string random_bytes(std::size_t size, unsigned seed) {
  std::mt19937 gen(seed);
  std::string out(size, '\0');
  for (std::size_t i = 0; i < size; ++i)
    out[i] = static_cast<char>(i < 256 ? i : gen() & 0xff);  // every byte value first
  return out;
}

std::string shell_quote(const std::string& word) {
  std::string out = "'";
  for (char c : word) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

void PrintTo(const TestbedConformanceParam& param, std::ostream* os) {
  *os << param.backend << " (machine " << param.machine << ", params {";
  bool first = true;
  for (const auto& [key, value] : param.params) {
    *os << (first ? "" : ", ") << key << "=" << value;
    first = false;
  }
  *os << "})";
}

std::ostream& operator<<(std::ostream& os, const TestbedConformanceParam& param) {
  PrintTo(param, &os);
  return os;
}

std::string conformance_test_name(const ::testing::TestParamInfo<TestbedConformanceParam>& info) {
  std::string name;
  for (char c : info.param.backend) name += std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
  if (name.empty()) name = "backend";
  if (info.index > 0) name += "_" + std::to_string(info.index);
  return name;
}

int link_testbed_conformance() {
  return link_exec_tests() + link_stream_tests() + link_copy_tests() + link_lifecycle_tests();
}

void TestbedConformance::SetUp() {
  const TestbedConformanceParam& param = GetParam();
  temp_dir_ = make_temp_dir();
  host_dir_ = temp_dir_ / "host";
  fs::create_directories(host_dir_);
  fs::create_directories(temp_dir_ / "log");

  state_ = std::make_shared<State>();
  state_->registry.load_directories(param.plugin_dirs);
  if (state_->registry.find(sdk::PluginKind::backend, param.backend) == nullptr)
    GTEST_FAIL() << explain_missing(param, state_->registry);
  state_->host = std::make_unique<core::CoreHost>(temp_dir_ / "ledger", 0);
  state_->spec = {param.machine, param.params, temp_dir_ / "log"};
  try {
    state_->testbed = state_->registry.make_testbed(param.backend, *state_->host, state_->spec);
  } catch (const sdk::UnavailableError& e) {
    GTEST_SKIP() << e.what();
  } catch (const std::exception& e) {
    GTEST_FAIL() << "creating the testbed failed: " << e.what();
  }
  const auto started = Clock::now();
  try {
    scratch_ = state_->testbed->open();
  } catch (const sdk::UnavailableError& e) {
    GTEST_SKIP() << "open(): " << e.what();
  } catch (const std::exception& e) {
    GTEST_FAIL() << "open() threw: " << e.what();
  }
  const auto took = std::chrono::duration_cast<std::chrono::seconds>(Clock::now() - started);
  EXPECT_LE(took, param.open_timeout)
      << "open() took " << took.count() << " s, the budget (open_timeout) is "
      << param.open_timeout.count() << " s";
}

void TestbedConformance::TearDown() {
  if (state_ && state_->testbed) state_->testbed->close();
  state_.reset();  // the testbed, then the host (which removes its scratch directories)
  std::error_code ec;
  if (!temp_dir_.empty()) fs::remove_all(temp_dir_, ec);
}

sdk::Testbed& TestbedConformance::testbed() {
  return *state_->testbed;
}

std::string TestbedConformance::on_testbed(const std::string& relative) const {
  return scratch_ + "/" + relative;
}

sdk::ExecResult TestbedConformance::run(const sdk::ExecRequest& request) {
  try {
    return state_->testbed->exec(request, nullptr);
  } catch (const std::exception& e) {
    ADD_FAILURE() << "exec of '" << (request.argv.empty() ? "" : request.argv.back())
                  << "' threw: " << e.what();
  }
  return {};
}

sdk::ExecResult TestbedConformance::sh(const std::string& script,
                                       std::chrono::milliseconds timeout) {
  sdk::ExecRequest request;
  request.argv = {"sh", "-c", script};
  // A bound on every command, so a hanging backend fails the test instead of the whole run.
  request.timeout = timeout.count() > 0 ? timeout : std::chrono::milliseconds(120'000);
  return run(request);
}

std::string TestbedConformance::sh_ok(const std::string& script) {
  const sdk::ExecResult result = sh(script);
  if (result.exit_status != 0) {
    ADD_FAILURE() << "command `" << script << "` failed: " << describe(result);
    return {};
  }
  return result.stdout_data;
}

std::string TestbedConformance::reopen() {
  scratch_ = state_->testbed->open();
  return scratch_;
}

std::shared_ptr<sdk::Testbed> TestbedConformance::make_unopened_testbed() {
  return state_->registry.make_testbed(GetParam().backend, *state_->host, state_->spec);
}

}  // namespace vt::sdk::conformance
