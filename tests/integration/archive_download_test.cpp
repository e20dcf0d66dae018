// http(s) archive providers against a real HTTP server on 127.0.0.1 (Python's http.server,
// which answers If-Modified-Since with 304 and logs every request before answering it):
// download, conditional requests, changed archives, errors, offline and unreachable fallbacks,
// malicious downloads and pins.
#include <archive.h>
#include <archive_entry.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "providers/uri.h"
#include "support/loopback_servers.h"
#include "support/test_support.h"
#include "vt/core/provider_fetch.h"
#include "vt/core/sha256.h"
#include "vt/sdk/error.h"

namespace vt::core {
namespace {

namespace fs = std::filesystem;
using test_support::error_message;

constexpr const char* python = "/usr/bin/python3";

// Python's http.server on 127.0.0.1 (support/loopback_servers.h), its requests counted from
// its log.
class HttpServer {
 public:
  HttpServer(const fs::path& dir, const fs::path& log)
      : server_(test_support::start_http_server(dir, log)), log_(log) {}

  void stop() { server_->stop(); }
  std::string url(const std::string& name) const {
    return "http://127.0.0.1:" + std::to_string(server_->port()) + "/" + name;
  }
  /// The requests for /`name` answered with `status`, as the server logged them.
  int requests(const std::string& name, int status) const {
    std::ifstream in(log_);
    const std::string wanted = "\"GET /" + name + " HTTP/1.1\" " + std::to_string(status) + " ";
    int count = 0;
    for (std::string line; std::getline(in, line);) count += line.find(wanted) != std::string::npos;
    return count;
  }
  /// Every request the server logged.
  int all_requests() const {
    std::ifstream in(log_);
    int count = 0;
    for (std::string line; std::getline(in, line);)
      count += line.find("\"GET /") != std::string::npos;
    return count;
  }

