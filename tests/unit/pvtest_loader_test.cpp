// Pantavisor's pv-test@1 trees: which directories are tests, their ids and order, test.json's
// schema and its errors, the mapping onto TestCase, and how discovery picks the format.
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <regex>

#include "support/test_support.h"
#include "vt/core/plan.h"
#include "vt/core/pvtest_loader.h"
#include "vt/sdk/error.h"

namespace vt::core {
namespace {

namespace fs = std::filesystem;
using Ids = std::vector<std::string>;

// A local test as meta-pantavisor writes it (prior-art 1.7 A), with tabs.
constexpr const char* full_test = R"({
	"#spec": "pv-test@1",
	"description": "legacy configuration overload",
	"setup": {
		"cmdline": "pv_policy=test ph_creds.port=43",
		"env": "PV_WDT_MODE=disabled PV_DEBUG_SSH=0",
		"pantavisor.config": "resources/pantavisor.config",
		"pvs": "../../common/pvs/*.tar.gz",
		"containers": {
			"control": "pvr-sdk",
			"tarballs": [
				"../../common/tarballs/bsp.tgz",
				"../../common/tarballs/pvr-sdk.tgz"
			],
			"urls": ["https://pvr.pantahub.com/x#bsp/,device.json"]
		},
		"ready-script": "resources/ready",
		"self-claim": "true"
	},
	"test-script": "resources/test",
	"skip": "false"
}
)";

Ids ids(const std::vector<TestCase>& tests) {
  Ids out;
  for (const auto& t : tests) out.push_back(t.id);
  return out;
}

class PvTestLoaderTest : public testing::Test {
 protected:
  // A leaf `id` with this test.json and, unless `script` is false, resources/test.
  fs::path leaf(const std::string& id, const std::string& json = "{}", bool script = true) {
    if (script) test_support::write_file(root_ / id / "resources/test", "#!/bin/sh\necho hi\n");
    return test_support::write_file(root_ / id / "test.json", json);
  }

  std::vector<TestCase> load() const { return load_pvtest_tests(root_, "pv"); }

  // The one test of a tree holding only `local/core/t` with `json`.
  TestCase only(const std::string& json) {
    leaf("local/core/t", json);
    const auto tests = load();
    EXPECT_EQ(tests.size(), 1u);
    return tests.empty() ? TestCase{} : tests[0];
  }

  // "LINE: message" of the ConfigError that loading `json` as local/core/t raises.
  std::string error(const std::string& json) {
    const fs::path file = leaf("local/core/t", json);
    try {
      load();
    } catch (const sdk::ConfigError& e) {
      EXPECT_EQ(e.file(), file.string());
      const std::string what = e.what();
      const std::string prefix = file.string() + ":" + std::to_string(e.line()) + ": ";
      EXPECT_EQ(what.rfind(prefix, 0), 0u) << what;
      return std::to_string(e.line()) + ": " + what.substr(prefix.size());
    }
    return "<no ConfigError>";
  }

  const test_support::TempDir tmp_{"vt_pvtest_"};
  const fs::path root_ = tmp_.path() / "tree";
};

TEST_F(PvTestLoaderTest, LeavesAreSortedAsFindSortsThemAndCommonIsSharedData) {
  leaf("local/core/b");
  leaf("local/core/a");
  leaf("local/core/a-b");    // '-' sorts before '/': before local/core/a
  leaf("local/core/a/sub");  // "a/sub/test.json" < "a/test.json"
  leaf("Zeta/c/d");          // byte order: upper case first
  leaf("remote/control/x");
  leaf("local/core/common");  // only <scope>/common is shared data
  test_support::write_file(root_ / "local/common/templates/template.test.json", "{}");
  test_support::write_file(root_ / "local/common/test.json", "not even json");
  test_support::write_file(root_ / "local/common/x/y/test.json", "{}");
  test_support::write_file(root_ / "test.json", "{}");  // the root itself is no test
  test_support::write_file(root_ / ".git/a/b/test.json", "{}");
  fs::create_directories(root_ / "local/lifecycle/empty");
  EXPECT_EQ(ids(load()), (Ids{"Zeta/c/d", "local/core/a-b", "local/core/a/sub", "local/core/a",
                              "local/core/b", "local/core/common", "remote/control/x"}));
}

