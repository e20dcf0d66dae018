// A Pantavisor pv-test@1 tree as a provider, through the real vtrun binary on the `local`
// backend: `list` and `list -l` in the reference runner's order, `/` selectors, and a test
// that test.json skips (SKIP, no testbed opened, run exit 0, its dependents SKIP too).
#include <gtest/gtest.h>

#include "vtrun_env.h"

namespace vt::e2e {
namespace {

using nlohmann::json;

constexpr const char* local_test = R"({
	"#spec": "pv-test@1",
	"description": "a local test",
	"setup": {
		"env": "PV_WDT_MODE=disabled",
		"containers": {"control": "pvr-sdk", "tarballs": ["../../common/tarballs/bsp.tgz"]},
		"self-claim": "false"
	},
	"test-script": "resources/test",
	"skip": "false"
}
)";

// A pv-test tree under `root`/tree, and a providers.d naming it (no `format`: detected).
class PvTestTree {
 public:
  PvTestTree() {
    leaf("local/core/legacy-config-overload");
    leaf("local/control/basic-endpoints");
    leaf("local/control/basic-endpoints-curl");
    leaf("remote/control/manual-claim");
    write("tree/local/common/templates/template.test.json", local_test);
    write("tree/local/common/templates/template.test", "#!/bin/sh\n");
    write("providers.d/pv.toml", "[provider]\nuri = \"../tree\"\n");
  }

  void leaf(const std::string& id, const std::string& test_json = local_test) const {
    write("tree/" + id + "/test.json", test_json);
    write("tree/" + id + "/resources/test", "#!/bin/sh\necho hello\n");
    write("tree/" + id + "/output", "hello\r\n");
  }
  void write(const std::string& relative, const std::string& text) const {
    sdk::write_file_atomic(tmp_.path() / relative, text);
  }

  const fs::path& root() const { return tmp_.path(); }
  fs::path tree() const { return tmp_.path() / "tree"; }
  fs::path providers_d() const { return tmp_.path() / "providers.d"; }

  sdk::ExecResult vtrun(std::vector<std::string> args) const {
    args.insert(args.begin(), {"--backend", "local", "--providers", providers_d().string()});
    return run_vtrun(args, root(), std::chrono::seconds(60));
  }

 private:
  TempDir tmp_;
};

TEST(PvTestList, ListsTheLeavesInFindSortOrderWithoutCommon) {
  const PvTestTree tree;
  const auto r = tree.vtrun({"list"});
  ASSERT_EQ(r.exit_status, 0) << r.stdout_data << r.stderr_data;
  // "basic-endpoints-curl/" sorts before "basic-endpoints/": '-' < '/'.
  EXPECT_EQ(lines_of(r.stdout_data),
            (std::vector<std::string>{
                "local/control/basic-endpoints-curl", "local/control/basic-endpoints",
                "local/core/legacy-config-overload", "remote/control/manual-claim"}));
}

TEST(PvTestList, LongListingNamesProviderAndTestJson) {
  const PvTestTree tree;
  const auto r = tree.vtrun({"list", "-l", "local/core"});
  ASSERT_EQ(r.exit_status, 0) << r.stdout_data << r.stderr_data;
  const fs::path file = tree.tree() / "local/core/legacy-config-overload/test.json";
  EXPECT_EQ(r.stdout_data, "local/core/legacy-config-overload\tpv\t\t" + file.string() + ":1\n");
}

TEST(PvTestList, SlashSelectorsPickScopesAndCategories) {
  const PvTestTree tree;
  auto r = tree.vtrun({"list", "remote"});
  ASSERT_EQ(r.exit_status, 0) << r.stderr_data;
  EXPECT_EQ(r.stdout_data, "remote/control/manual-claim\n");
  r = tree.vtrun({"list", "local/control/"});
  ASSERT_EQ(r.exit_status, 0) << r.stderr_data;
  EXPECT_EQ(lines_of(r.stdout_data), (std::vector<std::string>{"local/control/basic-endpoints-curl",
                                                               "local/control/basic-endpoints"}));
  r = tree.vtrun({"list", "local/control/basic-endpoints"});
  EXPECT_EQ(r.stdout_data, "local/control/basic-endpoints\n");
  // A group ends at a separator: "loc" is no group.
  r = tree.vtrun({"list", "loc"});
  EXPECT_NE(r.exit_status, 0);
  EXPECT_NE(r.stderr_data.find("selector 'loc' matches no test"), std::string::npos)
      << r.stderr_data;
}

TEST(PvTestList, ABadTestJsonIsReportedWithItsLine) {
  const PvTestTree tree;
  tree.leaf("local/core/broken", "{\n  \"skip\": true\n}\n");
  const auto r = tree.vtrun({"list"});
  EXPECT_NE(r.exit_status, 0);
  const fs::path file = tree.tree() / "local/core/broken/test.json";
  EXPECT_NE(r.stderr_data.find(file.string() + ":2: expected 'skip' to be the string \"true\""),
            std::string::npos)
      << r.stderr_data;
}