 private:
  std::unique_ptr<test_support::LoopbackServer> server_;
  fs::path log_;
};

struct Entry {
  std::string name;
  std::string content;
};

// A .tar.gz written with libarchive; `age_offset` moves its mtime, so that Python's
// second-resolution Last-Modified sees a rewrite within the same second as a change.
void make_tar_gz(const fs::path& file, const std::vector<Entry>& entries, int age_offset = 0) {
  const auto before = fs::exists(file) ? fs::last_write_time(file) : fs::file_time_type{};
  archive* a = archive_write_new();
  archive_write_set_format_pax_restricted(a);
  archive_write_add_filter_gzip(a);
  ASSERT_EQ(archive_write_open_filename(a, file.c_str()), ARCHIVE_OK) << archive_error_string(a);
  for (const auto& e : entries) {
    archive_entry* entry = archive_entry_new();
    archive_entry_set_pathname(entry, e.name.c_str());
    const bool dir = e.name.ends_with("/");
    archive_entry_set_filetype(entry, dir ? AE_IFDIR : AE_IFREG);
    archive_entry_set_perm(entry, dir ? 0755 : 0644);
    archive_entry_set_size(entry, static_cast<la_int64_t>(e.content.size()));
    ASSERT_EQ(archive_write_header(a, entry), ARCHIVE_OK) << archive_error_string(a);
    if (!e.content.empty()) archive_write_data(a, e.content.data(), e.content.size());
    archive_entry_free(entry);
  }
  archive_write_close(a);
  archive_write_free(a);
  if (age_offset != 0) fs::last_write_time(file, before + std::chrono::seconds(age_offset));
}

std::string read(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// The names directly in `dir`, sorted.
std::vector<std::string> names_in(const fs::path& dir) {
  std::vector<std::string> out;
  for (const auto& entry : fs::directory_iterator(dir)) out.push_back(entry.path().filename());
  std::sort(out.begin(), out.end());
  return out;
}

class ArchiveDownload : public ::testing::Test {
 protected:
  test_support::TempDir tmp{"vtrun-download-"};
  fs::path served = tmp.path() / "served";
  fs::path cache = tmp.path() / "cache";
  std::unique_ptr<HttpServer> server;
  std::vector<std::string> notices;

  void SetUp() override {
    if (!fs::exists(python)) GTEST_SKIP() << "no " << python << " to serve the archives";
    ASSERT_EQ(setenv("VTRUN_CACHE_DIR", cache.c_str(), 1), 0);
    // A proxy from the environment must not see the requests to 127.0.0.1.
    setenv("no_proxy", "127.0.0.1,localhost", 1);
    setenv("NO_PROXY", "127.0.0.1,localhost", 1);
    fs::create_directories(served);
    server = std::make_unique<HttpServer>(served, tmp.path() / "server.log");
  }
  void TearDown() override {
    server.reset();
    unsetenv("VTRUN_CACHE_DIR");
  }

  // A release tarball: everything under tests-<version>/.
  void serve_release(const std::string& version, int age_offset = 0) {
    make_tar_gz(served / "tests.tar.gz",
                {{"tests-" + version + "/", ""},
                 {"tests-" + version + "/vtrun.toml", "# version " + version + "\n"}},
                age_offset);
  }
  Provider provider(const std::string& file = "tests.tar.gz", const std::string& name = "rel") {
    Provider p;
    p.name = name;
    p.definition = tmp.path() / (name + ".toml");
    p.uri_line = 3;
    p.uri = classify_uri(server->url(file), p.definition, p.uri_line);
    return p;
  }
  FetchPolicy policy(bool offline = false) {
    FetchPolicy p;
    p.offline = offline;
    p.notice = [this](const std::string& message) { notices.push_back(message); };
    return p;
  }
  fs::path provider_dir(const std::string& name = "rel") const {
    return cache / "providers" / name;
  }
};

TEST_F(ArchiveDownload, DownloadsAndExtractsWithTheSingleTopLevelDirectoryAsRoot) {
  serve_release("1.0");
  const Provider p = provider();
  ASSERT_EQ(p.uri.kind, UriKind::archive);
  const ProviderRevision revision = resolve_provider(p, policy());
  EXPECT_EQ(revision.sha256, sha256_of_file(served / "tests.tar.gz"));
  EXPECT_EQ(revision.root, provider_dir() / revision.sha256 / "tests-1.0");
  EXPECT_EQ(read(revision.root / "vtrun.toml"), "# version 1.0\n");
  EXPECT_EQ(revision.resolved_from, "archive");
  EXPECT_FALSE(revision.from_cache);
  EXPECT_EQ(names_in(provider_dir() / "download"),
            (std::vector<std::string>{"archive.meta", "archive.tar.gz"}));
  EXPECT_EQ(server->requests("tests.tar.gz", 200), 1);
  EXPECT_TRUE(notices.empty());
}

TEST_F(ArchiveDownload, ASecondResolveAsksConditionallyAndDownloadsNothing) {
  serve_release("1.0");
  const Provider p = provider();
  const ProviderRevision first = resolve_provider(p, policy());
  const fs::path download = provider_dir() / "download/archive.tar.gz";
  const auto downloaded_at = fs::last_write_time(download);
  std::ofstream(first.root / "marker") << "x";

  const ProviderRevision second = resolve_provider(p, policy());
  EXPECT_EQ(second.root, first.root);
  EXPECT_EQ(second.sha256, first.sha256);
  EXPECT_FALSE(second.from_cache) << "the server was asked";
  EXPECT_TRUE(fs::exists(second.root / "marker")) << "not extracted again";
  EXPECT_EQ(fs::last_write_time(download), downloaded_at) << "not downloaded again";
  EXPECT_EQ(server->requests("tests.tar.gz", 200), 1);
  EXPECT_EQ(server->requests("tests.tar.gz", 304), 1);
}

TEST_F(ArchiveDownload, AChangedArchiveOnTheServerGetsANewDirectory) {
  serve_release("1.0");
  const Provider p = provider();
  const ProviderRevision first = resolve_provider(p, policy());
  serve_release("1.1", 10);
  const ProviderRevision second = resolve_provider(p, policy());
  EXPECT_NE(second.sha256, first.sha256);
  EXPECT_EQ(second.sha256, sha256_of_file(served / "tests.tar.gz"));
  EXPECT_EQ(second.root, provider_dir() / second.sha256 / "tests-1.1");
  EXPECT_TRUE(fs::is_directory(first.root)) << "the earlier extraction stays for pins";
  EXPECT_EQ(server->requests("tests.tar.gz", 200), 2);
}

TEST_F(ArchiveDownload, AMissingArchiveIsUnavailableNamingTheUrlAndTheStatus) {
  const Provider p = provider("missing.tar.gz");
  const std::string message =
      error_message<sdk::UnavailableError>([&] { resolve_provider(p, policy()); });
  EXPECT_NE(message.find("provider 'rel' (" + p.definition.string() + ":3)"), std::string::npos)
      << message;
  EXPECT_NE(message.find("'" + server->url("missing.tar.gz") + "'"), std::string::npos) << message;
  EXPECT_NE(message.find("HTTP 404"), std::string::npos) << message;
  EXPECT_EQ(names_in(provider_dir() / "download"), std::vector<std::string>{}) << "no .partial";
}

TEST_F(ArchiveDownload, AStoppedServerFallsBackToTheLastDownloadWithANotice) {
  serve_release("1.0");
  const Provider p = provider();
  const ProviderRevision first = resolve_provider(p, policy());
  server->stop();
  const ProviderRevision second = resolve_provider(p, policy());
  EXPECT_EQ(second.root, first.root);
  EXPECT_EQ(second.sha256, first.sha256);
  EXPECT_TRUE(second.from_cache);
  ASSERT_EQ(notices.size(), 1u);
  EXPECT_NE(
      notices[0].find("provider 'rel': cannot download '" + server->url("tests.tar.gz") + "' ("),
      std::string::npos)
      << notices[0];
  EXPECT_NE(notices[0].find("); using the copy downloaded on 20"), std::string::npos) << notices[0];

  // Never downloaded: nothing to fall back to.
  const std::string message = error_message<sdk::UnavailableError>(
      [&] { resolve_provider(provider("tests.tar.gz", "other"), policy()); });
  EXPECT_NE(message.find("cannot download the archive '" + server->url("tests.tar.gz") + "'"),
            std::string::npos)
      << message;
  EXPECT_NE(message.find("no earlier download is cached — check the uri"), std::string::npos)
      << message;
}

TEST_F(ArchiveDownload, OfflineUsesTheLastDownloadWithoutARequest) {
  serve_release("1.0");
  const Provider p = provider();
  const ProviderRevision first = resolve_provider(p, policy());
  ASSERT_EQ(server->all_requests(), 1);
  const ProviderRevision offline = resolve_provider(p, policy(true));
  EXPECT_EQ(offline.root, first.root);
  EXPECT_TRUE(offline.from_cache);
  ASSERT_EQ(notices.size(), 1u);
  EXPECT_NE(notices[0].find("provider 'rel': offline — using the archive downloaded on 20"),
            std::string::npos)
      << notices[0];

  const Provider other = provider("tests.tar.gz", "other");
  const std::string message =
      error_message<sdk::UnavailableError>([&] { resolve_provider(other, policy(true)); });
  EXPECT_NE(message.find("provider 'other' (" + other.definition.string() +
                         ":3): offline, and "
                         "the archive '" +
                         server->url("tests.tar.gz") +
                         "' was never downloaded — run once without --offline"),
            std::string::npos)
      << message;
  EXPECT_EQ(server->all_requests(), 1) << "offline asks no server";
}

TEST_F(ArchiveDownload, AMaliciousDownloadIsRefusedAndTheLastGoodCopyStays) {
  serve_release("1.0");
  const Provider p = provider();
  const ProviderRevision good = resolve_provider(p, policy());
  make_tar_gz(served / "tests.tar.gz", {{"ok", "x"}, {"../evil", "evil"}}, 10);

  const std::string message =
      error_message<sdk::ConfigError>([&] { resolve_provider(p, policy()); });
  EXPECT_NE(message.find("rel.toml:3: provider 'rel'"), std::string::npos) << message;
  EXPECT_NE(message.find("refusing the whole archive"), std::string::npos) << message;
  EXPECT_EQ(server->requests("tests.tar.gz", 200), 2) << "it was downloaded";
  for (const auto& entry : fs::recursive_directory_iterator(cache))
    EXPECT_NE(entry.path().filename(), "evil") << entry.path();
  std::vector<std::string> kept = {".lock", good.sha256, "download"};
  std::sort(kept.begin(), kept.end());
  EXPECT_EQ(names_in(provider_dir()), kept) << "no extraction of the bad download";
  EXPECT_EQ(names_in(provider_dir() / "download"),
            (std::vector<std::string>{"archive.meta", "archive.tar.gz"}));
  const ProviderRevision offline = resolve_provider(p, policy(true));
  EXPECT_EQ(offline.sha256, good.sha256) << "the last good copy";
  EXPECT_EQ(offline.root, good.root);
}

TEST_F(ArchiveDownload, AMaliciousFirstDownloadKeepsNothing) {
  make_tar_gz(served / "evil.tar.gz", {{"../evil", "evil"}});
  const Provider p = provider("evil.tar.gz");
  const std::string message =
      error_message<sdk::ConfigError>([&] { resolve_provider(p, policy()); });
  EXPECT_NE(message.find("refusing the whole archive"), std::string::npos) << message;
  EXPECT_EQ(names_in(provider_dir() / "download"), std::vector<std::string>{});
  EXPECT_EQ(names_in(provider_dir()), (std::vector<std::string>{".lock", "download"}));
  EXPECT_NE(error_message<sdk::UnavailableError>([&] {
              resolve_provider(p, policy(true));
            }).find("was never downloaded"),
            std::string::npos);
}

TEST_F(ArchiveDownload, APinSelectsTheOlderExtractionWithoutAskingTheServer) {
  serve_release("1.0");
  const Provider p = provider();
  const ProviderRevision older = resolve_provider(p, policy());
  serve_release("1.1", 10);
  const ProviderRevision newer = resolve_provider(p, policy());
  ASSERT_NE(newer.sha256, older.sha256);
  const int requests = server->all_requests();

  FetchPolicy pinned = policy();
  pinned.pin = older.sha256;
  const ProviderRevision replayed = resolve_provider(p, pinned);
  EXPECT_EQ(replayed.sha256, older.sha256);
  EXPECT_EQ(replayed.root, older.root);
  EXPECT_EQ(read(replayed.root / "vtrun.toml"), "# version 1.0\n");
  EXPECT_TRUE(replayed.from_cache);
  EXPECT_EQ(server->all_requests(), requests);

  // A pin the cache no longer holds: the server's archive is not it.
  pinned.pin = std::string(64, '0');
  const std::string message = error_message<sdk::ConfigError>([&] { resolve_provider(p, pinned); });
  EXPECT_NE(message.find("expected the archive with SHA-256 " + *pinned.pin +
                         " (recorded by the job), got " + newer.sha256),
            std::string::npos)
      << message;
}

}  // namespace
}  // namespace vt::core