TEST_F(PvTestLoaderTest, MapsEveryField) {
  const fs::path file = leaf("local/core/legacy-config-overload", full_test);
  const auto tests = load();
  ASSERT_EQ(tests.size(), 1u);
  const TestCase& t = tests[0];
  const fs::path dir = root_ / "local/core/legacy-config-overload";
  EXPECT_EQ(t.id, "local/core/legacy-config-overload");
  EXPECT_EQ(t.provider, "pv");
  EXPECT_EQ(t.dir, dir);
  ASSERT_EQ(t.command.size(), 5u);
  EXPECT_EQ(t.command[0], "bash");
  EXPECT_EQ(t.command.back(), "resources/test");  // relative to the test's directory
  EXPECT_EQ(t.run_in, RunIn::testbed);
  EXPECT_TRUE(t.pty);
  EXPECT_EQ(t.verdict, "golden-output");
  EXPECT_EQ(t.description, "legacy configuration overload");
  EXPECT_EQ(t.source, file);
  EXPECT_EQ(t.line, 1);
  EXPECT_EQ(t.skip, "");
  EXPECT_EQ(t.not_runnable, "");
  EXPECT_FALSE(t.timeout);
  EXPECT_TRUE(t.tags.empty());
  const sdk::Params expected{
      {"golden_output_file", "output"},
      {"golden_output_diff", "normal"},
      {"pvtest_cmdline", "pv_policy=test ph_creds.port=43"},
      {"pvtest_env", "PV_WDT_MODE=disabled PV_DEBUG_SSH=0"},
      {"pvtest_pantavisor_config", "resources/pantavisor.config"},
      {"pvtest_pvs", "../../common/pvs/*.tar.gz"},
      {"pvtest_control", "pvr-sdk"},
      {"pvtest_tarballs",
       R"(["../../common/tarballs/bsp.tgz","../../common/tarballs/pvr-sdk.tgz"])"},
      {"pvtest_urls", R"(["https://pvr.pantahub.com/x#bsp/,device.json"])"},
      {"pvtest_ready_script", "resources/ready"},
      {"pvtest_self_claim", "true"},
      {"pvtest_test_script", "resources/test"},
      {"pvtest_scope", "local"},
      {"pvtest_test_path", "local/core/legacy-config-overload"},
      {"pvtest_dir", dir.string()},
  };
  EXPECT_EQ(t.params, expected);
}

TEST_F(PvTestLoaderTest, AbsentKeysTakeTheRunnersDefaults) {
  const TestCase t = only("{}");
  EXPECT_EQ(t.description, "");
  EXPECT_EQ(t.command.back(), "resources/test");
  EXPECT_EQ(t.skip, "");
  const sdk::Params expected{
      {"golden_output_file", "output"},
      {"golden_output_diff", "normal"},
      {"pvtest_cmdline", ""},
      {"pvtest_env", ""},
      {"pvtest_pantavisor_config", ""},
      {"pvtest_pvs", ""},
      {"pvtest_control", ""},
      {"pvtest_tarballs", "[]"},
      {"pvtest_urls", "[]"},
      {"pvtest_ready_script", ""},
      {"pvtest_self_claim", "false"},
      {"pvtest_test_script", "resources/test"},
      {"pvtest_scope", "local"},
      {"pvtest_test_path", "local/core/t"},
      {"pvtest_dir", (root_ / "local/core/t").string()},
  };
  EXPECT_EQ(t.params, expected);
}

TEST_F(PvTestLoaderTest, UnknownKeysAreKeptAsExtraParams) {
  const TestCase t = only(R"({"devices": [], "setup": {"config": {"env": "A=1"},
      "commit-initial": "true", "containers": {"more": 1}}})");
  EXPECT_EQ(t.params.at("pvtest_extra.devices"), "[]");
  EXPECT_EQ(t.params.at("pvtest_extra.setup.config"), R"({"env":"A=1"})");
  EXPECT_EQ(t.params.at("pvtest_extra.setup.commit-initial"), "true");
  EXPECT_EQ(t.params.at("pvtest_extra.setup.containers.more"), "1");
}

