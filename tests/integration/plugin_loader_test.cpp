// The loader against real .so files: the good plugins of this build and the broken fixtures
// of tests/fixtures. Each refusal message is part of the user-facing contract.
#include <gtest/gtest.h>

#include <algorithm>

#include "support/test_support.h"
#include "vt/core/core_host.h"
#include "vt/core/plugin_registry.h"
#include "vt/sdk/error.h"
#include "vt/sdk/version.h"

namespace vt::core {
namespace {

namespace fs = std::filesystem;
using test_support::error_message;

class PluginLoaderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    registry_.load_directories({VTRUN_PLUGIN_DIR, VTRUN_FIXTURE_PLUGIN_DIR});
  }

  std::string refusal(const std::string& file) const {
    for (const auto& r : registry_.refused())
      if (r.path.filename() == file) return r.reason;
    return "<not refused>";
  }

  PluginRegistry registry_;
};

TEST_F(PluginLoaderTest, GoodPluginsLoadDespiteBrokenNeighbours) {
  EXPECT_EQ(registry_.names(sdk::PluginKind::backend),
            (std::vector<std::string>{"appengine", "local", "qemu", "throwing", "xen"}));
  EXPECT_EQ(registry_.names(sdk::PluginKind::reporter),
            (std::vector<std::string>{"console", "json", "junit"}));
  EXPECT_EQ(registry_.names(sdk::PluginKind::scheduler),
            (std::vector<std::string>{"external", "parallel", "priority", "sequential", "shard",
                                      "shuffle"}));
  const LoadedFactory* local = registry_.find(sdk::PluginKind::backend, "local");
  ASSERT_NE(local, nullptr);
  EXPECT_EQ(local->path, fs::path(VTRUN_PLUGIN_DIR) / "libvt_local.so");
  EXPECT_EQ(local->plugin, "local");
  EXPECT_EQ(registry_.refused().size(), 5u);
}

TEST_F(PluginLoaderTest, WrongAbiIsRefusedWithBothVersions) {
  const auto abi = std::to_string(sdk::abi_version);
  const auto wrong = std::to_string(sdk::abi_version + 1);
  EXPECT_EQ(refusal("libvt_fixture_wrong_abi.so"),
            "plugin 'libvt_fixture_wrong_abi.so': ABI version " + wrong + ", vtrun expects " + abi +
                " — rebuild it against vtrun-sdk " + abi + ".x");
}

TEST_F(PluginLoaderTest, WrongFingerprintIsRefusedWithBothFingerprints) {
  EXPECT_EQ(
      refusal("libvt_fixture_wrong_fingerprint.so"),
      std::string("plugin 'libvt_fixture_wrong_fingerprint.so': build fingerprint 'clang 99.0 "
                  "libc++ 1 sdk 0', vtrun has '") +
          VT_SDK_BUILD_FINGERPRINT +
          "' — rebuild it with the same compiler and standard library as vtrun");
}

TEST_F(PluginLoaderTest, MissingEntryIsRefused) {
  EXPECT_EQ(refusal("libvt_fixture_missing_entry.so"),
            "plugin 'libvt_fixture_missing_entry.so': no entry symbol 'vt_plugin_v1' — it is not "
            "a vtrun plugin, or it was built without VT_PLUGIN_ENTRY()");
}

TEST_F(PluginLoaderTest, DuplicateNameIsRefusedNamingTheFirstProvider) {
  EXPECT_EQ(refusal("libvt_fixture_duplicate_name.so"),
            "plugin 'libvt_fixture_duplicate_name.so': backend 'local' is already provided by '" +
                (fs::path(VTRUN_PLUGIN_DIR) / "libvt_local.so").string() +
                "' — rename one of them or remove one from the plugin path");
}

TEST_F(PluginLoaderTest, ThrowingManifestIsRefused) {
  EXPECT_EQ(refusal("libvt_fixture_manifest_throws.so"),
            "plugin 'libvt_fixture_manifest_throws.so': its manifest threw: fixture manifest is "
            "broken — fix the plugin");
}

TEST_F(PluginLoaderTest, FactoryThatThrowsOnCreateIsReportedWithThePluginName) {
  CoreHost host(testing::TempDir() + "/ledger", 0);
  EXPECT_EQ(error_message([&] {
              registry_.make_testbed("throwing", host, {"vm1", {}, testing::TempDir()});
            }),
            "plugin 'libvt_fixture_throws_on_create.so': creating backend 'throwing' failed: "
            "fixture backend refuses to start");
}

TEST_F(PluginLoaderTest, UnknownNameListsTheKnownOnes) {
  CoreHost host(testing::TempDir() + "/ledger", 0);
  EXPECT_EQ(error_message<sdk::ConfigError>([&] { registry_.make_reporter("nope", host, {}); }),
            "unknown reporter 'nope' — known: console, json, junit; `vtrun plugins` shows "
            "what was found and refused");
}

TEST_F(PluginLoaderTest, MissingFileAndSecondLoadAreRefused) {
  EXPECT_FALSE(registry_.load_file("/nonexistent/libvt_ghost.so"));
  EXPECT_EQ(refusal("libvt_ghost.so"),
            "plugin 'libvt_ghost.so': file '/nonexistent/libvt_ghost.so' does not exist or is not "
            "a regular file");
  EXPECT_FALSE(registry_.load_file(fs::path(VTRUN_PLUGIN_DIR) / "libvt_local.so"));
  EXPECT_EQ(registry_.refused().back().reason,
            "plugin 'libvt_local.so': already loaded from '" +
                (fs::path(VTRUN_PLUGIN_DIR) / "libvt_local.so").string() + "'");
}

TEST_F(PluginLoaderTest, ObjectsKeepTheirLibraryAlive) {
  CoreHost host(testing::TempDir() + "/ledger", 0);
  PluginPtr<sdk::Testbed> testbed;
  {
    PluginRegistry scoped;
    scoped.load_file(fs::path(VTRUN_PLUGIN_DIR) / "libvt_local.so");
    testbed = scoped.make_testbed("local", host, {"vm1", {}, testing::TempDir()});
  }
  // The registry is gone; the testbed's deleter is now the only owner of the library handle
  // (the mapping itself also stays for the process's life: RTLD_NODELETE), so its code runs.
  ASSERT_NE(testbed.get_deleter().library, nullptr);
  EXPECT_EQ(testbed.get_deleter().library.use_count(), 1);
  EXPECT_TRUE(testbed->capabilities().count(sdk::cap::parallel_safe));
  const std::string scratch = testbed->open();
  const auto r = testbed->exec({{"true"}, {}, "", "", {}, false}, nullptr);
  EXPECT_EQ(r.exit_status, 0);
  testbed->close();
  testbed.reset();
}

}  // namespace
}  // namespace vt::core
