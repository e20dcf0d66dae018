// `vtrun cartesian` end to end: what users compare with cartesian_config.py's output, the
// options, the error format, and stopping when the reader of the output goes away.
#include <gtest/gtest.h>

#include "vtrun_cli.h"

namespace vt::e2e {
namespace {

fs::path corpus() {
  return fs::path(VTRUN_SHARED_DIR) / "conformance/cartesian";
}

// The .expected file without its three header lines: what `-f -c` must print.
std::string expected_body(const std::string& id) {
  const std::string text = sdk::read_file(corpus() / (id + ".expected"));
  std::size_t at = 0;
  for (int line = 0; line < 3; ++line) at = text.find('\n', at) + 1;
  return text.substr(at);
}

sdk::ExecResult cartesian(const std::vector<std::string>& args, const fs::path& cwd) {
  std::vector<std::string> all{"cartesian"};
  all.insert(all.end(), args.begin(), args.end());
  return run_vtrun(all, cwd);
}

TEST(CartesianCommand, FullNamesAndContentsAreTheCorpusFormat) {
  for (const char* id : {"001-simple-variant", "063-extra-include", "087-extra-unicode"}) {
    const auto r = cartesian({"-f", "-c", std::string(id) + ".cfg"}, corpus());
    EXPECT_EQ(r.exit_status, 0) << id << r.stderr_data;
    EXPECT_EQ(r.stdout_data, expected_body(id)) << id;
    EXPECT_EQ(r.stderr_data, "") << id;
  }
}

// The later block is the outer loop and names come first from it; `@a` is left out of short names.
TEST(CartesianCommand, StatementsDefaultsAndShortNames) {
  TempDir tmp;
  sdk::write_file_atomic(tmp.path() / "m.cfg",
                         "variants:\n    - @a:\n    - b:\nvariants v:\n    - x:\n    - y:\n");
  EXPECT_EQ(cartesian({"m.cfg"}, tmp.path()).stdout_data,
            "dict 1: x\ndict 2: x.b\ndict 3: y\ndict 4: y.b\n");
  EXPECT_EQ(cartesian({"m.cfg", "only b", "no y"}, tmp.path()).stdout_data, "dict 1: x.b\n");
  EXPECT_EQ(cartesian({"-f", "-d", "m.cfg"}, tmp.path()).stdout_data,
            "dict 1: (v=x).a\ndict 2: (v=y).a\n");
  const auto expanded = cartesian({"-d", "-e", "v", "m.cfg"}, tmp.path());
  EXPECT_EQ(expanded.stdout_data, "dict 1: x\ndict 2: y\n") << expanded.stderr_data;
}

TEST(CartesianCommand, ErrorsNameFileLineAndKindAndExitTwo) {
  const auto lexer = cartesian({"017-syntax-errors-1.cfg"}, corpus());
  EXPECT_EQ(lexer.exit_status, 2);
  EXPECT_EQ(lexer.stderr_data.rfind("vtrun: error: 017-syntax-errors-1.cfg:2: LexerError: ", 0), 0u)
      << lexer.stderr_data;
  const auto include = cartesian({"011-missing-include-error.cfg"}, corpus());
  EXPECT_EQ(include.exit_status, 2);
  EXPECT_NE(include.stderr_data.find("MissingIncludeError"), std::string::npos)
      << include.stderr_data;

  TempDir tmp;  // a ValueError while generating comes after the dicts before it
  sdk::write_file_atomic(
      tmp.path() / "v.cfg",
      "variants:\n    - a:\n    - b:\n        sleep = 1\n        sleep_max = x\n");
  const auto value = cartesian({"-c", "v.cfg"}, tmp.path());
  EXPECT_EQ(value.exit_status, 2);
  EXPECT_EQ(value.stdout_data.rfind("dict 1: a\n", 0), 0u) << value.stdout_data;
  EXPECT_NE(value.stderr_data.find("ValueError"), std::string::npos) << value.stderr_data;
}

TEST(CartesianCommand, StopsWhenTheReaderGoesAway) {
  TempDir tmp;
  std::string cfg;  // 20^6 = 64 million dicts
  for (char block : std::string("abcdef")) {
    cfg += "variants:\n";
    for (int i = 0; i < 20; ++i)
      cfg += "    - " + std::string(1, block) + std::to_string(i) + ":\n";
  }
  sdk::write_file_atomic(tmp.path() / "huge.cfg", cfg);
  sdk::ExecRequest req;  // `timeout` only bounds a hang; no time is asserted
  req.argv = {"bash", "-c",
              "timeout 20 \"$0\" cartesian huge.cfg | head -2; echo \"rc=${PIPESTATUS[0]}\"",
              vtrun_binary().string()};
  req.cwd = tmp.path().string();
  req.env = {{"VTRUN_PLUGIN_PATH", ""}};
  req.timeout = std::chrono::seconds(60);
  const auto r = core::run_process(req, nullptr);
  EXPECT_EQ(r.stdout_data, "dict 1: f0.e0.d0.c0.b0.a0\ndict 2: f0.e0.d0.c0.b0.a1\nrc=0\n")
      << r.stderr_data;
}

}  // namespace
}  // namespace vt::e2e