TEST_F(PvTestLoaderTest, StringBooleansAndStaticSkip) {
  const TestCase skipped = only(R"({"skip": "true", "setup": {"self-claim": "false"}})");
  EXPECT_EQ(skipped.skip, "skipped by test.json (skip: \"true\")");
  EXPECT_EQ(skipped.params.at("pvtest_self_claim"), "false");
  const TestCase runs = only(R"({"skip": "false"})");
  EXPECT_EQ(runs.skip, "");
}

TEST_F(PvTestLoaderTest, AMissingTestScriptIsListedButNotRunnable) {
  leaf("local/core/no-script", "{}", false);
  leaf("local/core/custom", R"({"test-script": "bin/run.sh"})");
  const auto tests = load();
  ASSERT_EQ(ids(tests), (Ids{"local/core/custom", "local/core/no-script"}));
  const fs::path custom = root_ / "local/core/custom";
  EXPECT_EQ(tests[0].command.back(), "bin/run.sh");
  EXPECT_EQ(tests[0].params.at("pvtest_test_script"), "bin/run.sh");
  EXPECT_EQ(tests[0].not_runnable, "no test script 'bin/run.sh' in '" + custom.string() +
                                       "' — create it, or fix \"test-script\" in " +
                                       (custom / "test.json").string());
  const fs::path none = root_ / "local/core/no-script";
  EXPECT_EQ(tests[1].not_runnable, "no test script 'resources/test' in '" + none.string() +
                                       "' — create it, or fix \"test-script\" in " +
                                       (none / "test.json").string());
}

TEST_F(PvTestLoaderTest, InvalidJsonNamesItsLine) {
  EXPECT_EQ(error("{\n\t\"description\": \"x\"\n\t\"skip\": \"true\"\n}\n"),
            "3: invalid JSON: syntax error while parsing object - unexpected string literal; "
            "expected '}' — fix the syntax on this line");
  EXPECT_EQ(error(""),
            "1: invalid JSON: syntax error while parsing value - unexpected end of input; "
            "expected '[', '{', or a literal — fix the syntax on this line");
}

