// Cartesian providers: entry files, the generated subtests.cfg, dicts as tests, `type`
// programs, `dep`, and errors at the user's file:line.
#include <gtest/gtest.h>

#include <filesystem>

#include "support/test_support.h"
#include "vt/core/cartesian.h"
#include "vt/core/cartesian_loader.h"
#include "vt/core/plan.h"
#include "vt/sdk/error.h"

namespace vt::core {
namespace {

namespace fs = std::filesystem;
using test_support::error_message;
using Ids = std::vector<std::string>;

Ids ids(const std::vector<TestCase>& tests) {
  Ids out;
  for (const auto& t : tests) out.push_back(t.id);
  return out;
}

class CartesianLoaderTest : public testing::Test {
 protected:
  fs::path write(const std::string& name, const std::string& text) {
    return test_support::write_file(dir_ / name, text);
  }
  void program(const std::string& name, bool executable = true) {
    write("tests/" + name, "#!/bin/sh\nexit 0\n");
    fs::permissions(dir_ / "tests" / name, executable
                                               ? fs::perms::owner_all
                                               : fs::perms::owner_read | fs::perms::owner_write);
  }
  CartesianSource source() const {
    CartesianSource s;
    s.provider = "prov";
    s.dir = dir_;
    s.definition = "/providers.d/prov.toml";
    s.definition_line = 2;
    return s;
  }
  std::vector<TestCase> load(const CartesianSource& s) {
    std::vector<TestCase> tests;
    load_cartesian_tests(s, [&](TestCase&& t) {
      tests.push_back(std::move(t));
      return true;
    });
    return tests;
  }
  std::vector<TestCase> load() { return load(source()); }

