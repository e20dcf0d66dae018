// Provider caches: checkouts and extractions unused for two weeks go, and so do temporaries a
// killed vtrun left; what is in use, recent, or not a cache entry stays.
#include <gtest/gtest.h>

#include "providers/cache_pruning.h"
#include "support/test_support.h"

namespace vt::core {
namespace {

namespace fs = std::filesystem;

void age(const fs::path& p, std::chrono::hours by) {
  fs::last_write_time(p, fs::file_time_type::clock::now() - by);
}

TEST(CachePruning, RemovesOnlyOldUnusedEntriesAndStaleTemporaries) {
  test_support::TempDir tmp("vt_prune_");
  const fs::path parent = tmp.path();
  const std::string a(40, 'a'), b(40, 'b'), c(40, 'c');
  for (const auto& d : {a, b, c, std::string("download"), a + ".partial-x1", b + ".partial-x2"})
    fs::create_directories(parent / d);
  test_support::write_file(parent / (c + ".tar-42"), "x");
  const auto old = unused_cache_entry_age + std::chrono::hours(1);
  age(parent / a, old);                                       // in use now: kept whatever its age
  age(parent / b, old);                                       // unused for too long: removed
  age(parent / "download", old);                              // not an entry: kept
  age(parent / (a + ".partial-x1"), std::chrono::hours(25));  // a killed run's: removed
  age(parent / (c + ".tar-42"), std::chrono::hours(25));
  touch_cache_entry(parent / a);
  prune_cache_entries(parent, parent / a, [](const std::string& n) { return n.size() == 40; });
  EXPECT_TRUE(fs::exists(parent / a));
  EXPECT_FALSE(fs::exists(parent / b));
  EXPECT_TRUE(fs::exists(parent / c));  // recent
  EXPECT_TRUE(fs::exists(parent / "download"));
  EXPECT_FALSE(fs::exists(parent / (a + ".partial-x1")));
  EXPECT_TRUE(fs::exists(parent / (b + ".partial-x2")));  // may still be written
  EXPECT_FALSE(fs::exists(parent / (c + ".tar-42")));
  EXPECT_LT(fs::file_time_type::clock::now() - fs::last_write_time(parent / a),
            std::chrono::hours(1));
}

}  // namespace
}  // namespace vt::core