TEST_F(PvTestLoaderTest, ASpecOtherThanPvTest1IsAnError) {
  EXPECT_EQ(error("{\n  \"description\": \"x\",\n  \"#spec\": \"pv-test@2\"\n}"),
            "3: expected '#spec' to be \"pv-test@1\", got a string (\"pv-test@2\") — vtrun reads "
            "pv-test@1 only: fix '#spec', or give the provider another `format`");
  EXPECT_EQ(error(R"({"#spec": 1})"),
            "1: expected '#spec' to be \"pv-test@1\", got a number (1) — vtrun reads pv-test@1 "
            "only: fix '#spec', or give the provider another `format`");
}

TEST_F(PvTestLoaderTest, BooleansMustBeTheStringsTrueOrFalse) {
  EXPECT_EQ(error("{\n\t\"description\": \"skip\",\n\t\"skip\": true\n}"),
            "3: expected 'skip' to be the string \"true\" or \"false\", got a boolean (true) — "
            "pv-test@1 writes booleans as strings: \"skip\": \"true\"");
  EXPECT_EQ(error("{\n\"skip\": \"yes\"}"),
            "2: expected 'skip' to be \"true\" or \"false\", got a string (\"yes\") — e.g. "
            "\"skip\": \"true\"");
  // The key is found where it sits, not where the same name appears in a value or elsewhere.
  EXPECT_EQ(error("{\"description\": \"self-claim\",\n\"self-claim\": \"x\",\n\"setup\": {\n"
                  "  \"self-claim\": false}}"),
            "4: expected 'setup.self-claim' to be the string \"true\" or \"false\", got a "
            "boolean (false) — pv-test@1 writes booleans as strings: \"self-claim\": \"true\"");
}

TEST_F(PvTestLoaderTest, AValueOfTheWrongTypeNamesItsKeyAndLine) {
  EXPECT_EQ(error("{\n\"setup\": {\n  \"cmdline\": 3\n}}"),
            "3: expected 'setup.cmdline' to be a string, got a number (3) — e.g. \"cmdline\": "
            "\"pv_policy=test ph_creds.port=43\"");
  EXPECT_EQ(error("{\"setup\": {\"containers\": {\n\"tarballs\": [\"a.tgz\", null]}}}"),
            "2: expected 'setup.containers.tarballs' to be an array of strings, got null at "
            "index 1 — e.g. \"tarballs\": [\"../../common/tarballs/bsp.tgz\"]");
  EXPECT_EQ(error("{\"setup\": {\"containers\": {\"urls\": \"x\"}}}"),
            "1: expected 'setup.containers.urls' to be an array, got a string (\"x\") — e.g. "
            "\"urls\": []");
  EXPECT_EQ(error("{\n\n\"setup\": []}"),
            "3: expected 'setup' to be an object, got an array — e.g. \"setup\": {\"cmdline\": "
            "\"\", \"containers\": {...}}");
  EXPECT_EQ(error("{\"description\": [\"x\"]}"),
            "1: expected 'description' to be a string, got an array — e.g. \"description\": "
            "\"config overload\"");
  EXPECT_EQ(error("{\"test-script\": \"\"}"),
            "1: expected 'test-script' to name the test's script, got an empty string — e.g. "
            "\"test-script\": \"resources/test\"");
  EXPECT_EQ(error("[]"),
            "1: expected a JSON object ({\"#spec\": \"pv-test@1\", ...}), got an array — see "
            "docs/pvtest.md for the keys");
}

TEST_F(PvTestLoaderTest, AMissingTreeIsAnError) {
  try {
    load();
    FAIL() << "no ConfigError";
  } catch (const sdk::ConfigError& e) {
    EXPECT_EQ(e.file(), root_.string());
    EXPECT_NE(std::string(e.what()).find("cannot read the pv-test tree: "), std::string::npos)
        << e.what();
  }
}

// The command pvtest-run would run: xtrace switched on at line 5, in pvtest's PS4 format, the
// script's own shebang honoured, its exit status passed on.
TEST_F(PvTestLoaderTest, TheCommandTracesFromLineFiveWithPvtestsPs4) {
  leaf("local/core/t");
  test_support::write_file(root_ / "local/core/t/resources/test",
                           "#!/bin/bash\n# 2\n# 3\necho untraced\necho traced\nexit 3\n");
  fs::permissions(root_ / "local/core/t/resources/test", fs::perms::owner_all);
  const TestCase t = load().at(0);
  std::string command = "cd '" + t.dir.string() + "' && " + t.command[0];
  for (std::size_t i = 1; i < t.command.size(); ++i) {
    std::string quoted = "'";
    for (char c : t.command[i]) quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
    command += " " + quoted + "'";
  }
  std::string out;
  FILE* pipe = popen((command + " 2>&1; echo \"rc=$?\"").c_str(), "r");
  ASSERT_NE(pipe, nullptr);
  char buf[512];
  while (std::fgets(buf, sizeof buf, pipe) != nullptr) out += buf;
  pclose(pipe);
  const std::regex expected(
      "untraced\n"
      "\\[pvtest\\] [0-9]+ DEBUG -- \\[test-script\\]: echo traced\n"
      "traced\n"
      "\\[pvtest\\] [0-9]+ DEBUG -- \\[test-script\\]: exit 3\n"
      "rc=3\n");
  EXPECT_TRUE(std::regex_match(out, expected)) << out;
}

TEST_F(PvTestLoaderTest, TreeParamsApplyToEveryTestButTheTestsOwnWin) {
  test_support::write_file(root_ / "vtrun-params.toml",
                           "[params]\nappengine_image = \"x:1\"\nappengine_ready_timeout = 9\n"
                           "pvtest_scope = \"not-this\"\n");
  const TestCase t = only("{}");
  EXPECT_EQ(t.params.at("appengine_image"), "x:1");
  EXPECT_EQ(t.params.at("appengine_ready_timeout"), "9");
  EXPECT_EQ(t.params.at("pvtest_scope"), "local");
}

TEST_F(PvTestLoaderTest, BadTreeParamsNameTheFileAndLine) {
  const fs::path file =
      test_support::write_file(root_ / "vtrun-params.toml", "[params]\nimage = [1]\n");
  leaf("local/core/t");
  try {
    load();
    FAIL() << "no ConfigError";
  } catch (const sdk::ConfigError& e) {
    EXPECT_EQ(e.file(), file.string());
    EXPECT_EQ(e.line(), 2);
    EXPECT_NE(std::string(e.what()).find("a string, an integer or a boolean"), std::string::npos)
        << e.what();
  }
}

TEST(PvTestLayout, IsFoundAtThreeLevelsOrByTheTemplatesDirectory) {
  const test_support::TempDir tmp("vt_pvtest_layout_");
  const fs::path dir = tmp.path();
  EXPECT_FALSE(has_pvtest_layout(dir / "nosuch"));
  test_support::write_file(dir / "a/local/core/test.json", "{}");  // two levels: no
  test_support::write_file(dir / "a/.hidden/core/x/test.json", "{}");
  EXPECT_FALSE(has_pvtest_layout(dir / "a"));
  test_support::write_file(dir / "a/local/core/x/test.json", "{}");
  EXPECT_TRUE(has_pvtest_layout(dir / "a"));
  fs::create_directories(dir / "b/remote/common/templates");
  EXPECT_TRUE(has_pvtest_layout(dir / "b"));
}

// ---- format selection in discovery, from providers.d definitions ----

class PvTestDiscoverTest : public testing::Test {
 protected:
  Provider provider(const std::string& name, const std::string& extra = "") {
    return read_provider_file(
        test_support::write_file(dir_ / "providers.d" / (name + ".toml"),
                                 "[provider]\nuri = \"" + (dir_ / name).string() + "\"\n" + extra));
  }

  const test_support::TempDir tmp_{"vt_pvtest_discover_"};
  const fs::path dir_ = tmp_.path();
};

TEST_F(PvTestDiscoverTest, APvTestTreeIsDetectedWithoutFormat) {
  test_support::write_file(dir_ / "pv/local/core/one/test.json", "{}");
  test_support::write_file(dir_ / "pv/local/core/one/resources/test", "");
  const auto tests = discover_tests({provider("pv")}, "local");
  ASSERT_EQ(ids(tests), (Ids{"local/core/one"}));
  EXPECT_EQ(tests[0].provider, "pv");
  EXPECT_EQ(tests[0].verdict, "golden-output");
}

TEST_F(PvTestDiscoverTest, FormatPvTestWinsOverVtrunTomlAndAVtrunTomlOverTheLayout) {
  test_support::write_file(dir_ / "both/local/core/one/test.json", "{}");
  test_support::write_file(dir_ / "both/vtrun.toml",
                           "[[test]]\nname = \"native\"\ncommand = \"true\"\n");
  EXPECT_EQ(ids(discover_tests({provider("both")}, "local")), (Ids{"native"}));
  const Provider declared = provider("both", "format = \"pvtest\"\n");
  EXPECT_EQ(declared.format, "pvtest");
  EXPECT_EQ(ids(discover_tests({declared}, "local")), (Ids{"local/core/one"}));
}

TEST_F(PvTestDiscoverTest, FormatPvTestFindsLeavesAtAnyDepth) {
  // Too shallow for detection; the declared format reads it anyway.
  test_support::write_file(dir_ / "flat/smoke/test.json", "{}");
  EXPECT_EQ(ids(discover_tests({provider("flat")}, "local")), (Ids{}));
  EXPECT_EQ(ids(discover_tests({provider("flat", "format = \"pvtest\"\n")}, "local")),
            (Ids{"smoke"}));
}

TEST_F(PvTestDiscoverTest, FormatPvTestWithoutItsDirectoryIsAnError) {
  fs::create_directories(dir_ / "gone");
  const Provider p = provider("gone", "format = \"pvtest\"\n[generic]\nsubdir = \"tests\"\n");
  EXPECT_EQ(test_support::error_message<sdk::ConfigError>([&] { discover_tests({p}, "local"); }),
            p.definition.string() + ":2: provider 'gone' has no directory '" +
                (dir_ / "gone/tests").string() + "' for its pv-test tree — fix `uri` or `subdir`");
}

}  // namespace
}  // namespace vt::core