  const test_support::TempDir tmp_{"vt_cartesian_loader_"};
  const fs::path dir_ = tmp_.path();
};

TEST_F(CartesianLoaderTest, EachDictIsATestNamedByItsShortname) {
  write("tests/cfg/boot.cfg",
        "# comment\n- boot:\n    type = boot\n    variants:\n        - @plain:\n        - fast:\n"
        "            test_timeout = 42\n");
  write("tests/cfg/install.cfg", "- install:\n    type = install\n    timeout = 7\n");
  program("boot.py");
  program("install");
  const auto tests = load();
  ASSERT_EQ(ids(tests), (Ids{"boot", "boot.fast", "install"}));
  const TestCase& fast = tests[1];
  EXPECT_EQ(fast.provider, "prov");
  EXPECT_EQ(fast.dir, dir_);
  EXPECT_EQ(fast.description, "(subtest=boot).fast");
  EXPECT_EQ(fast.source, dir_ / "tests/cfg/boot.cfg");
  EXPECT_EQ(fast.line, 2);
  EXPECT_EQ(fast.command, (std::vector<std::string>{(dir_ / "tests/boot.py").string()}));
  EXPECT_EQ(fast.not_runnable, "");
  EXPECT_EQ(fast.run_in, RunIn::host);
  EXPECT_EQ(fast.timeout, std::chrono::seconds(42));
  EXPECT_EQ(fast.params.at("type"), "boot");
  EXPECT_EQ(fast.params.at("subtest"), "boot");
  EXPECT_EQ(fast.params.at("shortname"), "boot.fast");
  // The generated file is called subtests.cfg, as Avocado-VT's.
  EXPECT_NE(fast.params.at("_name_map_file").find("'subtests.cfg'"), std::string::npos)
      << fast.params.at("_name_map_file");
  EXPECT_EQ(tests[0].timeout, std::nullopt);
  EXPECT_EQ(tests[2].timeout, std::chrono::seconds(7));
  EXPECT_EQ(tests[2].source, dir_ / "tests/cfg/install.cfg");
  EXPECT_EQ(tests[2].line, 1);
}

TEST_F(CartesianLoaderTest, AFileWithoutItsOwnVariantLineIsTheVariantNamedAfterIt) {
  write("tests/cfg/smoke.cfg", "type = smoke\nvariants:\n    - a:\n    - b:\n");
  const auto tests = load();
  EXPECT_EQ(ids(tests), (Ids{"smoke.a", "smoke.b"}));
  EXPECT_EQ(tests[0].source, dir_ / "tests/cfg/smoke.cfg");
  EXPECT_EQ(tests[0].line, 0);
  EXPECT_EQ(tests[0].params.at("type"), "smoke");

  write("tests/cfg/bad name.cfg", "x = 1\n");
  EXPECT_EQ(error_message<sdk::ConfigError>([&] { load(); }),
            (dir_ / "tests/cfg/bad name.cfg").string() +
                ": expected a tests/cfg file name to be a variant name (letters, digits, '_', "
                "'-', '.'), got 'bad name.cfg' — rename it, or start the file with its own "
                "'- name:' line");
}

TEST_F(CartesianLoaderTest, TabsAndRelativeIncludesMeanWhatTheyMeanInTheUsersFile) {
  write("tests/cfg/common/mem.inc", "mem = 512\n");
  write("tests/cfg/boot.cfg",
        "- boot:\n\ttype = boot\n\tinclude common/mem.inc\n\tvariants:\n\t    - one:\n");
  const auto tests = load();
  ASSERT_EQ(ids(tests), (Ids{"boot.one"}));
  EXPECT_EQ(tests[0].params.at("mem"), "512");
}

TEST_F(CartesianLoaderTest, ProgramsAreFoundByTypeOrTheTestSaysWhyNot) {
  write("tests/cfg/t.cfg",
        "- t:\n    variants:\n        - notype:\n        - missing:\n            type = nosuch\n"
        "        - plain:\n            type = noexec\n        - two:\n            type = dup\n"
        "        - many:\n            type = a b\n");
  program("noexec.py", false);
  program("dup.sh");
  program("dup.py");
  const auto tests = load();
  ASSERT_EQ(tests.size(), 5u);
  for (const auto& t : tests) EXPECT_TRUE(t.command.empty()) << t.id;
  const std::string where = "'" + (dir_ / "tests").string() + "'";
  EXPECT_EQ(tests[0].not_runnable,
            "the dict sets no 'type' — set `type = NAME` for a program tests/NAME or "
            "tests/NAME.<ext> in the provider");
  EXPECT_EQ(tests[1].not_runnable, "no program for type 'nosuch' in " + where +
                                       " (looked for nosuch and nosuch.*) — add an executable "
                                       "tests/nosuch.sh (or any language), or fix `type`");
  EXPECT_EQ(tests[2].not_runnable,
            "type 'noexec': noexec.py in " + where +
                " is not executable — vtrun runs the type's program itself: make it executable "
                "(chmod +x, with a #! line)");
  EXPECT_NE(tests[3].not_runnable.find("type 'dup' matches several programs in " + where),
            std::string::npos)
      << tests[3].not_runnable;
  EXPECT_EQ(tests[4].not_runnable,
            "'type' is 'a b', several programs — vtrun runs one program per test; give each its "
            "own variant");
}

TEST_F(CartesianLoaderTest, DepWaitsForEveryOtherDictWhoseNameContainsIt) {
  write("tests/cfg/a.cfg", "- boot: install\n    variants:\n        - x:\n        - y: x\n");
  write("tests/cfg/b.cfg", "- install:\n- gone: nosuch\n");
  std::vector<std::string> debug;
  auto s = source();
  s.debug = [&](const std::string& m) { debug.push_back(m); };
  const auto tests = load(s);
  ASSERT_EQ(ids(tests), (Ids{"boot.x", "boot.y", "install", "gone"}));
  // A later dict counts too: the scheduler waits for it.
  EXPECT_EQ(tests[0].depends, (Ids{"install"}));
  EXPECT_EQ(tests[1].depends, (Ids{"install", "boot.x"}));
  EXPECT_EQ(tests[3].depends, Ids{});
  EXPECT_EQ(debug, (Ids{"provider 'prov': dep 'nosuch' of 'gone' names no dict; dropped"}));

  // Streaming: nothing resolved, and the sink stops the enumeration.
  s.dependencies = false;
  s.params = false;
  std::vector<TestCase> streamed;
  EXPECT_FALSE(load_cartesian_tests(s, [&](TestCase&& t) {
    streamed.push_back(std::move(t));
    return streamed.size() < 2;
  }));
  ASSERT_EQ(ids(streamed), (Ids{"boot.x", "boot.y"}));
  EXPECT_EQ(streamed[1].depends, Ids{});
  EXPECT_TRUE(streamed[1].params.empty());
  EXPECT_EQ(streamed[1].source, dir_ / "tests/cfg/a.cfg");
}

TEST_F(CartesianLoaderTest, TestsCfgOrConfigsAreTheEntryInstead) {
  write("tests/cfg/ignored.cfg", "- ignored:\n");
  write("tests.cfg", "variants:\n    - one:\n    - two:\n");
  EXPECT_EQ(ids(load()), (Ids{"one", "two"}));
  EXPECT_EQ(load()[0].source, dir_ / "tests.cfg");

  write("base.cfg", "variants:\n    - a:\n    - b:\n");
  write("only.cfg", "only b\n");
  auto s = source();
  s.configs = {"base.cfg", "only.cfg"};
  EXPECT_EQ(ids(load(s)), (Ids{"b"}));
  s.configs = {"base.cfg", "nosuch.cfg"};
  EXPECT_EQ(error_message<sdk::ConfigError>([&] { load(s); }),
            "/providers.d/prov.toml:2: expected the Cartesian file 'nosuch.cfg' of provider "
            "'prov' at '" +
                (dir_ / "nosuch.cfg").string() +
                "', got nothing there — create it or fix `configs`");
}

TEST_F(CartesianLoaderTest, NoCfgAtAllIsAnError) {
  fs::create_directories(dir_ / "tests/cfg");
  EXPECT_FALSE(has_cartesian_layout(dir_));
  EXPECT_EQ(error_message<sdk::ConfigError>([&] { load(); }),
            "/providers.d/prov.toml:2: expected the Cartesian tests of provider 'prov' in '" +
                dir_.string() +
                "' (a tests.cfg, or .cfg files in tests/cfg/), got none — add them, or fix "
                "`subdir`, `configs` or `format`");
  write("tests/cfg/only-comments.cfg", "# nothing yet\n");
  EXPECT_TRUE(has_cartesian_layout(dir_));
  EXPECT_EQ(ids(load()), Ids{});
}

TEST_F(CartesianLoaderTest, ErrorsInGeneratedTextAreReportedAtTheUsersLine) {
  write("tests/cfg/a.cfg", "- a:\n");
  write("tests/cfg/b.cfg", "# b\n- b:\n    x = 1\n    variants tests$:\n");
  try {
    load();
    FAIL() << "no error";
  } catch (const cartesian::Error& e) {
    EXPECT_EQ(e.filename(), (dir_ / "tests/cfg/b.cfg").string());
    EXPECT_EQ(e.linenum(), 4);
    EXPECT_EQ(e.file(), (dir_ / "tests/cfg/b.cfg").string());
    EXPECT_EQ(e.line(), 4);
    // Without the indentation the generated file added (the reference strips lines anyway).
    EXPECT_TRUE(e.line_text() == "variants tests$:" || e.line_text() == "    variants tests$:")
        << e.line_text();
    EXPECT_EQ(e.kind(), cartesian::ErrorKind::lexer);
  }
  // Errors in the user's own files are theirs already.
  write("tests.cfg", "variants:\n    - a:\n  include nosuch.cfg\n");
  try {
    load();
    FAIL() << "no error";
  } catch (const cartesian::Error& e) {
    EXPECT_EQ(e.filename(), (dir_ / "tests.cfg").string());
    EXPECT_EQ(e.linenum(), 3);
  }
}

TEST_F(CartesianLoaderTest, StatementsFollowTheConfigurationAndTheirErrorsNameThem) {
  write("tests/cfg/a.cfg", "- a:\n    variants:\n        - x:\n        - y:\n");
  auto s = source();
  s.statements = {"only y", "mem = 1"};
  const auto tests = load(s);
  ASSERT_EQ(ids(tests), (Ids{"a.y"}));
  EXPECT_EQ(tests[0].params.at("mem"), "1");
  s.statements = {"only y", "no x$"};
  const std::string message = error_message<sdk::ConfigError>([&] { load(s); });
  EXPECT_EQ(
      message.rfind("in the statement 'no x$' given on the command line for provider 'prov': ", 0),
      0u)
      << message;
  EXPECT_NE(message.find(" — fix the value of that --only, --no or --cartesian"),
            std::string::npos);
}

// ---- through discovery: detection, provider tags, unique ids ----

class CartesianDiscoveryTest : public CartesianLoaderTest {
 protected:
  Provider provider(const std::string& file, const std::string& text) {
    return read_provider_file(test_support::write_file(defs_.path() / file, text));
  }
  const test_support::TempDir defs_{"vt_cartesian_defs_"};
};

TEST_F(CartesianDiscoveryTest, IniProvidersInAvocadoVtLayoutAreDetected) {
  write("qemu/tests/cfg/boot.cfg", "- boot:\n");
  const auto p =
      provider("tp.ini", "[provider]\nuri: " + dir_.string() + "\n[qemu]\nsubdir: qemu\n");
  const auto tests = discover_tests({p}, "qemu");
  ASSERT_EQ(ids(tests), (Ids{"boot"}));
  EXPECT_EQ(tests[0].provider, "tp");
  EXPECT_EQ(tests[0].dir, dir_ / "qemu");
  // vtrun.toml wins when both are there, unless the format says otherwise.
  write("qemu/vtrun.toml", "[[test]]\nname = \"native\"\ncommand = \"true\"\n");
  EXPECT_EQ(ids(discover_tests({p}, "qemu")), (Ids{"native"}));
  const auto c = provider("c.toml", "[provider]\nuri = \"" + dir_.string() +
                                        "\"\nformat = \"cartesian\"\ntags = [\"t\"]\n"
                                        "[qemu]\nsubdir = \"qemu\"\n");
  const auto declared = discover_tests({c}, "qemu");
  ASSERT_EQ(ids(declared), (Ids{"boot"}));
  EXPECT_EQ(declared[0].tags, (Ids{"t"}));
}

TEST_F(CartesianDiscoveryTest, ShortnamesMustBeUniqueInTheWholePlan) {
  write("c/tests.cfg", "variants:\n    - @a:\n    - @b:\n");
  const auto c = provider(
      "c.toml", "[provider]\nuri = \"" + (dir_ / "c").string() + "\"\nformat = \"cartesian\"\n");
  // Both defaults leave the shortname empty; the name stands in, and differs.
  EXPECT_EQ(ids(discover_tests({c}, "qemu")), (Ids{"a", "b"}));
  write("d/tests.cfg",
        "variants:\n    - x:\n        variants:\n            - @a:\n            - @b:\n");
  const auto d = provider(
      "d.toml", "[provider]\nuri = \"" + (dir_ / "d").string() + "\"\nformat = \"cartesian\"\n");
  const std::string file = (dir_ / "d/tests.cfg").string();
  EXPECT_EQ(error_message<sdk::ConfigError>([&] { discover_tests({d}, "qemu"); }),
            file + ": test id 'x' (the shortname of dict 'x.b') is also defined at " + file +
                " — rename a variant so the shortnames differ, or filter one out with --no");
  // A streamed listing does not keep Cartesian ids, so it does not notice.
  DiscoveryOptions streaming;
  streaming.whole_plan = false;
  EXPECT_EQ(ids(discover_tests({d}, "qemu", streaming)), (Ids{"x", "x"}));
}

TEST_F(CartesianDiscoveryTest, StatementsNeedACartesianProvider) {
  write("n/vtrun.toml", "[[test]]\nname = \"native\"\ncommand = \"true\"\n");
  const auto n = provider("n.toml", "[provider]\nuri = \"" + (dir_ / "n").string() + "\"\n");
  DiscoveryOptions options;
  options.cartesian_statements = {"only x"};
  EXPECT_EQ(error_message<sdk::ConfigError>([&] { discover_tests({n}, "qemu", options); }),
            "--only, --no and --cartesian filter Cartesian providers, and no provider offers "
            "Cartesian tests for backend 'qemu' — drop them, or use selectors and --tags");
}

}  // namespace
}  // namespace vt::core
