// providers.d: the configparser-faithful .ini reader, .toml definitions, URIs, the search path.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>

#include "providers/ini_reader.h"
#include "providers/uri.h"
#include "support/test_support.h"
#include "vt/core/provider.h"
#include "vt/core/provider_fetch.h"
#include "vt/sdk/error.h"

namespace vt::core {
namespace {

namespace fs = std::filesystem;

using test_support::error_message;

class ProvidersTest : public testing::Test {
 protected:
  fs::path write(const std::string& name, const std::string& text) {
    return test_support::write_file(dir_ / name, text);
  }

  const test_support::TempDir tmp_{"vt_providers_"};
  const fs::path dir_ = tmp_.path();
};

ini::File parse(const std::string& text) {
  return ini::File::parse(text, "t.ini");
}

std::string ini_error(const std::string& text, const std::string& section = "s",
                      const std::string& key = "k") {
  return error_message<sdk::ConfigError>([&] { parse(text).get(section, key); });
}

// ---- the .ini reader, as Python's configparser.ConfigParser() reads ----

TEST(IniReader, SplitsOnTheFirstDelimiterAndKeepsInlineComments) {
  const auto ini = parse("[s]\na = 1\nb: 2\nc = x: y\nd: x = y\ne = v ;not a comment\nf=\n");
  EXPECT_EQ(ini.get("s", "a"), "1");
  EXPECT_EQ(ini.get("s", "b"), "2");
  EXPECT_EQ(ini.get("s", "c"), "x: y");
  EXPECT_EQ(ini.get("s", "d"), "x = y");
  EXPECT_EQ(ini.get("s", "e"), "v ;not a comment");
  EXPECT_EQ(ini.get("s", "f"), "");
  EXPECT_EQ(ini.get("s", "g"), std::nullopt);
  EXPECT_EQ(ini.get("nosuch", "a"), std::nullopt);
}

TEST(IniReader, LowerCasesKeysButNotSectionNames) {
  const auto ini = parse("# comment\n  ; indented comment\n[Sect]\n  MyKey   =   spaced value  \n");
  EXPECT_EQ(ini.get("Sect", "MYKEY"), "spaced value");
  EXPECT_EQ(ini.find("Sect", "mykey")->line, 4);
  EXPECT_EQ(ini.section("sect"), nullptr);
  EXPECT_EQ(ini.section("Sect")->line, 3);
}

TEST(IniReader, JoinsDeeperIndentedLinesAndDropsTrailingBlankLines) {
  const auto ini = parse(
      "[s]\nk = first\n  second\n# comment inside\n\n  third\n\n\n"
      "e =\n  a\n\tb = c\n[t]\n  x = 1\n  y = 2\n    z\n");
  EXPECT_EQ(ini.get("s", "k"), "first\nsecond\n\nthird");
  EXPECT_EQ(ini.get("s", "e"), "\na\nb = c");
  EXPECT_EQ(ini.get("t", "x"), "1");
  EXPECT_EQ(ini.get("t", "y"), "2\nz");
}

TEST(IniReader, ReadsSectionHeadersAsConfigparserDoes) {
  const auto ini = parse("[a] ignored\n[b]]\n[ c ]\n\r\n[d]\r\nk = v\r\n");
  EXPECT_EQ(ini.section_names(), (std::vector<std::string>{"a", "b]", " c ", "d"}));
  EXPECT_EQ(ini.get("d", "k"), "v");
  EXPECT_EQ(ini.section("d")->line, 5);
}

TEST(IniReader, DefaultsAreVisibleInEverySectionAndInterpolated) {
  const auto ini = parse(
      "[DEFAULT]\nbase = /srv\nname = dflt\n[s]\nname = own\nk = %(BASE)s/%(name)s\n"
      "pct = 100%%\nchain = %(a)s!\na = %(b)s-a\nb = %(base)s\n[DEFAULT]\nlate = yes\n");
  EXPECT_EQ(ini.section_names(), std::vector<std::string>{"s"});
  EXPECT_EQ(ini.get("s", "base"), "/srv");
  EXPECT_EQ(ini.get("s", "k"), "/srv/own");
  EXPECT_EQ(ini.get("s", "pct"), "100%");
  EXPECT_EQ(ini.get("s", "chain"), "/srv-a!");
  EXPECT_EQ(ini.get("s", "late"), "yes");
  EXPECT_EQ(ini.defaults().line, 1);
}

TEST(IniReader, InterpolatesOnlyTheKeysItIsAskedFor) {
  const auto ini = parse("[s]\nbad = 50% off\nok = fine\n");
  EXPECT_EQ(ini.get("s", "ok"), "fine");
  EXPECT_EQ(ini.find("s", "bad")->raw, "50% off");
}

TEST(IniReader, RejectsBadInterpolation) {
  EXPECT_EQ(ini_error("[s]\nk = 50% off\n"),
            "t.ini:2: expected '%%' or '%(name)s' in the value of 'k', got '% off' — write '%%' "
            "for a literal '%'");
  EXPECT_EQ(ini_error("[s]\nk = %(x)d\n"),
            "t.ini:2: expected '%(name)s' in the value of 'k', got '%(x)d' — end the reference "
            "with ')s', or write '%%' for a literal '%'");
  EXPECT_EQ(ini_error("[s]\nk = a\n  %(Nope)s\n"),
            "t.ini:2: expected a key 'nope' in '[s]' or [DEFAULT] for '%(Nope)s' in the value of "
            "'k', got none — define it, or write '%%' for a literal '%'");
  EXPECT_EQ(ini_error("[s]\nk = %(j)s\nj = %(k)s\n"),
            "t.ini:2: expected at most 10 nested '%(name)s' references in the value of 'k', got "
            "more — look for keys that refer to each other");
}

TEST(IniReader, RejectsWhatConfigparserRejects) {
  EXPECT_EQ(ini_error("uri = x\n[s]\n"),
            "t.ini:1: expected a section header such as '[provider]' before the first key, got "
            "'uri = x' — add a section header above this line");
  EXPECT_EQ(ini_error("[s]\nk = v\n  # fine\nfoo bar\n"),
            "t.ini:4: expected 'key = value' or 'key: value', got 'foo bar' — add a delimiter or "
            "comment the line out with '#'");
  EXPECT_EQ(ini_error("[s]\n[]\n"),
            "t.ini:2: expected 'key = value' or 'key: value', got '[]' — add a delimiter or "
            "comment the line out with '#'");
  EXPECT_EQ(ini_error("[s]\n  : v\n"),
            "t.ini:2: expected a key before ':', got ': v' — write 'key = value'");
  EXPECT_EQ(ini_error("[s]\n[t]\n[s]\n"),
            "t.ini:3: expected each section once, got '[s]' again (first at line 1) — merge the "
            "two sections into one");
  EXPECT_EQ(ini_error("[s]\nK = 1\nk: 2\n"),
            "t.ini:3: expected each key once per section, got 'k' again in '[s]' (first at line "
            "2) — remove one of them");
  EXPECT_EQ(ini_error("[DEFAULT]\nk = 1\n[DEFAULT]\nk = 2\n"),
            "t.ini:4: expected each key once per section, got 'k' again in '[DEFAULT]' (first "
            "at line 2) — remove one of them");
}

// ---- provider definitions ----

TEST_F(ProvidersTest, ReadsAnAvocadoVtIniFile) {
  fs::create_directories(dir_ / "tp-qemu");
  const auto file = write("io-github-autotest-qemu.ini",
                          "[provider]\nuri: file://" + (dir_ / "tp-qemu").string() +
                              "/\nbranch: master\nref: v1.0\npubkey: keys/a.asc\nfuture: x\n"
                              "[generic]\nsubdir: generic/\n[qemu]\nsubdir: qemu/\n"
                              "configs: a.cfg, b.cfg ,\n[Other]\n");
  const Provider p = read_provider_file(file);
  EXPECT_EQ(p.name, "io-github-autotest-qemu");
  EXPECT_EQ(p.definition, file);
  EXPECT_EQ(p.uri_line, 2);
  EXPECT_EQ(p.uri.kind, UriKind::file_url);
  EXPECT_EQ(p.uri.scheme, "file");
  EXPECT_EQ(p.uri.local, dir_ / "tp-qemu");
  EXPECT_EQ(p.branch, "master");
  EXPECT_EQ(p.ref, "v1.0");
  EXPECT_EQ(p.pubkey, "keys/a.asc");
  EXPECT_EQ(p.format, "");
  ASSERT_EQ(p.backends.size(), 3u);
  EXPECT_EQ(p.backends.at("generic").subdir, "generic");
  EXPECT_EQ(p.backends.at("generic").line, 7);
  EXPECT_EQ(p.backends.at("qemu").configs, (std::vector<std::string>{"a.cfg", "b.cfg"}));
  EXPECT_EQ(p.backends.at("Other").subdir, "");
  EXPECT_EQ(p.section_for("qemu")->backend, "qemu");
  EXPECT_EQ(p.section_for("libvirt")->backend, "generic");
  EXPECT_EQ(provider_root(p), dir_ / "tp-qemu");
}

TEST_F(ProvidersTest, IniDefaultsAndInterpolationReachTheProvider) {
  const auto file = write("a.b.ini",
                          "[DEFAULT]\nroot = ../tests\nsubdir = all\n[provider]\n"
                          "uri = %(root)s/x\n[local]\n");
  const Provider p = read_provider_file(file);
  EXPECT_EQ(p.name, "a");
  EXPECT_EQ(p.uri.kind, UriKind::path);
  EXPECT_EQ(p.uri.local, dir_.parent_path() / "tests" / "x");
  EXPECT_EQ(p.backends.at("local").subdir, "all");
  EXPECT_EQ(p.section_for("qemu"), std::nullopt);
  EXPECT_EQ(p.branch, "");
}

TEST_F(ProvidersTest, IniErrorsPointAtTheFileAndLine) {
  const auto no_section = write("a.ini", "[qemu]\nsubdir = q\n");
  EXPECT_EQ(error_message<sdk::ConfigError>([&] { read_provider_file(no_section); }),
            no_section.string() +
                ": expected a [provider] section, got none — add '[provider]' "
                "with 'uri: <where the tests are>'");
  const auto no_uri = write("b.ini", "# x\n[provider]\nbranch = main\n");
  EXPECT_EQ(error_message<sdk::ConfigError>([&] { read_provider_file(no_uri); }),
            no_uri.string() +
                ":2: expected 'uri' in [provider], got none — add e.g. 'uri: "
                "https://github.com/org/tests.git'");
  const auto abs_subdir = write("c.ini", "[provider]\nuri = x\n[qemu]\nsubdir = /etc\n");
  EXPECT_EQ(error_message<sdk::ConfigError>([&] { read_provider_file(abs_subdir); }),
            abs_subdir.string() +
                ":4: expected 'subdir' relative to the provider root, got "
                "'/etc' — remove the leading '/'");
  const auto up_subdir = write("d.ini", "[provider]\nuri = x\n[qemu]\nsubdir = a/../../b\n");
  EXPECT_EQ(error_message<sdk::ConfigError>([&] { read_provider_file(up_subdir); }),
            up_subdir.string() +
                ":4: expected 'subdir' inside the provider root, got "
                "'a/../../b' — name a directory of the provider, without '..'");
  const auto bad_uri = write("e.ini", "[provider]\n\nuri = file://rel/dir\n");
  EXPECT_EQ(error_message<sdk::ConfigError>([&] { read_provider_file(bad_uri); }),
            bad_uri.string() +
                ":3: expected an absolute path after 'file://', got "
                "'file://rel/dir' — file:// needs an absolute path (file:///dir); "
                "use a plain relative path instead");
  const auto yaml = write("f.yaml", "");
  EXPECT_EQ(error_message<sdk::ConfigError>([&] { read_provider_file(yaml); }),
            yaml.string() +
                ": expected a .ini or .toml provider definition, got 'f.yaml' — "
                "rename it to end in .ini or .toml");
  const auto hidden = write(".ini", "");
  EXPECT_EQ(error_message<sdk::ConfigError>([&] { read_provider_file(hidden); }),
            hidden.string() +
                ": expected a provider name before the first '.' of the file "
                "name, got '.ini' — rename the file, e.g. 'my-tests.toml'");
}

TEST_F(ProvidersTest, ReadsATomlFile) {
  const auto file = write("org.toml",
                          "[provider]\nuri = \"https://example.org/tests.git\"\nbranch = \"main\"\n"
                          "ref = \"v2\"\npubkey = \"k.asc\"\nformat = \"native\"\n"
                          "tags = [\"org\", \"nightly\"]\n\n[generic]\nsubdir = \"./gen/\"\n"
                          "configs = [\"a.cfg\"]\n[qemu]\n");
  const Provider p = read_provider_file(file);
  EXPECT_EQ(p.name, "org");
  EXPECT_EQ(p.uri.kind, UriKind::git);
  EXPECT_EQ(p.uri.scheme, "https");
  EXPECT_EQ(p.uri_line, 2);
  EXPECT_EQ(p.branch, "main");
  EXPECT_EQ(p.ref, "v2");
  EXPECT_EQ(p.pubkey, "k.asc");
  EXPECT_EQ(p.format, "native");
  EXPECT_EQ(p.tags, (std::vector<std::string>{"org", "nightly"}));
  EXPECT_EQ(p.backends.at("generic").subdir, "gen");
  EXPECT_EQ(p.backends.at("generic").configs, std::vector<std::string>{"a.cfg"});
  EXPECT_EQ(p.backends.at("generic").line, 9);
  EXPECT_EQ(p.backends.at("qemu").subdir, "");
  // Offline, so that no test ever sends traffic off this machine.
  ASSERT_EQ(setenv("VTRUN_CACHE_DIR", (dir_ / "cache").c_str(), 1), 0);
  FetchPolicy offline;
  offline.offline = true;
  EXPECT_EQ(error_message<sdk::UnavailableError>([&] { resolve_provider(p, offline); }),
            "provider 'org' (" + file.string() +
                ":2): offline, and 'https://example.org/tests.git' was never fetched — run "
                "`vtrun providers update org` once without --offline");
  unsetenv("VTRUN_CACHE_DIR");
}

TEST_F(ProvidersTest, TomlErrorsNameTheKeyTheTypeAndTheLine) {
  auto error = [&](const std::string& text) {
    const auto file = write("p.toml", text);
    return error_message<sdk::ConfigError>([&] { read_provider_file(file); });
  };
  const std::string f = (dir_ / "p.toml").string();
  EXPECT_EQ(error("[qemu]\n"), f + ": expected a [provider] table, got none — add '[provider]' "
                                   "with 'uri = \"<where the tests are>\"'");
  EXPECT_EQ(error("\n[provider]\nbranch = \"x\"\n"),
            f + ":2: expected 'uri' in [provider], got none — add e.g. uri = "
                "\"https://github.com/org/tests.git\"");
  EXPECT_EQ(error("[provider]\nuri = \"x\"\nbranch = 3\n"),
            f + ":3: expected 'branch' to be a string, got an integer (3) — e.g. branch = "
                "\"main\"");
  EXPECT_EQ(error("[provider]\nuri = \"x\"\ntags = [\"a\",\n  1]\n"),
            f + ":4: expected 'tags' to be an array of strings, got an integer (1) — e.g. tags = "
                "[\"smoke\"]");
  EXPECT_EQ(error("[provider]\nuri = \"x\"\nzzz = 1\nbranche = \"main\"\n"),
            f + ":3: expected one of 'uri', 'branch', 'ref', 'pubkey', 'format', 'tags' in "
                "[provider], got 'zzz' — fix the spelling or remove the key");
  EXPECT_EQ(error("[provider]\nuri = \"x\"\nformat = \"yaml\"\n"),
            f + ":3: expected 'format' to be one of 'native', 'cartesian', 'pvtest', got "
                "'yaml' — use one of them");
  EXPECT_EQ(error("[provider]\nuri = \"x\"\n[qemu]\nsubdirs = \"q\"\n"),
            f + ":4: expected one of 'subdir', 'configs' in [qemu], got 'subdirs' — fix the "
                "spelling or remove the key");
  EXPECT_EQ(error("[provider]\nuri = \"x\"\n[qemu]\nconfigs = \"a.cfg\"\n"),
            f + ":4: expected 'configs' to be an array of strings, got a string (\"a.cfg\") — "
                "e.g. configs = [\"tests.cfg\"]");
  EXPECT_EQ(error("subdir = \"q\"\n[provider]\nuri = \"x\"\n"),
            f + ":1: expected a backend table such as [subdir] at the top level, got 'subdir' as "
                "a string (\"q\") — move the key under [provider] or into a backend table");
  EXPECT_EQ(error("[provider]\nuri = \"ftp://h/x\"\n"),
            f + ":2: expected a uri scheme among git, https, http, ssh, file, got 'ftp://' — use "
                "one of them, or a plain path");
  EXPECT_EQ(error("[provider]\nuri = \"\"\n"),
            f + ":2: expected a uri (git, https, ssh, file:// or a path), got '' — set uri to "
                "where the tests are");
  EXPECT_EQ(error("[provider]\nuri = \"x\n"),
            f + ":2: invalid TOML: error while parsing string: unescaped control characters "
                "other than TAB (U+0009) are explicitly prohibited — fix the syntax on this line");
}

// ---- URIs ----

TEST_F(ProvidersTest, ClassifiesUris) {
  const fs::path def = dir_ / "p.ini";
  auto kind = [&](const std::string& text) { return classify_uri(text, def, 1).kind; };
  EXPECT_EQ(kind("git://example.org/t.git"), UriKind::git);
  EXPECT_EQ(kind("ssh://git@example.org/t.git"), UriKind::git);
  EXPECT_EQ(kind("https://github.com/org/t"), UriKind::git);
  EXPECT_EQ(kind("HTTPS://example.org/t.tar.gz?token=1#x"), UriKind::archive);
  EXPECT_EQ(kind("http://example.org/t.ZIP"), UriKind::archive);
  EXPECT_EQ(kind("git://example.org/t.tar.gz"), UriKind::git);
  EXPECT_EQ(kind("file:///srv/t.tar.zst"), UriKind::archive);
  EXPECT_EQ(kind("file:///srv/t.txz"), UriKind::archive);
  EXPECT_EQ(kind("relative/t.tgz"), UriKind::path);
  const ProviderUri scp = classify_uri("git@github.com:org/t.git", def, 1);
  EXPECT_EQ(scp.kind, UriKind::git);
  EXPECT_EQ(scp.scheme, "ssh");
  EXPECT_EQ(kind("./dir@x:y"), UriKind::path);

  fs::create_directories(dir_ / "work" / ".git");
  fs::create_directories(dir_ / "bare.git" / "objects");
  write("bare.git/HEAD", "ref: refs/heads/main\n");
  fs::create_directories(dir_ / "plain");
  EXPECT_EQ(kind("file://" + (dir_ / "work").string()), UriKind::git);
  EXPECT_EQ(kind("file://" + (dir_ / "bare.git").string()), UriKind::git);
  const ProviderUri plain = classify_uri("file://" + dir_.string() + "/./plain/", def, 1);
  EXPECT_EQ(plain.kind, UriKind::file_url);
  EXPECT_EQ(plain.local, dir_ / "plain");

  const ProviderUri rel = classify_uri("../up/./tests/", def, 1);
  EXPECT_EQ(rel.kind, UriKind::path);
  EXPECT_EQ(rel.scheme, "");
  EXPECT_EQ(rel.text, "../up/./tests/");
  EXPECT_EQ(rel.local, dir_.parent_path() / "up" / "tests");
  EXPECT_EQ(classify_uri("/abs/t", def, 1).local, fs::path("/abs/t"));
  EXPECT_STREQ(to_string(UriKind::file_url), "file_url");
}

TEST_F(ProvidersTest, ProviderRootNeedsTheDirectory) {
  const auto missing = write("m.toml", "[provider]\nuri = \"gone\"\n");
  EXPECT_EQ(error_message<sdk::ConfigError>([&] { provider_root(read_provider_file(missing)); }),
            missing.string() + ":2: expected the tests of provider 'm' in '" +
                (dir_ / "gone").string() +
                "' (uri 'gone'), got nothing there — create the directory or fix the uri");
  write("t.tar.gz", "");
  const auto archive = write("a.toml", "[provider]\nuri = \"t.tar.gz\"\n");
  EXPECT_EQ(error_message<sdk::ConfigError>([&] { provider_root(read_provider_file(archive)); }),
            archive.string() + ":2: expected the tests of provider 'a' in '" +
                (dir_ / "t.tar.gz").string() +
                "' (uri 't.tar.gz'), got a file — an archive needs "
                "a file:// uri, e.g. 'file://" +
                (dir_ / "t.tar.gz").string() + "'");
  const auto file_archive =
      write("z.toml", "[provider]\nuri = \"file://" + (dir_ / "t.tar.gz").string() + "\"\n");
  // An empty file is no archive: the error names the definition and the archive.
  ASSERT_EQ(setenv("VTRUN_CACHE_DIR", (dir_ / "cache").c_str(), 1), 0);
  const std::string damaged =
      error_message<sdk::ConfigError>([&] { provider_root(read_provider_file(file_archive)); });
  EXPECT_NE(damaged.find(file_archive.string() + ":2: provider 'z': "), std::string::npos)
      << damaged;
  EXPECT_NE(damaged.find("t.tar.gz"), std::string::npos) << damaged;
  const auto remote = write("r.toml", "[provider]\nuri = \"https://example.org/t.tar.gz\"\n");
  FetchPolicy offline;
  offline.offline = true;
  EXPECT_THROW(resolve_provider(read_provider_file(remote), offline), sdk::UnavailableError);
  unsetenv("VTRUN_CACHE_DIR");
}

// ---- providers.d ----

TEST_F(ProvidersTest, ReadsDefinitionsSortedAndIgnoresOtherFiles) {
  write("d/b.toml", "[provider]\nuri = \"b\"\n");
  write("d/a.ini", "[provider]\nuri = a\n");
  write("d/README.md", "not a provider");
  write("d/.#a.ini", "garbage");
  write("d/c.ini~", "garbage");
  fs::create_directories(dir_ / "d" / "sub.ini");
  const std::vector<Provider> providers = read_providers_dir(dir_ / "d");
  ASSERT_EQ(providers.size(), 2u);
  EXPECT_EQ(providers[0].name, "a");
  EXPECT_EQ(providers[1].name, "b");

  write("d/a.v2.toml", "[provider]\nuri = \"a2\"\n");
  EXPECT_EQ(error_message<sdk::ConfigError>([&] { read_providers_dir(dir_ / "d"); }),
            (dir_ / "d/a.v2.toml").string() +
                ": expected one definition per provider, got 'a' "
                "in both '" +
                (dir_ / "d/a.ini").string() + "' and '" + (dir_ / "d/a.v2.toml").string() +
                "' — rename or remove one of the files");
  EXPECT_EQ(error_message<sdk::ConfigError>([&] { read_providers_dir(dir_ / "none"); }),
            (dir_ / "none").string() +
                ": expected a directory of provider definitions, got "
                "nothing — create it or point --providers at one");
}

class SearchPathTest : public ProvidersTest {
 protected:
  void SetUp() override {
    ProvidersTest::SetUp();
    for (const char* name : {"XDG_CONFIG_HOME", "HOME"}) {
      if (const char* v = getenv(name)) saved_.emplace_back(name, v);
    }
    old_cwd_ = fs::current_path();
  }
  void TearDown() override {
    fs::current_path(old_cwd_);
    unsetenv("XDG_CONFIG_HOME");
    unsetenv("HOME");
    for (const auto& [name, value] : saved_) setenv(name.c_str(), value.c_str(), 1);
    ProvidersTest::TearDown();
  }
  std::vector<std::pair<std::string, std::string>> saved_;
  fs::path old_cwd_;
};

TEST_F(SearchPathTest, FollowsTheDocumentedOrder) {
  fs::current_path(dir_);
  setenv("XDG_CONFIG_HOME", "/xdg", 1);
  EXPECT_EQ(providers_search_path(std::nullopt),
            (std::vector<fs::path>{dir_ / "providers.d", "/xdg/vtrun/providers.d",
                                   "/etc/vtrun/providers.d"}));
  setenv("XDG_CONFIG_HOME", "relative", 1);
  setenv("HOME", "/home/u", 1);
  EXPECT_EQ(providers_search_path(std::nullopt)[1], fs::path("/home/u/.config/vtrun/providers.d"));
  EXPECT_EQ(providers_search_path(fs::path("mine")), std::vector<fs::path>{"mine"});
}

TEST_F(SearchPathTest, FindsTheFirstExistingDirectory) {
  fs::current_path(dir_);
  setenv("XDG_CONFIG_HOME", (dir_ / "xdg").c_str(), 1);
  if (fs::exists("/etc/vtrun/providers.d")) GTEST_SKIP() << "/etc/vtrun/providers.d exists here";
  EXPECT_EQ(error_message<sdk::ConfigError>([] { find_providers_dir(std::nullopt); }),
            "expected a providers.d directory, got none in '" + (dir_ / "providers.d").string() +
                "', '" + (dir_ / "xdg/vtrun/providers.d").string() +
                "', '/etc/vtrun/providers.d' — create one of them or pass --providers DIR");
  fs::create_directories(dir_ / "xdg/vtrun/providers.d");
  EXPECT_EQ(find_providers_dir(std::nullopt), dir_ / "xdg/vtrun/providers.d");
  fs::create_directories(dir_ / "providers.d");
  EXPECT_EQ(find_providers_dir(std::nullopt), dir_ / "providers.d");

  EXPECT_EQ(find_providers_dir(dir_ / "xdg"), dir_ / "xdg");
  EXPECT_EQ(error_message<sdk::ConfigError>([&] { find_providers_dir(dir_ / "nope"); }),
            "expected --providers to name a directory, got '" + (dir_ / "nope").string() +
                "', which does not exist — create it or pass an existing directory");
}

}  // namespace
}  // namespace vt::core
