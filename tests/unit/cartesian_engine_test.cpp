// The Cartesian engine beyond the reference corpus: inputs the fuzzer found, the places where
// vtrun reports an error the reference crashes on (docs/cartesian.md), streaming, and quirks of
// the reference that SEMANTICS.md describes but no corpus case shows.
#include <gtest/gtest.h>

#include <unistd.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "vt/core/cartesian.h"

namespace {

namespace cartesian = vt::core::cartesian;

struct Expanded {
  std::vector<std::string> names;
  std::string text;  // every dict as format_dict() prints it
};

Expanded expand(const std::string& cfg, cartesian::Detail detail = cartesian::Detail::full,
                cartesian::Options options = {}) {
  cartesian::Config config(std::move(options));
  config.parse_string(cfg);
  Expanded out;
  config.for_each(
      [&](const cartesian::Dict& d) {
        out.names.emplace_back(d.name());
        out.text +=
            cartesian::format_dict(out.names.size(), d, true, detail == cartesian::Detail::full);
        return true;
      },
      detail);
  return out;
}

cartesian::Error error_of(const std::string& cfg) {
  try {
    expand(cfg);
  } catch (const cartesian::Error& e) {
    return e;
  }
  ADD_FAILURE() << "no error for:\n" << cfg;
  return cartesian::Error(cartesian::ErrorKind::runtime, "none", "", "", 0);
}

std::string value(const std::string& cfg, const std::string& key) {
  cartesian::Config config;
  config.parse_string(cfg);
  std::string out = "<absent>";
  config.for_each([&](const cartesian::Dict& d) {
    out = d.get(key).value_or("<absent>");
    return false;
  });
  return out;
}

TEST(CartesianEngine, FilterWordStartingWithDotIsASyntaxErrorAtItsLine) {
  // The reference accepts these and dies with IndexError when it matches them (fuzzer: a crash).
  for (const char* cfg : {"x = 1\nno a .a\n", "x = 1\nonly a, .b\n", "x = 1\n!a, .b:\n  y = 2\n"}) {
    const auto e = error_of(cfg);
    EXPECT_EQ(e.kind(), cartesian::ErrorKind::parser) << cfg;
    EXPECT_EQ(e.linenum(), 2) << cfg;
  }
}

TEST(CartesianEngine, DependencyListMayHaveAnEmptyBlockAsInTheReference) {
  const auto out = expand("variants:\n  - x:\n  - y: x, .z\n");
  EXPECT_NE(out.text.find("dep = ['x', '', 'z']"), std::string::npos) << out.text;
}

TEST(CartesianEngine, JoinWithNoWordsWalksPlainly) {
  // Fuzzer: `join` followed by a comment only used to index an empty list.
  EXPECT_EQ(expand("variants:\n  - a:\n  - b:\njoin   # nothing\n").names,
            (std::vector<std::string>{"a", "b"}));
}

TEST(CartesianEngine, JoinWhoseRightSideMatchesNothingEndsQuickly) {
  // Fuzzer: 100,000 left-hand dicts each re-walked a right-hand side that gives nothing.
  std::string cfg;
  for (int block = 0; block < 5; ++block) {
    cfg += "variants:\n";
    for (int v = 0; v < 10; ++v)
      cfg += "  - b" + std::to_string(block) + "v" + std::to_string(v) + ":\n";
  }
  cfg += "join b0v1 nowhere\n";
  EXPECT_TRUE(expand(cfg).names.empty());
}

TEST(CartesianEngine, JoinMergesNamesAfterTheirCommonPrefix) {
  const auto out =
      expand("variants:\n  - a:\n    x = 1\n  - b:\n    y = 2\nvariants:\n  - p:\njoin a b\n");
  EXPECT_EQ(out.names, (std::vector<std::string>{"p.a.b"}));
  EXPECT_NE(out.text.find("    x = 1\n"), std::string::npos);
  EXPECT_NE(out.text.find("    y = 2\n"), std::string::npos);
  EXPECT_EQ(error_of("variants:\n  - a:\n  - ab:\njoin a ab\n").kind(),
            cartesian::ErrorKind::value);
}

TEST(CartesianEngine, UnterminatedQuoteIsARuntimeErrorLikeTheReference) {
  const auto e = error_of("x = 1\nonly \"abc\n");
  EXPECT_EQ(e.kind(), cartesian::ErrorKind::runtime);
  EXPECT_EQ(e.linenum(), 2);
}

TEST(CartesianEngine, PostfixCompareOfNonNumbersIsAValueErrorWhileGenerating) {
  const std::string cfg = "variants:\n  - a:\n    sleep = 5\n    sleep_max = soon\n";
  EXPECT_EQ(error_of(cfg).kind(), cartesian::ErrorKind::value);
  EXPECT_EQ(expand(cfg, cartesian::Detail::names).names, (std::vector<std::string>{"a"}));
  EXPECT_EQ(value("mem = 512M\nmem_max = 1G\nm2 = 4\nm2_min = 8\n", "mem"), "512M");
  EXPECT_EQ(value("mem = 2G\nmem_max = 1024\n", "mem"), "1024");
  EXPECT_EQ(value("m2 = 4\nm2_min = 8\n", "m2"), "8");
}

TEST(CartesianEngine, ValuesKeepHashesAndInnerQuotesAndSubstituteOnlyBraces) {
  EXPECT_EQ(value("k = x # not a comment\n", "k"), "x # not a comment");
  EXPECT_EQ(value("k = \"a\" \"b\"\n", "k"), "a\" \"b");
  EXPECT_EQ(value("k = \"\n", "k"), "");
  EXPECT_EQ(value("a = A\nk = $a ${a}${missing}${a}\n", "k"), "$a A${missing}${a}");
  EXPECT_EQ(value("k = ${late}\nlate = L\n", "k"), "${late}");
  EXPECT_EQ(value("key -= \"-1\"\n", "key -"), "-1");  // `-=` is no operator
}

TEST(CartesianEngine, TabsExpandToEightColumnStops) {
  EXPECT_EQ(value("k1 = a\tb\n", "k1"), "a  b");
  EXPECT_EQ(value("\u00e9\u00e9 = \tb\n", "\u00e9\u00e9"), "b");  // columns count code points
}

TEST(CartesianEngine, IncludeOfSomethingNotARegularFileIsAMissingInclude) {
  const auto e = error_of("x = 1\ninclude /dev/null\n");
  EXPECT_EQ(e.kind(), cartesian::ErrorKind::missing_include);
  EXPECT_EQ(e.linenum(), 2);
}

TEST(CartesianEngine, AFileThatIncludesItselfIsAnErrorNotARecursionWithoutEnd) {
  const auto dir =
      std::filesystem::temp_directory_path() / ("vt_cartesian_self_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "self.cfg") << "x = 1\ninclude self.cfg\n";
  cartesian::Config config;
  try {
    config.parse_file(dir / "self.cfg");
    ADD_FAILURE() << "no error";
  } catch (const cartesian::Error& e) {
    EXPECT_EQ(e.kind(), cartesian::ErrorKind::parser);
    EXPECT_EQ(e.linenum(), 2);
  }
  std::filesystem::remove_all(dir);
}

TEST(CartesianEngine, ParseTextActsAsTheFileItNames) {
  const auto dir =
      std::filesystem::temp_directory_path() / ("vt_cartesian_text_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir / "inc");
  std::ofstream(dir / "inc/part.cfg") << "k = from-include\n";
  cartesian::Config config;
  config.parse_text("variants:\n  - a:\n    include inc/part.cfg\n", dir / "virtual.cfg");
  std::string map, k;
  config.for_each([&](const cartesian::Dict& d) {
    map = d.get("_name_map_file").value_or("");
    k = d.get("k").value_or("");
    return true;
  });
  EXPECT_EQ(map, "{'virtual.cfg': 'a'}");
  EXPECT_EQ(k, "from-include");
  std::filesystem::remove_all(dir);
}

TEST(CartesianEngine, NamesOnlyGivesTheSameDictsAsFull) {
  const std::string cfg =
      "variants:\n  - a:\n  - b: a\nvariants v:\n  - @x.y:\n  - z:\n    no b\nonly a, z\n";
  const auto full = expand(cfg);
  const auto names = expand(cfg, cartesian::Detail::names);
  EXPECT_EQ(full.names, names.names);
  EXPECT_EQ(full.names, (std::vector<std::string>{"(v=x).(v=y).a", "(v=z).a"}));
}

TEST(CartesianEngine, StreamingStopsAtOnceOnAHugeMatrix) {
  std::string cfg;
  for (int block = 0; block < 10; ++block) {
    cfg += "variants:\n";
    for (int v = 0; v < 10; ++v)
      cfg += "  - v" + std::to_string(v) + ":\n    k" + std::to_string(block) + " = " +
             std::to_string(v) + "\n";
  }
  cartesian::Config config;
  config.parse_string(cfg);  // 10^10 dicts
  std::uint64_t seen = 0;
  const std::uint64_t delivered =
      config.for_each([&](const cartesian::Dict&) { return ++seen < 3; });
  EXPECT_EQ(seen, 3u);
  EXPECT_EQ(delivered, 3u);
}

TEST(CartesianEngine, DefaultsModeFallsBackWhenTheDefaultGivesNothing) {
  cartesian::Options options;
  options.defaults = true;
  EXPECT_EQ(
      expand("variants:\n  - @a:\n  - b:\n  - c:\nno a\n", cartesian::Detail::names, options).names,
      (std::vector<std::string>{"b", "c"}));
  options.expand_defaults = {"v"};
  EXPECT_EQ(expand("variants v:\n  - @a:\n  - b:\n", cartesian::Detail::names, options).names,
            (std::vector<std::string>{"(v=a)", "(v=b)"}));
}

}  // namespace
