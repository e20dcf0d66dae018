// The plan: tag expressions, selectors with dependencies, and discovery across providers.d.
#include <gtest/gtest.h>
#include <filesystem>

#include "support/test_support.h"
#include "vt/core/plan.h"
#include "vt/sdk/error.h"

namespace vt::core {
namespace {

namespace fs = std::filesystem;
using test_support::error_message;

TestCase make(const std::string& id, const std::string& provider,
              std::vector<std::string> tags = {}, std::vector<std::string> depends = {}) {
  TestCase t;
  t.id = id;
  t.provider = provider;
  t.tags = std::move(tags);
  t.depends = std::move(depends);
  t.source = "/p/" + provider + "/vtrun.toml";
  t.line = 7;
  return t;
}

std::vector<std::string> ids(const std::vector<TestCase>& tests) {
  std::vector<std::string> out;
  for (const auto& t : tests) out.push_back(t.id);
  return out;
}

using Ids = std::vector<std::string>;

TEST(TagsMatch, IsAnAndOfCommaSeparatedTermsWithNegation) {
  const std::vector<std::string> tags{"smoke", "net"};
  EXPECT_TRUE(tags_match(tags, "smoke"));
  EXPECT_TRUE(tags_match(tags, "smoke,net"));
  EXPECT_FALSE(tags_match(tags, "smoke,slow"));
  EXPECT_FALSE(tags_match(tags, "slow"));
  EXPECT_TRUE(tags_match(tags, "-slow"));
  EXPECT_FALSE(tags_match(tags, "-net"));
  EXPECT_FALSE(tags_match(tags, "smoke,-net"));
  EXPECT_TRUE(tags_match(tags, "net,-slow"));
  EXPECT_TRUE(tags_match(tags, ""));
  EXPECT_TRUE(tags_match({}, ""));
  EXPECT_FALSE(tags_match({}, "smoke"));
  EXPECT_TRUE(tags_match({}, "-smoke"));
}

class SelectTest : public testing::Test {
 protected:
  std::vector<TestCase> all_{
      make("boot.install", "p1", {"vm"}),
      make("boot.smoke", "p1", {"vm", "smoke"}, {"boot.install"}),
      make("bootx", "p1", {"smoke", "slow"}),
      make("net.ping", "p2", {"net", "smoke"}),
      make("net.iperf", "p2", {"net", "slow"}),
  };
  std::vector<TestCase> select(std::vector<std::string> selectors,
                               std::vector<std::string> tag_filters = {}) {
    return select_tests(all_, Selection{std::move(selectors), std::move(tag_filters)});
  }
};

TEST_F(SelectTest, EmptySelectionKeepsEveryTestInOrder) {
  EXPECT_EQ(ids(select({})), (Ids{"boot.install", "boot.smoke", "bootx", "net.ping", "net.iperf"}));
}

TEST_F(SelectTest, SelectsById) {
  EXPECT_EQ(ids(select({"net.ping"})), (Ids{"net.ping"}));
  EXPECT_EQ(ids(select({"bootx"})), (Ids{"bootx"}));
}

TEST_F(SelectTest, DottedPrefixSelectsTheGroupOnly) {
  EXPECT_EQ(ids(select({"boot"})), (Ids{"boot.install", "boot.smoke"}));
  EXPECT_EQ(ids(select({"net"})), (Ids{"net.ping", "net.iperf"}));
}

TEST_F(SelectTest, SelectsByProviderName) {
  EXPECT_EQ(ids(select({"p2"})), (Ids{"net.ping", "net.iperf"}));
}

TEST_F(SelectTest, SelectsByGlob) {
  EXPECT_EQ(ids(select({"net.*"})), (Ids{"net.ping", "net.iperf"}));
  EXPECT_EQ(ids(select({"boo?x"})), (Ids{"bootx"}));
  EXPECT_EQ(ids(select({"*.i*"})), (Ids{"boot.install", "net.iperf"}));
}

TEST_F(SelectTest, MultipleSelectorsUniteInDiscoveryOrder) {
  EXPECT_EQ(ids(select({"net.iperf", "bootx", "net.*"})), (Ids{"bootx", "net.ping", "net.iperf"}));
}

TEST_F(SelectTest, SelectorMatchingNothingIsAnError) {
  EXPECT_EQ(error_message<sdk::ConfigError>([&] {
              select({"net.ping", "nope"});
            }),
            "selector 'nope' matches no test — `vtrun list` shows the available ids");
  // A prefix must end at a dot: "boo" is not a group.
  EXPECT_EQ(error_message<sdk::ConfigError>([&] { select({"boo"}); }),
            "selector 'boo' matches no test — `vtrun list` shows the available ids");
}

TEST_F(SelectTest, TagFiltersAreAnOrOfExpressions) {
  EXPECT_EQ(ids(select({}, {"smoke,-slow"})), (Ids{"boot.install", "boot.smoke", "net.ping"}));
  EXPECT_EQ(ids(select({}, {"slow,net", "vm,-smoke"})), (Ids{"boot.install", "net.iperf"}));
  EXPECT_EQ(ids(select({"p2"}, {"slow"})), (Ids{"net.iperf"}));
  EXPECT_EQ(ids(select({}, {"nosuchtag"})), (Ids{}));
}

TEST_F(SelectTest, PullsInDependenciesTransitively) {
  all_.push_back(make("upgrade", "p3", {}, {"boot.smoke"}));
  // boot.smoke needs boot.install, which the tag filter alone would drop.
  EXPECT_EQ(ids(select({"upgrade"})), (Ids{"boot.install", "boot.smoke", "upgrade"}));
  EXPECT_EQ(ids(select({}, {"smoke,vm"})), (Ids{"boot.install", "boot.smoke"}));
}

TEST_F(SelectTest, UnknownDependencyNamesItsSource) {
  all_.push_back(make("upgrade", "p3", {}, {"boot.smoke", "nosuch"}));
  try {
    select({"upgrade"});
    FAIL() << "no ConfigError";
  } catch (const sdk::ConfigError& e) {
    EXPECT_EQ(std::string(e.what()),
              "/p/p3/vtrun.toml:7: test 'upgrade' depends on 'nosuch', which no provider "
              "defines — fix `depends`");
    EXPECT_EQ(e.file(), "/p/p3/vtrun.toml");
    EXPECT_EQ(e.line(), 7);
  }
  // Only what is selected needs its dependencies.
  EXPECT_EQ(ids(select({"bootx"})), (Ids{"bootx"}));
}

// pv-test@1 ids are paths: '/' separates groups as '.' does.
TEST_F(SelectTest, SlashSeparatesGroupsAsTheDotDoes) {
  all_ = {make("local/core/x", "pv"),  make("local/core/y.z", "pv"), make("local/corex/w", "pv"),
          make("remote/core/x", "pv"), make("localx", "p1"),         make("boot.smoke", "p1")};
  EXPECT_EQ(ids(select({"local"})), (Ids{"local/core/x", "local/core/y.z", "local/corex/w"}));
  EXPECT_EQ(ids(select({"local/core"})), (Ids{"local/core/x", "local/core/y.z"}));
  EXPECT_EQ(ids(select({"local/core/x"})), (Ids{"local/core/x"}));
  EXPECT_EQ(ids(select({"local/core/y"})), (Ids{"local/core/y.z"})) << "dots still group";
  EXPECT_EQ(ids(select({"boot"})), (Ids{"boot.smoke"}));
  EXPECT_EQ(ids(select({"*/core/x"})), (Ids{"local/core/x", "remote/core/x"}));
  EXPECT_EQ(error_message<sdk::ConfigError>([&] { select({"loc"}); }),
            "selector 'loc' matches no test — `vtrun list` shows the available ids");
  EXPECT_EQ(error_message<sdk::ConfigError>([&] { select({"local/co"}); }),
            "selector 'local/co' matches no test — `vtrun list` shows the available ids");
}

TEST_F(SelectTest, ATrailingSlashNamesTheGroupBeforeIt) {
  all_ = {make("local/core/x", "pv"), make("local/corex/w", "pv")};
  EXPECT_EQ(ids(select({"local/core/"})), (Ids{"local/core/x"}));
  EXPECT_EQ(ids(select({"local/core/x/"})), (Ids{"local/core/x"}));
  EXPECT_EQ(ids(select({"local//"})), (Ids{"local/core/x", "local/corex/w"}));
}

// ---- discovery from providers.d definitions written to a temporary directory ----

class DiscoverTest : public testing::Test {
 protected:
  fs::path write(const std::string& name, const std::string& text) {
    return test_support::write_file(dir_ / name, text);
  }

