// `vtrun image build|list` with a recipe of our own in a temporary folder and a temporary
// cache: when build.sh runs (a counter file proves it), where the build lands, what `current`
// points at, what a failure leaves.
#include <gtest/gtest.h>
#include <signal.h>

#include <future>
#include <regex>
#include <set>
#include <thread>

#include "vtrun_env.h"

namespace vt::e2e {
namespace {

// Counts its builds in $COUNTER; fails when $FAIL exists; sleeps $SLEEP seconds.
constexpr const char* toy_build_sh = R"(#!/bin/sh
if [ "${1:-}" = --inputs ]; then cat "$(dirname "$0")/inputs"; exit 0; fi
echo "toy: building into $1"
echo x >> "$COUNTER"
[ -n "${SLEEP:-}" ] && sleep "$SLEEP"
if [ -e "$FAIL" ]; then echo "toy: something broke" >&2; exit 3; fi
[ -e "$NO_JSON" ] && exit 0
echo '{"name": "toy"}' > "$1/image.json"
)";

class ImageCommand : public ::testing::Test {
 protected:
  TempDir tmp;
  fs::path recipes = tmp.path() / "recipes";
  fs::path cache = tmp.path() / "cache";
  fs::path images = cache / "images/toy";
  fs::path counter = tmp.path() / "counter";
  std::map<std::string, std::string> env{{"VTRUN_CACHE_DIR", cache.string()},
                                         {"COUNTER", counter.string()},
                                         {"FAIL", (tmp.path() / "fail").string()},
                                         {"NO_JSON", (tmp.path() / "no-json").string()}};

