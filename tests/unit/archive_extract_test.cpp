// Provider archives: every format extracts, and every kind of malicious entry is refused with
// nothing written outside the destination (nor the destination itself left behind).
#include <archive.h>
#include <archive_entry.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include <fstream>
#include <string>
#include <vector>

#include "providers/archive_extract.h"
#include "support/test_support.h"
#include "vt/core/provider.h"
#include "vt/sdk/error.h"

namespace vt::core {
namespace {

namespace fs = std::filesystem;
using test_support::error_message;

struct Entry {
  std::string name{};
  mode_t type = AE_IFREG;
  std::string content{};  // files
  std::string link{};     // symlink target (AE_IFLNK) or hard link target (AE_IFREG)
};

enum class Kind { tar, tar_gz, tar_xz, tar_zst, zip };

// A real archive, written with libarchive.
void make_archive(const fs::path& file, Kind kind, const std::vector<Entry>& entries) {
  archive* a = archive_write_new();
  if (kind == Kind::zip) {
    archive_write_set_format_zip(a);
  } else {
    archive_write_set_format_pax_restricted(a);
    if (kind == Kind::tar_gz) archive_write_add_filter_gzip(a);
    if (kind == Kind::tar_xz) archive_write_add_filter_xz(a);
    if (kind == Kind::tar_zst) archive_write_add_filter_zstd(a);
  }
  ASSERT_EQ(archive_write_open_filename(a, file.c_str()), ARCHIVE_OK) << archive_error_string(a);
  for (const auto& e : entries) {
    archive_entry* entry = archive_entry_new();
    archive_entry_set_pathname(entry, e.name.c_str());
    archive_entry_set_filetype(entry, e.type);
    archive_entry_set_perm(entry, e.type == AE_IFDIR ? 0755 : 0644);
    if (e.type == AE_IFLNK) archive_entry_set_symlink(entry, e.link.c_str());
    if (e.type == AE_IFCHR) archive_entry_set_rdev(entry, makedev(1, 3));
    if (e.type == AE_IFREG && !e.link.empty()) archive_entry_set_hardlink(entry, e.link.c_str());
    if (e.type == AE_IFREG && e.link.empty())
      archive_entry_set_size(entry, static_cast<la_int64_t>(e.content.size()));
    ASSERT_EQ(archive_write_header(a, entry), ARCHIVE_OK) << archive_error_string(a);
    if (!e.content.empty()) archive_write_data(a, e.content.data(), e.content.size());
    archive_entry_free(entry);
  }
  archive_write_close(a);
  archive_write_free(a);
}

std::string read(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// Every path under `dir`, relative, sorted.
std::vector<std::string> tree(const fs::path& dir) {
  std::vector<std::string> out;
  for (auto it = fs::recursive_directory_iterator(dir); it != fs::end(it); ++it)
    out.push_back(it->path().lexically_relative(dir).string());
  std::sort(out.begin(), out.end());
  return out;
}

class ArchiveExtract : public ::testing::Test {
 protected:
  test_support::TempDir tmp{"vtrun-archive-"};
  // The destination is nested, so "outside" has room: tmp/area/dest, tmp/area/…
  fs::path area = tmp.path() / "area";
  fs::path dest = area / "dest";
  void SetUp() override { fs::create_directories(area); }
};

TEST_F(ArchiveExtract, EveryFormatExtractsFilesDirectoriesAndInnerLinks) {
  const std::vector<Entry> entries = {{"tests", AE_IFDIR},
                                      {"tests/run.sh", AE_IFREG, "#!/bin/sh\necho hi\n"},
                                      {"tests/cfg/a.cfg", AE_IFREG, "variants:\n"},
                                      {"tests/latest", AE_IFLNK, "", "cfg/a.cfg"},
                                      {"top-link", AE_IFLNK, "", "tests/../tests/run.sh"}};
  for (auto [kind, suffix] : {std::pair{Kind::tar, ".tar"}, std::pair{Kind::tar_gz, ".tar.gz"},
                              std::pair{Kind::tar_xz, ".tar.xz"},
                              std::pair{Kind::tar_zst, ".tar.zst"}, std::pair{Kind::zip, ".zip"}}) {
    SCOPED_TRACE(suffix);
    const fs::path file = tmp.path() / (std::string("p") + suffix);
    make_archive(file, kind, entries);
    const fs::path to = area / (std::string("out") + suffix);
    const ExtractReport report = extract_archive(file, to);
    EXPECT_EQ(report.entries, entries.size());
    EXPECT_EQ(read(to / "tests/run.sh"), "#!/bin/sh\necho hi\n");
    EXPECT_EQ(read(to / "tests/latest"), "variants:\n") << "an inner link works";
    EXPECT_EQ(read(to / "top-link"), "#!/bin/sh\necho hi\n");
  }
}

TEST_F(ArchiveExtract, MaliciousEntriesAreRefusedAndNothingIsWritten) {
  const std::string absolute = (tmp.path() / "evil-absolute").string();
  const std::vector<std::pair<std::string, std::vector<Entry>>> cases = {
      {"absolute path", {{"ok", AE_IFREG, "x"}, {absolute, AE_IFREG, "evil"}}},
      {"dot-dot", {{"ok", AE_IFREG, "x"}, {"../evil", AE_IFREG, "evil"}}},
      {"dot-dot inside", {{"a/../../evil", AE_IFREG, "evil"}}},
      {"device", {{"null", AE_IFCHR}}},
      {"fifo", {{"pipe", AE_IFIFO}}},
      {"absolute symlink", {{"passwd", AE_IFLNK, "", "/etc/passwd"}}},
      {"escaping symlink", {{"up", AE_IFLNK, "", "../.."}}},
      {"write through a link", {{"l", AE_IFLNK, "", "."}, {"l/../evil", AE_IFREG, "evil"}}},
      {"link through a link", {{"a", AE_IFLNK, "", "."}, {"b", AE_IFLNK, "", "a/.."}}},
      {"hard link outside", {{"h", AE_IFREG, "", "../outside"}}},
  };
  std::ofstream(area / "outside") << "keep";
  for (const auto& [what, entries] : cases) {
    SCOPED_TRACE(what);
    const fs::path file = tmp.path() / "bad.tar";
    fs::remove(file);
    make_archive(file, Kind::tar, entries);
    const std::string message = error_message([&] { extract_archive(file, dest); });
    EXPECT_NE(message.find("refusing the whole archive"), std::string::npos) << message;
    EXPECT_NE(message.find("bad.tar"), std::string::npos) << message;
    EXPECT_FALSE(fs::exists(dest)) << "a refused archive leaves no destination";
    EXPECT_EQ(tree(area), std::vector<std::string>{"outside"}) << "written next to dest";
    EXPECT_EQ(read(area / "outside"), "keep");
    EXPECT_FALSE(fs::exists(absolute));
  }
}

TEST_F(ArchiveExtract, DamagedArchivesAndExistingDestinationsAreErrors) {
  std::ofstream(tmp.path() / "junk.tar.gz") << "not an archive at all";
  EXPECT_THROW(extract_archive(tmp.path() / "junk.tar.gz", dest), sdk::Error);
  EXPECT_FALSE(fs::exists(dest));
  EXPECT_THROW(extract_archive(tmp.path() / "missing.tar", dest), sdk::Error);
  make_archive(tmp.path() / "ok.tar", Kind::tar, {{"f", AE_IFREG, "x"}});
  fs::create_directories(dest);
  const std::string message = error_message([&] { extract_archive(tmp.path() / "ok.tar", dest); });
  EXPECT_NE(message.find("exists already"), std::string::npos) << message;
}

// A provider whose uri is a local archive: extracted once into the cache, keyed by content.
TEST_F(ArchiveExtract, AFileArchiveProviderIsExtractedOnceIntoTheCache) {
  const fs::path cache = tmp.path() / "cache";
  ASSERT_EQ(setenv("VTRUN_CACHE_DIR", (cache / "vtrun").c_str(), 1), 0);
  make_archive(
      tmp.path() / "tests-1.0.tar.gz", Kind::tar_gz,
      {{"tests-1.0", AE_IFDIR},
       {"tests-1.0/vtrun.toml", AE_IFREG, "[[test]]\nname = \"a\"\ncommand = \"true\"\n"}});
  Provider provider;
  provider.name = "release";
  provider.definition = tmp.path() / "release.toml";
  provider.uri_line = 2;
  provider.uri = {"file://" + (tmp.path() / "tests-1.0.tar.gz").string(), UriKind::archive, "file",
                  tmp.path() / "tests-1.0.tar.gz"};
  const fs::path root = provider_root(provider);
  EXPECT_EQ(root.filename(), "tests-1.0") << "a single top-level directory is the root";
  EXPECT_EQ(root.parent_path().parent_path(), cache / "vtrun/providers/release");
  EXPECT_TRUE(fs::is_regular_file(root / "vtrun.toml"));
  // Cached: the same directory, not extracted again (a marker survives).
  std::ofstream(root / "marker") << "x";
  EXPECT_EQ(provider_root(provider), root);
  EXPECT_TRUE(fs::exists(root / "marker"));
  // A malicious archive is the provider's error, with file:line.
  make_archive(tmp.path() / "tests-1.0.tar.gz", Kind::tar_gz, {{"../evil", AE_IFREG, "x"}});
  const std::string message = error_message([&] { provider_root(provider); });
  EXPECT_NE(message.find("release.toml:2: provider 'release'"), std::string::npos) << message;
  EXPECT_NE(message.find("refusing the whole archive"), std::string::npos) << message;
  unsetenv("VTRUN_CACHE_DIR");
}

}  // namespace
}  // namespace vt::core
