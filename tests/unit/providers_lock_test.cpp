// providers.lock: written and read back, stale entries explained, damaged files named by line.
#include <gtest/gtest.h>

#include "providers/uri.h"
#include "support/test_support.h"
#include "vt/core/providers_lock.h"
#include "vt/sdk/error.h"

namespace vt::core {
namespace {

namespace fs = std::filesystem;
using test_support::error_message;

class ProvidersLockTest : public ::testing::Test {
 protected:
  test_support::TempDir tmp{"vt_lock_"};

  Provider provider(const std::string& uri, const std::string& branch, const std::string& ref) {
    Provider p;
    p.name = "org";
    p.definition = tmp.path() / "providers.d/org.ini";
    p.uri_line = 2;
    p.uri = classify_uri(uri, p.definition, 2);
    p.branch = branch;
    p.ref = ref;
    return p;
  }
};

TEST_F(ProvidersLockTest, LivesNextToProvidersDir) {
  EXPECT_EQ(providers_lock_path("/etc/vtrun/providers.d"), "/etc/vtrun/providers.lock");
  EXPECT_EQ(providers_lock_path("/etc/vtrun/providers.d/"), "/etc/vtrun/providers.lock");
}

TEST_F(ProvidersLockTest, RoundTripsEveryField) {
  ProvidersLock lock;
  lock.file = tmp.path() / "providers.lock";
  const Provider p = provider("git://127.0.0.1/tests.git", "main", "v1");
  ProviderRevision r;
  r.commit = std::string(40, 'a');
  r.tag_object = std::string(40, 'b');
  r.signer = "ABCDEF Alice <a@example.org>";
  LockEntry entry = ProvidersLock::entry_for(p, r);
  entry.updated = "2026-12-01T00:00:00Z";
  lock.providers["org"] = entry;
  write_providers_lock(lock);

  const ProvidersLock back = read_providers_lock(lock.file);
  ASSERT_EQ(back.providers.size(), 1U);
  const LockEntry& e = back.providers.at("org");
  EXPECT_EQ(e.uri, "git://127.0.0.1/tests.git");
  EXPECT_EQ(e.branch, "main");
  EXPECT_EQ(e.ref, "v1");
  EXPECT_EQ(e.revision.commit, r.commit);
  EXPECT_EQ(e.revision.tag_object, r.tag_object);
  EXPECT_EQ(e.revision.signer, r.signer);
  EXPECT_EQ(e.updated, "2026-12-01T00:00:00Z");
  EXPECT_GT(e.line, 0);
  EXPECT_EQ(ProvidersLock::stale_because(e, p), "");
  EXPECT_EQ(ProvidersLock::stale_because(e, provider("git://127.0.0.1/tests.git", "main", "v2")),
            "'ref' is now 'v2', the lock has 'v1'");
  EXPECT_EQ(back.find(p), &back.providers.at("org"));
}

TEST_F(ProvidersLockTest, MissingFileIsAnEmptyLock) {
  EXPECT_TRUE(read_providers_lock(tmp.path() / "none.lock").providers.empty());
}

TEST_F(ProvidersLockTest, DamagedFilesAreErrorsWithTheirLine) {
  const auto file = tmp.path() / "providers.lock";
  test_support::write_file(file, "version = 2\n");
  EXPECT_EQ(error_message<sdk::ConfigError>([&] { read_providers_lock(file); }),
            file.string() +
                ":1: expected version = 1, got 2 — this vtrun cannot read it; run `vtrun "
                "providers update` to rewrite it");
  test_support::write_file(file, "version = 1\n[provider.org]\nuri = \"x\"\ncommit = 3\n");
  EXPECT_NE(error_message<sdk::ConfigError>([&] {
              read_providers_lock(file);
            }).find(file.string() + ":4: expected 'commit' to be a string"),
            std::string::npos);
  test_support::write_file(file, "version = 1\n[provider.org]\nuri = \"x\"\ncomit = \"a\"\n");
  EXPECT_NE(error_message<sdk::ConfigError>([&] { read_providers_lock(file); }).find("'comit'"),
            std::string::npos);
}

}  // namespace
}  // namespace vt::core
