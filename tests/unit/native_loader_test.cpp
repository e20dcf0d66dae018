// vtrun.toml, the native test format.
#include <gtest/gtest.h>

#include <filesystem>

#include "support/test_support.h"
#include "vt/core/test_case.h"
#include "vt/sdk/error.h"

namespace vt::core {
namespace {

namespace fs = std::filesystem;
using std::chrono::seconds;

class NativeLoaderTest : public testing::Test {
 protected:
  std::vector<TestCase> load(const std::string& text) {
    test_support::write_file(file_, text);
    return load_native_tests(file_, "prov");
  }

  // The message of the ConfigError `text` raises, without the "file:" prefix.
  std::string error(const std::string& text) {
    try {
      load(text);
    } catch (const sdk::ConfigError& e) {
      EXPECT_EQ(e.file(), file_.string());
      const std::string what = e.what();
      return what.substr(file_.string().size() + 1);
    }
    return "<no ConfigError>";
  }

  const test_support::TempDir tmp_{"vt_native_"};
  const fs::path dir_ = tmp_.path();
  const fs::path file_ = dir_ / "sub" / "vtrun.toml";
};

constexpr const char* example = R"(# vtrun tests
[defaults]
timeout = 300
tags = ["all"]
requires = ["root-on-testbed"]
params = { vms = "vm1", mem = "512" }
verdict = "golden-output"

[[test]]
name = "boot.smoke"
description = "boots"
command = ["./boot-smoke.sh", "--fast"]
run_in = "host"
tags = ["smoke", "all"]
requires = ["isolation-machine"]
depends = ["boot.install"]
priority = 10
verdict = "exit-code"
params = { mem = 1024, kill_vm = true, debug = false }

[[test]]
name = "boot.install"
command = "bin/install.sh  --disk	vda"
timeout = 20
run_in = "testbed"

[[test]]
name = "plain_1-x"
command = "true"
)";

TEST_F(NativeLoaderTest, ReadsEveryKeyAndAppliesDefaults) {
  const std::vector<TestCase> tests = load(example);
  ASSERT_EQ(tests.size(), 3u);
  const fs::path sub = dir_ / "sub";

  const TestCase& smoke = tests[0];
  EXPECT_EQ(smoke.id, "boot.smoke");
  EXPECT_EQ(smoke.provider, "prov");
  EXPECT_EQ(smoke.description, "boots");
  EXPECT_EQ(smoke.dir, sub);
  EXPECT_EQ(smoke.command, (std::vector<std::string>{(sub / "boot-smoke.sh").string(), "--fast"}));
  EXPECT_EQ(smoke.run_in, RunIn::host);
  EXPECT_EQ(smoke.timeout, seconds(300));
  EXPECT_EQ(smoke.tags, (std::vector<std::string>{"all", "smoke"}));
  EXPECT_EQ(smoke.requires_caps,
            (std::vector<std::string>{"root-on-testbed", "isolation-machine"}));
  EXPECT_EQ(smoke.depends, std::vector<std::string>{"boot.install"});
  EXPECT_EQ(smoke.priority, 10);
  EXPECT_EQ(smoke.verdict, "exit-code");
  EXPECT_EQ(smoke.params,
            (sdk::Params{{"vms", "vm1"}, {"mem", "1024"}, {"kill_vm", "yes"}, {"debug", "no"}}));
  EXPECT_EQ(smoke.source, file_);
  EXPECT_EQ(smoke.line, 9);

  const TestCase& install = tests[1];
  EXPECT_EQ(install.command,
            (std::vector<std::string>{(sub / "bin/install.sh").string(), "--disk", "vda"}));
  EXPECT_EQ(install.timeout, seconds(20));
  EXPECT_EQ(install.run_in, RunIn::testbed);
  EXPECT_EQ(install.verdict, "golden-output");
  EXPECT_EQ(install.tags, std::vector<std::string>{"all"});
  EXPECT_EQ(install.priority, 0);
  EXPECT_EQ(install.params, (sdk::Params{{"vms", "vm1"}, {"mem", "512"}}));
  EXPECT_EQ(install.line, 21);

  EXPECT_EQ(tests[2].id, "plain_1-x");
  EXPECT_EQ(tests[2].command, std::vector<std::string>{"true"});
  EXPECT_EQ(tests[2].description, "");
  EXPECT_EQ(tests[2].line, 27);
}

TEST_F(NativeLoaderTest, BuiltInDefaultsWithoutADefaultsTable) {
  const auto tests = load("[[test]]\nname = \"a\"\ncommand = [\"/bin/sh\", \"-c\", \"exit 0\"]\n");
  ASSERT_EQ(tests.size(), 1u);
  EXPECT_EQ(tests[0].command[0], "/bin/sh");
  EXPECT_EQ(tests[0].timeout, std::nullopt);
  EXPECT_EQ(tests[0].run_in, RunIn::host);
  EXPECT_EQ(tests[0].verdict, "exit-code");
  EXPECT_TRUE(tests[0].params.empty());
  EXPECT_TRUE(load("").empty());
  EXPECT_TRUE(load("test = []\n").empty());
}

TEST_F(NativeLoaderTest, RejectsMissingOrMalformedNamesAndCommands) {
  EXPECT_EQ(error("[[test]]\ncommand = [\"x\"]\n"),
            "1: expected 'name' in [[test]], got none — add e.g. name = \"boot.smoke\"");
  for (const char* bad : {"boot smoke", ".boot", "boot.", "boot..smoke", "", "bööt"}) {
    EXPECT_EQ(error("[[test]]\nname = \"" + std::string(bad) + "\"\ncommand = \"x\"\n"),
              "2: expected 'name' to be letters, digits, '_', '-' and '.' between groups, got '" +
                  std::string(bad) + "' — e.g. name = \"boot.smoke\"");
  }
  EXPECT_EQ(error("\n[[test]]\nname = \"a\"\n"),
            "2: expected 'command' in [[test]], got none — add e.g. command = "
            "[\"./boot-smoke.sh\", \"--fast\"]");
  EXPECT_EQ(error("[[test]]\nname = \"a\"\ncommand = []\n"),
            "3: expected 'command' to name a program, got an empty command — e.g. command = "
            "[\"./boot-smoke.sh\", \"--fast\"]");
  EXPECT_EQ(error("[[test]]\nname = \"a\"\ncommand = \" \t\"\n"),
            "3: expected 'command' to name a program, got an empty command — e.g. command = "
            "[\"./boot-smoke.sh\", \"--fast\"]");
  EXPECT_EQ(error("[[test]]\nname = \"a\"\ncommand = 5\n"),
            "3: expected 'command' to be an array of strings or a string, got an integer (5) — "
            "e.g. command = [\"./boot-smoke.sh\", \"--fast\"]");
  EXPECT_EQ(error("[[test]]\nname = \"a\"\ncommand = [\"x\", 1]\n"),
            "3: expected 'command' to be an array of strings, got an integer (1) — e.g. command "
            "= [\"./boot-smoke.sh\", \"--fast\"]");
}

TEST_F(NativeLoaderTest, RejectsBadValues) {
  const std::string head = "[[test]]\nname = \"a\"\ncommand = \"x\"\n";
  EXPECT_EQ(error(head + "timeout = 0\n"),
            "4: expected 'timeout' to be a positive number of seconds, got 0 — e.g. timeout = 300");
  EXPECT_EQ(error(head + "timeout = \"300\"\n"),
            "4: expected 'timeout' to be an integer, got a string (\"300\") — e.g. timeout = 300");
  EXPECT_EQ(error(head + "timeout = 1.5\n"),
            "4: expected 'timeout' to be an integer, got a float (1.5) — e.g. timeout = 300");
  EXPECT_EQ(error(head + "run_in = \"guest\"\n"),
            "4: expected 'run_in' to be one of 'host', 'testbed', got 'guest' — use one of them");
  EXPECT_EQ(error(head + "verdict = \"exit\"\n"),
            "4: expected 'verdict' to be one of 'exit-code', 'golden-output', 'guest-reported', "
            "got 'exit' — use one of them");
  EXPECT_EQ(error(head + "priority = 9999999999\n"),
            "4: expected 'priority' to fit in 32 bits, got 9999999999 — use a smaller number");
  EXPECT_EQ(error(head + "tags = \"smoke\"\n"),
            "4: expected 'tags' to be an array of strings, got a string (\"smoke\") — e.g. tags = "
            "[\"smoke\", \"boot\"]");
  EXPECT_EQ(error(head + "depends = [true]\n"),
            "4: expected 'depends' to be an array of strings, got a boolean (true) — e.g. depends "
            "= [\"boot.install\"]");
  EXPECT_EQ(error(head + "params = { x = 1.5 }\n"),
            "4: expected 'params.x' to be a string, an integer or a boolean, got a float (1.5) — "
            "e.g. params = { mem = \"512\", smp = 2, kill_vm = true }");
  EXPECT_EQ(error(head + "params = \"mem=1\"\n"),
            "4: expected 'params' to be a table, got a string (\"mem=1\") — e.g. params = { vms "
            "= \"vm1\", mem = \"512\" }");
  EXPECT_EQ(error(head + "description = 1\n"),
            "4: expected 'description' to be a string, got an integer (1) — e.g. description = "
            "\"boots and logs in\"");
}

TEST_F(NativeLoaderTest, RejectsUnknownKeysListingTheAllowedOnes) {
  EXPECT_EQ(error("[[test]]\nname = \"a\"\ncommand = \"x\"\ntag = [\"x\"]\n"),
            "4: expected one of 'name', 'description', 'command', 'run_in', 'timeout', 'tags', "
            "'requires', 'depends', 'priority', 'verdict', 'params', 'locks', 'breaks_testbed' in "
            "[[test]] at line 1, got 'tag' — fix the spelling or remove the key");
  EXPECT_EQ(error("[defaults]\ndepends = [\"a\"]\n"),
            "2: expected one of 'timeout', 'tags', 'requires', 'params', 'run_in', 'verdict', "
            "'priority', 'locks', 'breaks_testbed' in [defaults], got 'depends' — fix the "
            "spelling or remove the key");
  EXPECT_EQ(error("[[tests]]\nname = \"a\"\n"),
            "1: expected one of 'defaults', 'test' in vtrun.toml, got 'tests' — fix the spelling "
            "or remove the key");
  EXPECT_EQ(error("[test]\nname = \"a\"\n"),
            "1: expected 'test' to be an array of tables, got a table — write [[test]], with two "
            "brackets, above each test");
  EXPECT_EQ(error("defaults = 3\n"),
            "1: expected 'defaults' to be a table, got an integer (3) — e.g. [defaults] timeout = "
            "300");
}

TEST_F(NativeLoaderTest, RejectsDuplicateNamesAndBadFiles) {
  EXPECT_EQ(error("[[test]]\nname = \"a\"\ncommand = \"x\"\n[[test]]\nname = \"a\"\n"
                  "command = \"y\"\n"),
            "4: expected each test name once, got 'a' at lines 1 and 4 — rename one of them");
  EXPECT_EQ(error("[[test]]\nname = \"a\"\ncommand = [\"x\"\n"),
            "3: invalid TOML: error while parsing array: encountered end-of-file — fix the "
            "syntax on this line");
  fs::remove(file_);
  try {
    load_native_tests(file_, "prov");
    ADD_FAILURE() << "expected ConfigError";
  } catch (const sdk::ConfigError& e) {
    EXPECT_EQ(std::string(e.what()),
              file_.string() +
                  ": expected a readable file, got: No such file or directory — "
                  "check the path and its permissions");
  }
}

}  // namespace
}  // namespace vt::core
