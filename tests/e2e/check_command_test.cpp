// `vtrun check` with this build's plugins: one section per backend, lines in the documented
// format, and an exit status that agrees with them. Which checks pass depends on the host, so
// the test asserts the shape, not the findings.
#include <gtest/gtest.h>

#include <regex>
#include <set>

#include "vtrun_env.h"

namespace vt::e2e {
namespace {

// Backend names as `vtrun plugins` lists them.
std::set<std::string> backends(const fs::path& cwd) {
  std::set<std::string> out;
  const auto r = run_vtrun({"plugins"}, cwd);
  for (const auto& line : lines_of(r.stdout_data))
    if (line.rfind("backend ", 0) == 0) out.insert(line.substr(8, line.find(' ', 8) - 8));
  return out;
}

struct CheckOutput {
  std::vector<std::string> sections;  // backend names, in order
  std::size_t failures = 0;
};

// Parses the output; every line must be a section header or a finding.
CheckOutput parse(const std::string& stdout_data) {
  static const std::regex section("backend ([^ :]+):");
  static const std::regex finding("  (ok   |FAIL )([^:]+): (.+)");
  CheckOutput out;
  for (const auto& line : lines_of(stdout_data)) {
    std::smatch m;
    if (std::regex_match(line, m, section)) {
      out.sections.push_back(m[1]);
    } else if (std::regex_match(line, m, finding)) {
      EXPECT_FALSE(out.sections.empty()) << "a finding before any section: " << line;
      if (m[1] == "FAIL ") ++out.failures;
    } else if (line != "  ok   no host requirements declared") {
      ADD_FAILURE() << "line in neither format: '" << line << "'";
    }
  }
  return out;
}

TEST(CheckCommand, ChecksEveryBackendWhenNoneIsGiven) {
  TempDir tmp;
  const auto expected = backends(tmp.path());
  ASSERT_TRUE(expected.count("local")) << "the local backend is part of every build";
  // An empty $VTRUN_BACKEND counts as not given.
  const auto r = run_vtrun_env({"check"}, tmp.path(), {{"VTRUN_BACKEND", ""}});
  const auto out = parse(r.stdout_data);
  EXPECT_EQ(std::set<std::string>(out.sections.begin(), out.sections.end()), expected)
      << r.stdout_data;
  EXPECT_EQ(out.sections.size(), expected.size()) << "a backend was checked twice";
  EXPECT_EQ(r.exit_status, out.failures == 0 ? 0 : 1) << r.stdout_data << r.stderr_data;
}

TEST(CheckCommand, ChecksOnlyTheBackendGiven) {
  TempDir tmp;
  for (const auto& args : {std::vector<std::string>{"-b", "local", "check"},
                           std::vector<std::string>{"check", "--backend", "local"}}) {
    const auto r = run_vtrun_env(args, tmp.path(), {{"VTRUN_BACKEND", ""}});
    const auto out = parse(r.stdout_data);
    EXPECT_EQ(out.sections, std::vector<std::string>{"local"}) << r.stdout_data;
    EXPECT_EQ(r.exit_status, out.failures == 0 ? 0 : 1) << r.stdout_data << r.stderr_data;
  }
  const auto from_env = run_vtrun_env({"check"}, tmp.path(), {{"VTRUN_BACKEND", "local"}});
  EXPECT_EQ(parse(from_env.stdout_data).sections, std::vector<std::string>{"local"});
}

TEST(CheckCommand, UnknownBackendIsAUsageError) {
  TempDir tmp;
  const auto r = run_vtrun_env({"-b", "no-such-backend", "check"}, tmp.path(), {});
  EXPECT_EQ(r.exit_status, 2);
  EXPECT_EQ(r.stdout_data, "");
  EXPECT_NE(r.stderr_data.find("vtrun: error: unknown backend 'no-such-backend' — known: "),
            std::string::npos)
      << r.stderr_data;
}

}  // namespace
}  // namespace vt::e2e
