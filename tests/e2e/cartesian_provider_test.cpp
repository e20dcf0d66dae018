// A Cartesian provider (Avocado-VT's tests/cfg layout) end to end: listing, filters, running
// the `type` programs, dependencies, a huge matrix, and errors at the user's file:line.
#include <gtest/gtest.h>

#include "vtrun_cli.h"

namespace vt::e2e {
namespace {

fs::path fixture_providers() {
  return fs::path(VTRUN_SOURCE_DIR) / "tests/fixtures/cartesian-provider/providers.d";
}

sdk::ExecResult list(const TempDir& tmp, std::vector<std::string> args) {
  args.insert(args.begin(), {"--providers", fixture_providers().string(), "list"});
  return run_vtrun(args, tmp.path());
}

// A provider `name` in `root` whose tests.cfg is `cfg`; returns its providers.d.
fs::path make_cartesian_provider(const fs::path& root, const std::string& cfg_path,
                                 const std::string& cfg) {
  sdk::write_file_atomic(root / "provider" / cfg_path, cfg);
  sdk::write_file_atomic(root / "providers.d/c.toml",
                         "[provider]\nuri = \"../provider\"\nformat = \"cartesian\"\n");
  return root / "providers.d";
}

// Five blocks of twenty variants: 20^5 = 3.2 million dicts.
std::string huge_matrix() {
  std::string cfg;
  for (char block : std::string("abcde")) {
    cfg += "variants:\n";
    for (int i = 0; i < 20; ++i)
      cfg += "    - " + std::string(1, block) + std::to_string(i) + ":\n";
  }
  return cfg;
}

TEST(CartesianProvider, ListsShortnamesInTheReferenceOrder) {
  TempDir tmp;
  const auto r = list(tmp, {});
  EXPECT_EQ(r.exit_status, 0) << r.stderr_data;
  EXPECT_EQ(r.stdout_data,
            "boot.small\nboot.large\nfails\nafter_fail\ninstall\nsmoke\nunknown_type\n");
  EXPECT_EQ(r.stderr_data, "");

  // -l: the tests/cfg file and line of the subtest each dict comes from.
  const auto l = list(tmp, {"-l", "boot.large"});
  const fs::path cfg = fs::path(VTRUN_SOURCE_DIR) / "tests/fixtures/cartesian-provider/tests/cfg";
  EXPECT_EQ(l.stdout_data, "boot.large\tcartesian\tcartesian\t" + (cfg / "boot.cfg").string() +
                               ":3\ninstall\tcartesian\tcartesian\t" +
                               (cfg / "install.cfg").string() + ":1\n")
      << l.stderr_data;
}

TEST(CartesianProvider, OnlyAndNoFilterTheDictsAndSelectorsStillWork) {
  TempDir tmp;
  EXPECT_EQ(list(tmp, {"--only", "boot"}).stdout_data, "boot.small\nboot.large\n");
  EXPECT_EQ(list(tmp, {"--only", "boot", "--no", "large"}).stdout_data, "boot.small\n");
  EXPECT_EQ(list(tmp, {"--no", "boot", "--no", "fails,after_fail"}).stdout_data,
            "install\nsmoke\nunknown_type\n");
  // Whitespace in a filter means OR, as in the cfg language.
  EXPECT_EQ(list(tmp, {"--only", "smoke install"}).stdout_data, "install\nsmoke\n");
  // One value per option: what follows is a selector again. The selected test brings the
  // test it depends on.
  EXPECT_EQ(list(tmp, {"--no", "large", "boot"}).stdout_data, "boot.small\ninstall\n");
  // A filter that removed the dependency: the dep is dropped, as Avocado-VT drops it.
  EXPECT_EQ(list(tmp, {"--only", "boot", "boot.small"}).stdout_data, "boot.small\n");
  EXPECT_EQ(list(tmp, {"--tags", "cartesian", "--only", "fails"}).stdout_data, "fails\n");
}

TEST(CartesianProvider, RunsTheTypeProgramsWithTheDictAsParams) {
  TempDir tmp;
  const auto r = run_vtrun({"--providers", fixture_providers().string(), "run"}, tmp.path());
  EXPECT_EQ(r.exit_status, 1) << r.stdout_data << r.stderr_data;
  const fs::path job = last_line(r.stdout_data);
  const auto results = read_json(job / "results.json");
  EXPECT_EQ(statuses(results), (std::map<std::string, std::string>{{"boot.small", "PASS"},
                                                                   {"boot.large", "PASS"},
                                                                   {"fails", "FAIL"},
                                                                   {"after_fail", "SKIP"},
                                                                   {"install", "PASS"},
                                                                   {"smoke", "PASS"},
                                                                   {"unknown_type", "ERROR"}}));
  EXPECT_EQ(sdk::read_file(job / "tests/boot.small/stdout"), "booted boot.small with mem 512\n");
  EXPECT_EQ(sdk::read_file(job / "tests/boot.large/stdout"), "booted boot.large with mem 2048\n");
  const auto params = read_json(job / "tests/boot.small/params.json");
  EXPECT_EQ(params["type"], "boot");
  EXPECT_EQ(params["shortname"], "boot.small");
  EXPECT_EQ(params["name"], "(subtest=boot).small");
  EXPECT_EQ(params["dep"], "['install']");
  EXPECT_EQ(params["subtest"], "boot");
  for (const auto& t : results["tests"]) {
    if (t["id"] == "after_fail") {
      EXPECT_EQ(t["reason"], "dependency 'fails' did not pass (FAIL: exit status 1)");
    }
    if (t["id"] == "unknown_type") {
      EXPECT_NE(t["reason"].get<std::string>().find("no program for type 'nosuch' in '"),
                std::string::npos)
          << t["reason"];
    }
  }
}

TEST(CartesianProvider, ExtraStatementsComeAfterTheProvidersConfiguration) {
  TempDir tmp;
  const auto r = run_vtrun({"--providers", fixture_providers().string(), "run", "--only",
                            "boot install", "--no", "large", "--cartesian", "mem = 4096"},
                           tmp.path());
  EXPECT_EQ(r.exit_status, 0) << r.stdout_data << r.stderr_data;
  const fs::path job = last_line(r.stdout_data);
  EXPECT_EQ(statuses(read_json(job / "results.json")),
            (std::map<std::string, std::string>{{"boot.small", "PASS"}, {"install", "PASS"}}));
  EXPECT_EQ(sdk::read_file(job / "tests/boot.small/stdout"), "booted boot.small with mem 4096\n");
}

TEST(CartesianProvider, HugeMatrixListsAtOnceIntoHeadAndFiltersArePushedDown) {
  TempDir tmp;
  const auto providers = make_cartesian_provider(tmp.path(), "tests.cfg", huge_matrix());
  // `head` leaves after one line; vtrun must notice the closed pipe and stop, not enumerate
  // 3.2 million dicts. `timeout` only bounds a hang: no timing is asserted.
  sdk::ExecRequest req;
  req.argv = {"bash", "-c",
              "timeout 20 \"$0\" --providers \"$1\" list | head -1; echo \"rc=${PIPESTATUS[0]}\"",
              vtrun_binary().string(), providers.string()};
  req.cwd = tmp.path().string();
  req.env = {{"VTRUN_PLUGIN_PATH", ""}, {"XDG_STATE_HOME", (tmp.path() / "state").string()}};
  req.timeout = std::chrono::seconds(60);
  const auto r = core::run_process(req, nullptr);
  EXPECT_EQ(r.stdout_data, "e0.d0.c0.b0.a0\nrc=0\n") << r.stderr_data;
  EXPECT_EQ(r.stderr_data, "");

  const auto only = run_vtrun({"--providers", providers.string(), "list", "--only", "a3", "--only",
                               "b4", "--only", "c5", "--only", "d6"},
                              tmp.path(), std::chrono::seconds(60));
  EXPECT_EQ(only.exit_status, 0) << only.stderr_data;
  std::string expected;
  for (int e = 0; e < 20; ++e) expected += "e" + std::to_string(e) + ".d6.c5.b4.a3\n";
  EXPECT_EQ(only.stdout_data, expected);
}

TEST(CartesianProvider, BadCfgIsAnErrorAtItsFileAndLine) {
  TempDir tmp;
  const auto providers = make_cartesian_provider(tmp.path(), "tests/cfg/bad.cfg",
                                                 "- bad:\n    type = boot\n    variants tests$:\n");
  const auto r = run_vtrun({"--providers", providers.string(), "list"}, tmp.path());
  EXPECT_EQ(r.exit_status, 2);
  EXPECT_EQ(r.stdout_data, "");
  const std::string place = (tmp.path() / "provider/tests/cfg/bad.cfg").string() + ":3";
  EXPECT_NE(r.stderr_data.find(place), std::string::npos) << r.stderr_data;
  EXPECT_EQ(r.stderr_data.find("subtests.cfg"), std::string::npos) << r.stderr_data;

  const auto statement = list(tmp, {"--only", "boot$"});
  EXPECT_EQ(statement.exit_status, 2);
  EXPECT_NE(statement.stderr_data.find("vtrun: error: in the statement 'only boot$' given on "
                                       "the command line for provider 'cartesian': "),
            std::string::npos)
      << statement.stderr_data;
}

TEST(CartesianProvider, FiltersWithoutACartesianProviderAreAnError) {
  TempDir tmp;
  const auto r =
      run_vtrun({"--providers", example_providers().string(), "list", "--only", "x"}, tmp.path());
  EXPECT_EQ(r.exit_status, 2);
  EXPECT_EQ(r.stderr_data,
            "vtrun: error: --only, --no and --cartesian filter Cartesian providers, and no "
            "provider offers Cartesian tests for backend 'local' — drop them, or use selectors "
            "and --tags\n");
}

}  // namespace
}  // namespace vt::e2e