  void SetUp() override {
    sdk::write_file_atomic(recipes / "toy/build.sh", toy_build_sh);
    fs::permissions(recipes / "toy/build.sh", fs::perms::owner_exec, fs::perm_options::add);
    sdk::write_file_atomic(recipes / "toy/inputs", "busybox 1.35\n");
  }
  sdk::ExecResult image(const std::vector<std::string>& args) {
    std::vector<std::string> argv{"image"};
    argv.insert(argv.end(), args.begin(), args.end());
    argv.insert(argv.end(), {"--images-dir", recipes.string()});
    return run_vtrun_env(argv, tmp.path(), env);
  }
  std::size_t builds() const {
    if (!fs::exists(counter)) return 0;
    return lines_of(sdk::read_file(counter)).size();
  }
  // The build directories in the cache (named by their hash).
  std::set<std::string> hash_dirs() const {
    std::set<std::string> out;
    for (const auto& e : fs::directory_iterator(images))
      if (std::regex_match(e.path().filename().string(), std::regex("[0-9a-f]{64}")))
        out.insert(e.path().filename().string());
    return out;
  }
  fs::path current() const { return images / fs::read_symlink(images / "current"); }
  bool leftovers() const {
    for (const auto& e : fs::directory_iterator(images))
      if (e.path().filename().string().rfind(".build-", 0) == 0) return true;
    return false;
  }
};

TEST_F(ImageCommand, BuildsOnceThenIsUpToDate) {
  const auto first = image({"build", "toy"});
  ASSERT_EQ(first.exit_status, 0) << first.stdout_data << first.stderr_data;
  const fs::path dir = last_line(first.stdout_data);
  EXPECT_EQ(dir.parent_path(), images);
  EXPECT_TRUE(std::regex_match(dir.filename().string(), std::regex("[0-9a-f]{64}"))) << dir;
  EXPECT_TRUE(fs::is_regular_file(dir / "image.json"));
  EXPECT_EQ(current(), dir);
  EXPECT_EQ(builds(), 1u);
  EXPECT_NE(first.stderr_data.find("toy: building into " + (images / ".build-").string()),
            std::string::npos)
      << "build.sh's output goes to stderr: " << first.stderr_data;
  EXPECT_EQ(first.stdout_data, dir.string() + "\n");
  EXPECT_FALSE(leftovers());

  const auto second = image({"build", "toy"});
  EXPECT_EQ(second.exit_status, 0) << second.stderr_data;
  EXPECT_EQ(second.stdout_data, "image toy is up to date\n" + dir.string() + "\n");
  EXPECT_EQ(builds(), 1u) << "an up-to-date image was built again";
}

TEST_F(ImageCommand, ChangedRecipeOrInputsRebuildAndTwoBuildsAreKept) {
  const fs::path first = last_line(image({"build", "toy"}).stdout_data);
  sdk::write_file_atomic(recipes / "toy/init", "#!/bin/sh\n");
  const auto r2 = image({"build", "toy"});
  ASSERT_EQ(r2.exit_status, 0) << r2.stderr_data;
  const fs::path second = last_line(r2.stdout_data);
  EXPECT_NE(second, first);
  EXPECT_EQ(current(), second);
  EXPECT_EQ(builds(), 2u);
  EXPECT_EQ(hash_dirs(), (std::set<std::string>{first.filename(), second.filename()}));

  sdk::write_file_atomic(recipes / "toy/inputs", "busybox 1.36\n");  // a package was upgraded
  const fs::path third = last_line(image({"build", "toy"}).stdout_data);
  EXPECT_EQ(builds(), 3u);
  EXPECT_EQ(current(), third);
  EXPECT_EQ(hash_dirs(), (std::set<std::string>{second.filename(), third.filename()}))
      << "only the current build and the one before it are kept";

  // Back to the second state: still cached, so only `current` moves.
  sdk::write_file_atomic(recipes / "toy/inputs", "busybox 1.35\n");
  const auto back = image({"build", "toy"});
  EXPECT_EQ(back.stdout_data, "image toy is up to date\n" + second.string() + "\n");
  EXPECT_EQ(current(), second);
  EXPECT_EQ(builds(), 3u);
}

TEST_F(ImageCommand, ForceRebuilds) {
  const fs::path dir = last_line(image({"build", "toy"}).stdout_data);
  const auto r = image({"build", "--force", "toy"});
  EXPECT_EQ(r.exit_status, 0) << r.stderr_data;
  EXPECT_EQ(r.stdout_data, dir.string() + "\n");
  EXPECT_EQ(builds(), 2u);
  EXPECT_EQ(current(), dir);
  EXPECT_TRUE(fs::is_regular_file(dir / "image.json"));
  EXPECT_EQ(hash_dirs().size(), 1u);
  EXPECT_FALSE(leftovers());
}

TEST_F(ImageCommand, FailedBuildLeavesNothingAndKeepsCurrent) {
  const fs::path good = last_line(image({"build", "toy"}).stdout_data);
  sdk::write_file_atomic(recipes / "toy/init", "changed\n");
  sdk::write_file_atomic(tmp.path() / "fail", "");
  const auto r = image({"build", "toy"});
  EXPECT_EQ(r.exit_status, 1) << r.stdout_data << r.stderr_data;
  EXPECT_EQ(r.stdout_data, "");
  const auto output = r.stderr_data.find("toy: something broke");
  const auto error = r.stderr_data.find(
      "vtrun: error: building image 'toy' failed (build.sh exited 3); its output is above\n");
  EXPECT_NE(output, std::string::npos) << r.stderr_data;
  EXPECT_NE(error, std::string::npos) << r.stderr_data;
  EXPECT_LT(output, error);
  EXPECT_EQ(hash_dirs(), std::set<std::string>{good.filename()});
  EXPECT_FALSE(leftovers());
  EXPECT_EQ(current(), good);
}

TEST_F(ImageCommand, BuildWithoutImageJsonFails) {
  sdk::write_file_atomic(tmp.path() / "no-json", "");
  const auto r = image({"build", "toy"});
  EXPECT_EQ(r.exit_status, 1) << r.stderr_data;
  EXPECT_NE(r.stderr_data.find("build.sh exited 0 but left no image.json"), std::string::npos)
      << r.stderr_data;
  EXPECT_TRUE(hash_dirs().empty());
  EXPECT_FALSE(leftovers());
  EXPECT_FALSE(fs::exists(images / "current"));
}

TEST_F(ImageCommand, ConcurrentBuildsOfOneImageBuildItOnce) {
  env["SLEEP"] = "1";
  auto a = std::async(std::launch::async, [&] { return image({"build", "toy"}); });
  auto b = std::async(std::launch::async, [&] { return image({"build", "toy"}); });
  const auto ra = a.get();
  const auto rb = b.get();
  EXPECT_EQ(ra.exit_status, 0) << ra.stderr_data;
  EXPECT_EQ(rb.exit_status, 0) << rb.stderr_data;
  EXPECT_EQ(last_line(ra.stdout_data), last_line(rb.stdout_data));
  EXPECT_EQ(builds(), 1u);
  const bool one_waited = ra.stdout_data.find("is up to date") != std::string::npos ||
                          rb.stdout_data.find("is up to date") != std::string::npos;
  EXPECT_TRUE(one_waited) << ra.stdout_data << rb.stdout_data;
}

TEST_F(ImageCommand, InterruptedBuildStopsAndLeavesNothing) {
  env["SLEEP"] = "60";
  sdk::ExecRequest req;
  req.argv = {vtrun_binary().string(), "image", "build", "toy", "--images-dir", recipes.string()};
  req.env = env;
  auto vtrun = core::spawn_process(req, nullptr);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (builds() == 0 && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  ASSERT_EQ(builds(), 1u) << "build.sh did not start";
  const auto started = std::chrono::steady_clock::now();
  kill(vtrun->pid(), SIGINT);
  const auto status = vtrun->wait(std::chrono::seconds(20));
  ASSERT_TRUE(status.has_value()) << "vtrun ignored SIGINT during a build";
  EXPECT_EQ(*status, 1);
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(10));
  EXPECT_TRUE(hash_dirs().empty());
  EXPECT_FALSE(leftovers());
}

TEST_F(ImageCommand, UnknownImageNamesTheRecipesAndWhereItLooked) {
  const auto r = image({"build", "fedora"});
  EXPECT_EQ(r.exit_status, 2);
  EXPECT_NE(r.stderr_data.find("vtrun: error: unknown image 'fedora' — recipes found: "),
            std::string::npos)
      << r.stderr_data;
  EXPECT_NE(r.stderr_data.find("toy"), std::string::npos) << r.stderr_data;
  EXPECT_NE(r.stderr_data.find("looked in: " + recipes.string()), std::string::npos)
      << r.stderr_data;
  EXPECT_EQ(builds(), 0u);
}

TEST_F(ImageCommand, RecipesAreFoundThroughTheEnvironmentToo) {
  env["VTRUN_IMAGES_DIR"] = recipes.string();
  const auto r = run_vtrun_env({"image", "build", "toy"}, tmp.path(), env);
  EXPECT_EQ(r.exit_status, 0) << r.stderr_data;
  EXPECT_EQ(fs::path(last_line(r.stdout_data)).parent_path(), images);
}

TEST_F(ImageCommand, ListShowsBuiltStaleAndNotBuilt) {
  auto toy_line = [&] {
    const auto r = image({"list"});
    EXPECT_EQ(r.exit_status, 0) << r.stderr_data;
    for (const auto& line : lines_of(r.stdout_data))
      if (line.rfind("toy\t", 0) == 0) return line;
    return std::string("<no toy line in>\n" + r.stdout_data);
  };
  EXPECT_EQ(toy_line(), "toy\tnot built\t" + (recipes / "toy").string());
  const std::string dir = last_line(image({"build", "toy"}).stdout_data);
  EXPECT_EQ(toy_line(), "toy\tbuilt\t" + dir);
  sdk::write_file_atomic(recipes / "toy/inputs", "busybox 1.36\n");
  EXPECT_EQ(toy_line(), "toy\tstale\t" + dir);
  EXPECT_EQ(builds(), 1u) << "list never builds";
}

}  // namespace
}  // namespace vt::e2e