  Provider provider(const std::string& name, const std::string& text) {
    return read_provider_file(write("providers.d/" + name, text));
  }

  const test_support::TempDir tmp_{"vt_plan_"};
  const fs::path dir_ = tmp_.path();
};

constexpr const char* two_tests =
    "[[test]]\n"
    "name = \"one\"\n"
    "command = \"./one.sh\"\n"
    "tags = [\"smoke\", \"org\"]\n"
    "\n"
    "[[test]]\n"
    "name = \"two\"\n"
    "command = [\"true\"]\n";

TEST_F(DiscoverTest, TomlProviderAddsItsTagsToEveryTest) {
  write("t1/vtrun.toml", two_tests);
  const auto p = provider("org.toml", "[provider]\nuri = \"" + (dir_ / "t1").string() +
                                          "\"\ntags = [\"org\", \"nightly\"]\n");
  const auto tests = discover_tests({p}, "qemu");
  ASSERT_EQ(tests.size(), 2u);
  EXPECT_EQ(tests[0].id, "one");
  EXPECT_EQ(tests[0].provider, "org");
  EXPECT_EQ(tests[0].tags, (std::vector<std::string>{"smoke", "org", "nightly"}));
  EXPECT_EQ(tests[0].command, (std::vector<std::string>{(dir_ / "t1/one.sh").string()}));
  EXPECT_EQ(tests[0].dir, dir_ / "t1");
  EXPECT_EQ(tests[0].source, dir_ / "t1/vtrun.toml");
  EXPECT_EQ(tests[0].line, 1);
  EXPECT_EQ(tests[1].id, "two");
  EXPECT_EQ(tests[1].tags, (std::vector<std::string>{"org", "nightly"}));
  EXPECT_EQ(tests[1].line, 6);
}

TEST_F(DiscoverTest, IniProviderUsesTheBackendsSubdir) {
  write("t2/local-tests/vtrun.toml", two_tests);
  write("t2/vtrun.toml", "[[test]]\nname = \"at-root\"\ncommand = \"true\"\n");
  const auto p = provider("local-only.ini", "[provider]\nuri: " + (dir_ / "t2").string() +
                                                "\n\n[local]\nsubdir: local-tests/\n");
  const auto tests = discover_tests({p}, "local");
  EXPECT_EQ(ids(tests), (Ids{"one", "two"}));
  EXPECT_EQ(tests.at(0).provider, "local-only");
  EXPECT_EQ(tests.at(0).dir, dir_ / "t2/local-tests");
  // No [qemu] and no [generic]: the provider offers nothing for qemu.
  EXPECT_EQ(ids(discover_tests({p}, "qemu")), (Ids{}));
}

TEST_F(DiscoverTest, IniProviderFallsBackToGeneric) {
  write("t3/gen/vtrun.toml", two_tests);
  const auto p = provider("gen.ini", "[provider]\nuri: " + (dir_ / "t3").string() +
                                         "\n[generic]\nsubdir: gen\n[local]\nsubdir: nosuch\n");
  EXPECT_EQ(ids(discover_tests({p}, "qemu")), (Ids{"one", "two"}));
}

TEST_F(DiscoverTest, KeepsProviderOrder) {
  write("a/vtrun.toml", "[[test]]\nname = \"a.first\"\ncommand = \"true\"\n");
  write("b/vtrun.toml", "[[test]]\nname = \"b.first\"\ncommand = \"true\"\n");
  const auto pa = provider("pa.toml", "[provider]\nuri = \"" + (dir_ / "a").string() + "\"\n");
  const auto pb = provider("pb.ini", "[provider]\nuri: " + (dir_ / "b").string() + "\n");
  EXPECT_EQ(ids(discover_tests({pb, pa}, "qemu")), (Ids{"b.first", "a.first"}));
}

TEST_F(DiscoverTest, SameIdInTwoProvidersNamesBothPlaces) {
  write("a/vtrun.toml", two_tests);
  write("b/vtrun.toml",
        "[[test]]\nname = \"other\"\ncommand = \"true\"\n\n"
        "[[test]]\nname = \"two\"\ncommand = \"true\"\n");
  const auto pa = provider("pa.toml", "[provider]\nuri = \"" + (dir_ / "a").string() + "\"\n");
  const auto pb = provider("pb.ini", "[provider]\nuri: " + (dir_ / "b").string() + "\n");
  const std::string a_file = (dir_ / "a/vtrun.toml").string();
  const std::string b_file = (dir_ / "b/vtrun.toml").string();
  EXPECT_EQ(error_message<sdk::ConfigError>([&] {
              discover_tests({pa, pb}, "qemu");
            }),
            b_file + ":5: test id 'two' is also defined at " + a_file + ":6 — rename one of them");
}

TEST_F(DiscoverTest, NativeProviderWithoutVtrunTomlIsAnError) {
  fs::create_directories(dir_ / "empty");
  const auto p = provider(
      "nat.toml", "[provider]\nuri = \"" + (dir_ / "empty").string() + "\"\nformat = \"native\"\n");
  EXPECT_EQ(error_message<sdk::ConfigError>([&] { discover_tests({p}, "qemu"); }),
            p.definition.string() + ":2: provider 'nat' has no '" +
                (dir_ / "empty/vtrun.toml").string() + "' — create it or fix `subdir`");
  // Without a declared format, a directory without vtrun.toml simply offers no tests.
  const auto plain =
      provider("plain.toml", "[provider]\nuri = \"" + (dir_ / "empty").string() + "\"\n");
  EXPECT_EQ(ids(discover_tests({plain}, "qemu")), (Ids{}));
}

}  // namespace
}  // namespace vt::core