TEST(PvTestRun, ASkippedTestIsSkipOpensNoTestbedAndTheRunPasses) {
  const PvTestTree tree;
  // Skipped: the runner never looks at it, so a missing script does not matter.
  tree.write("tree/local/runtime/remount-policies/test.json",
             R"({"#spec": "pv-test@1", "test-script": "resources/test", "skip": "true"})");
  // A native provider beside it: one test that runs, one that needs the skipped test.
  tree.write("native/vtrun.toml",
             "[[test]]\nname = \"plain\"\ncommand = \"true\"\n\n"
             "[[test]]\nname = \"after\"\ncommand = \"true\"\n"
             "depends = [\"local/runtime/remount-policies\"]\n");
  tree.write("providers.d/native.toml", "[provider]\nuri = \"../native\"\n");
  tree.write("providers.d/pv.toml", "[provider]\nuri = \"../tree\"\nformat = \"pvtest\"\n");
  const auto r = tree.vtrun({"run", "local/runtime/remount-policies", "plain", "after"});
  ASSERT_EQ(r.exit_status, 0) << r.stdout_data << r.stderr_data;
  const fs::path job = last_line(r.stdout_data);
  const json results = read_json(job / "results.json");
  EXPECT_EQ(statuses(results), (std::map<std::string, std::string>{
                                   {"local/runtime/remount-policies", "SKIP"},
                                   {"plain", "PASS"},
                                   {"after", "SKIP"},
                               }));
  std::map<std::string, std::string> reasons;
  for (const auto& t : results.at("tests")) reasons[t.at("id")] = t.at("reason");
  EXPECT_EQ(reasons["local/runtime/remount-policies"], "skipped by test.json (skip: \"true\")");
  EXPECT_EQ(reasons["after"],
            "dependency 'local/runtime/remount-policies' did not pass (SKIP: skipped by "
            "test.json (skip: \"true\"))");
  const std::string skipped_log =
      sdk::read_file(job / "tests/local/runtime/remount-policies/test.log");
  EXPECT_EQ(skipped_log.find("OPEN"), std::string::npos) << skipped_log;
  EXPECT_NE(skipped_log.find("RESULT SKIP: skipped by test.json"), std::string::npos)
      << skipped_log;
  // The control: a test that runs opens its testbed, and the log says so.
  const std::string plain_log = sdk::read_file(job / "tests/plain/test.log");
  EXPECT_NE(plain_log.find("OPEN"), std::string::npos) << plain_log;
}

// `vtrun add`: a new test from its scope's templates, which `list` then finds.
TEST(PvTestAdd, MakesATestFromTheScopesTemplates) {
  TempDir tmp;
  const fs::path tree = tmp.path() / "tree";
  sdk::write_file_atomic(tree / "local/common/templates/template.test.json", local_test);
  sdk::write_file_atomic(tree / "local/common/templates/template.test", "#!/bin/sh\necho t\n");
  sdk::write_file_atomic(tree / "local/common/templates/template.ready", "#!/bin/sh\n");
  sdk::write_file_atomic(tmp.path() / "providers.d/pv.toml", "[provider]\nuri = \"../tree\"\n");

  auto r = run_vtrun({"add", "local/core/new-test", "-d", tree.string()}, tmp.path());
  ASSERT_EQ(r.exit_status, 0) << r.stderr_data;
  EXPECT_EQ(last_line(r.stdout_data), (tree / "local/core/new-test").string());
  EXPECT_EQ(sdk::read_file(tree / "local/core/new-test/test.json"), local_test);
  EXPECT_EQ(sdk::read_file(tree / "local/core/new-test/resources/test"), "#!/bin/sh\necho t\n");
  for (const char* script : {"resources/test", "resources/ready"})
    EXPECT_NE(
        fs::status(tree / "local/core/new-test" / script).permissions() & fs::perms::owner_exec,
        fs::perms::none)
        << script;
  r = run_vtrun({"list"}, tmp.path());
  EXPECT_EQ(r.stdout_data, "local/core/new-test\n") << r.stderr_data;

  r = run_vtrun({"add", "local/core/new-test", "-d", tree.string()}, tmp.path());
  EXPECT_EQ(r.exit_status, 2);
  EXPECT_NE(r.stderr_data.find("test 'local/core/new-test' exists already"), std::string::npos)
      << r.stderr_data;
  r = run_vtrun({"add", "remote/core/x", "-d", tree.string()}, tmp.path());
  EXPECT_EQ(r.exit_status, 2);
  EXPECT_NE(r.stderr_data.find("expected the template '" +
                               (tree / "remote/common/templates/template.test.json").string()),
            std::string::npos)
      << r.stderr_data;
  EXPECT_FALSE(fs::exists(tree / "remote/core/x"));
  r = run_vtrun({"add", "local/../x", "-d", tree.string()}, tmp.path());
  EXPECT_EQ(r.exit_status, 2);
  EXPECT_NE(r.stderr_data.find("expected a test id <scope>/<category>/<name>"), std::string::npos)
      << r.stderr_data;
}

}  // namespace
}  // namespace vt::e2e
