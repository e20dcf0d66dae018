// Image recipes: which folders are recipes, the error for an unknown name, and what the cache
// key (recipe_hash) depends on. Building is tested end to end (tests/e2e/image_command_test).
#include <gtest/gtest.h>

#include "support/test_support.h"
#include "vt/core/core_host.h"
#include "vt/core/images.h"

namespace vt::core {
namespace {

namespace fs = std::filesystem;

constexpr const char* build_sh =
    "#!/bin/sh\n[ \"$1\" = --inputs ] && cat \"$(dirname \"$0\")/inputs\"\n";

void make_executable(const fs::path& file) {
  fs::permissions(file, fs::perms::owner_exec, fs::perm_options::add);
}

class Images : public ::testing::Test {
 protected:
  test_support::TempDir tmp{"vtrun-images-"};
  CoreHost host{tmp.path() / "ledger", 0};

  ImageRecipe recipe(const fs::path& root, const std::string& name) {
    const auto dir = root / name;
    make_executable(test_support::write_file(dir / "build.sh", build_sh));
    test_support::write_file(dir / "inputs", "busybox 1.35\n");
    return {name, dir};
  }
  std::string hash(const ImageRecipe& r) { return recipe_hash(r, host); }
};

TEST_F(Images, RecipesAreFoldersWithAnExecutableBuildScript) {
  const auto first = tmp.path() / "first";
  const auto second = tmp.path() / "second";
  recipe(first, "tiny");
  recipe(second, "tiny");  // shadowed by first/tiny
  recipe(second, "alpine");
  test_support::write_file(first / "not-executable/build.sh", build_sh);
  test_support::write_file(first / "no-script/README", "");
  make_executable(test_support::write_file(first / ".hidden/build.sh", build_sh));
  const auto found = find_recipes({first, second});
  ASSERT_EQ(found.size(), 2u);
  EXPECT_EQ(found[0].name, "alpine");
  EXPECT_EQ(found[0].dir, second / "alpine");
  EXPECT_EQ(found[1].name, "tiny");
  EXPECT_EQ(found[1].dir, first / "tiny");
  EXPECT_EQ(find_recipe("tiny", {first, second}).dir, first / "tiny");
}

TEST_F(Images, UnknownRecipeNamesWhatWasFoundAndWhere) {
  const auto dir = tmp.path() / "recipes";
  recipe(dir, "tiny");
  const auto message = test_support::error_message<sdk::ConfigError>([&] {
    find_recipe("fedora", {dir, tmp.path() / "empty"});
  });
  EXPECT_NE(message.find("unknown image 'fedora' — recipes found: tiny; looked in: " +
                         dir.string() + ", " + (tmp.path() / "empty").string()),
            std::string::npos)
      << message;
}

TEST_F(Images, SearchPathStartsWithTheGivenDirectoryAndSkipsMissingOnes) {
  const auto path = image_search_path(tmp.path());
  ASSERT_FALSE(path.empty());
  EXPECT_EQ(path.front(), tmp.path());
  for (const auto& d : image_search_path(tmp.path() / "missing"))
    EXPECT_NE(d, tmp.path() / "missing");
}

TEST_F(Images, HashCoversFilesExecutableBitsPathsAndDeclaredInputs) {
  const auto r = recipe(tmp.path(), "tiny");
  const std::string base = hash(r);
  EXPECT_EQ(base.size(), 64u);
  EXPECT_EQ(hash(r), base) << "the hash must be stable";

  test_support::write_file(r.dir / "init", "#!/bin/sh\n");
  const std::string with_init = hash(r);
  EXPECT_NE(with_init, base);
  make_executable(r.dir / "init");
  const std::string executable_init = hash(r);
  EXPECT_NE(executable_init, with_init);
  fs::create_directories(r.dir / "sub");
  fs::rename(r.dir / "init", r.dir / "sub/init");
  EXPECT_NE(hash(r), executable_init) << "a moved file changes the hash";
  fs::remove_all(r.dir / "sub");
  EXPECT_EQ(hash(r), base);

  test_support::write_file(r.dir / "inputs", "busybox 1.36\n");  // what --inputs prints
  EXPECT_NE(hash(r), base);
}

TEST_F(Images, HashFailsWhenTheInputsCannotBeListed) {
  const auto r = recipe(tmp.path(), "tiny");
  test_support::write_file(r.dir / "build.sh",
                           "#!/bin/sh\necho dpkg-query is missing >&2\nexit 4\n");
  const auto message = test_support::error_message([&] { hash(r); });
  EXPECT_NE(message.find("image 'tiny': `build.sh --inputs` exited 4: dpkg-query is missing"),
            std::string::npos)
      << message;
}

}  // namespace
}  // namespace vt::core
