// Conformance of Testbed::copy_in and copy_out: files keep content and the executable bit,
// directories follow the trailing-slash rule, and mistakes are errors.
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

#include "conformance_util.h"
#include "vt/sdk/conformance/testbed_conformance.h"
#include "vt/sdk/error.h"

namespace vt::sdk::conformance {

int link_copy_tests() {
  return 0;
}

namespace {

namespace fs = std::filesystem;

bool host_executable(const fs::path& path) {
  std::error_code ec;
  return (fs::status(path, ec).permissions() & fs::perms::owner_exec) != fs::perms::none;
}

// "a/b/deep.txt" style paths of everything under `root` (directories end in '/').
std::set<std::string> host_listing(const fs::path& root) {
  std::set<std::string> out;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(root, ec); !ec && it != fs::end(it);
       it.increment(ec)) {
    std::string rel = fs::relative(it->path(), root).string();
    out.insert(it->is_directory() ? rel + "/" : rel);
  }
  return out;
}

// The tree copied in both directions: nested directories, an empty one, an executable.
const std::set<std::string> tree_listing = {"a/",       "a/b/",   "a/b/deep.txt",
                                            "a/run.sh", "empty/", "top.txt"};

void make_tree(const fs::path& root) {
  fs::create_directories(root / "a" / "b");
  fs::create_directories(root / "empty");
  write_host_file(root / "top.txt", "top\n");
  write_host_file(root / "a" / "b" / "deep.txt", "deep\n");
  write_host_file(root / "a" / "run.sh", "#!/bin/sh\necho hi\n");
  fs::permissions(root / "a" / "run.sh", fs::perms::owner_all | fs::perms::group_read |
                                             fs::perms::group_exec | fs::perms::others_read |
                                             fs::perms::others_exec);
}

// Expects `call` to throw E; `what` says which call it was.
template <class E>
void expect_throws(const std::function<void()>& call, const std::string& what,
                   const std::string& why) {
  try {
    call();
  } catch (const E&) {
    return;
  } catch (const std::exception& e) {
    ADD_FAILURE() << what << " threw the wrong kind of error (" << e.what() << "); " << why;
    return;
  }
  ADD_FAILURE() << what << " did not throw; " << why;
}

TEST_P(TestbedConformance, CopyInAndOutKeepsAFileAndItsExecutableBit) {
  const fs::path script = host_dir() / "tool.sh";
  write_host_file(script, "#!/bin/sh\necho tool-ran\n");
  fs::permissions(script, fs::perms::owner_all);
  const fs::path plain = host_dir() / "plain.txt";
  write_host_file(plain, "plain\n");
  fs::permissions(plain, fs::perms::owner_read | fs::perms::owner_write);

  ASSERT_NO_THROW(testbed().copy_in(script.string(), on_testbed("tool.sh")));
  ASSERT_NO_THROW(testbed().copy_in(plain.string(), on_testbed("plain.txt")));
  EXPECT_EQ(sh_ok("./tool.sh"), "tool-ran\n") << "an executable copied in must run";
  EXPECT_EQ(sh("test -x plain.txt").exit_status, 1) << "plain.txt became executable on copy_in";
  EXPECT_EQ(sh_ok("cat plain.txt"), "plain\n");

  ASSERT_NO_THROW(testbed().copy_out(on_testbed("tool.sh"), (host_dir() / "back.sh").string()));
  ASSERT_NO_THROW(testbed().copy_out(on_testbed("plain.txt"), (host_dir() / "back.txt").string()));
  EXPECT_EQ(read_host_file(host_dir() / "back.sh"), "#!/bin/sh\necho tool-ran\n");
  EXPECT_TRUE(host_executable(host_dir() / "back.sh")) << "copy_out lost the executable bit";
  EXPECT_EQ(read_host_file(host_dir() / "back.txt"), "plain\n");
  EXPECT_FALSE(host_executable(host_dir() / "back.txt")) << "copy_out added an executable bit";
}

TEST_P(TestbedConformance, CopyOfADirectoryCopiesItsContentsIntoANewDirectory) {
  make_tree(host_dir() / "tree");
  // Neither "new" nor "new/dest" exists yet: the destination is created.
  const std::string dest = on_testbed("new/dest/");
  ASSERT_NO_THROW(testbed().copy_in((host_dir() / "tree").string() + "/", dest));
  const std::string listing =
      sh_ok("cd " + shell_quote(dest) +
            " && find . | sort | while read -r p; do [ \"$p\" = . ] && continue; "
            "p=${p#./}; if [ -d \"$p\" ]; then echo \"$p/\"; else echo \"$p\"; fi; done");
  std::set<std::string> on_bed;
  for (std::size_t start = 0, end; start < listing.size(); start = end + 1) {
    end = listing.find('\n', start);
    if (end == std::string::npos) end = listing.size();
    if (end > start) on_bed.insert(listing.substr(start, end - start));
  }
  ASSERT_EQ(on_bed, tree_listing) << "copy_in('tree/', 'new/dest/') must put tree's contents "
                                     "(not 'tree' itself) into new/dest/";
  EXPECT_EQ(sh_ok("cat new/dest/a/b/deep.txt"), "deep\n");
  EXPECT_EQ(sh("test -x new/dest/a/run.sh").exit_status, 0) << "the executable bit was lost";

  const fs::path back = host_dir() / "back" / "deeper";  // does not exist yet either
  ASSERT_NO_THROW(testbed().copy_out(dest, back.string() + "/"));
  ASSERT_EQ(host_listing(back), tree_listing)
      << "copy_out('new/dest/', 'back/deeper/') must recreate the tree";
  EXPECT_EQ(read_host_file(back / "top.txt"), "top\n");
  EXPECT_EQ(read_host_file(back / "a" / "b" / "deep.txt"), "deep\n");
  EXPECT_TRUE(host_executable(back / "a" / "run.sh")) << "copy_out lost the executable bit";
}

TEST_P(TestbedConformance, CopyWithOnlyOneTrailingSlashIsAConfigError) {
  make_tree(host_dir() / "tree");
  sh_ok("mkdir -p dir && echo x > dir/f && echo y > file");
  const std::string why = "only one side ends in '/' (testbed.h: throw ConfigError)";
  const std::string tree = (host_dir() / "tree").string();
  expect_throws<ConfigError>([&] { testbed().copy_in(tree + "/", on_testbed("file")); },
                             "copy_in('tree/', 'file')", why);
  expect_throws<ConfigError>(
      [&] { testbed().copy_in((host_dir() / "tree" / "top.txt").string(), on_testbed("dir/")); },
      "copy_in('top.txt', 'dir/')", why);
  expect_throws<ConfigError>(
      [&] { testbed().copy_out(on_testbed("dir/"), (host_dir() / "file").string()); },
      "copy_out('dir/', 'file')", why);
  expect_throws<ConfigError>(
      [&] { testbed().copy_out(on_testbed("file"), (host_dir() / "outdir").string() + "/"); },
      "copy_out('file', 'outdir/')", why);
}

TEST_P(TestbedConformance, CopyOfAMissingSourceThrows) {
  const std::string why = "a missing source must throw a vt::sdk::Error naming it";
  const std::string missing = (host_dir() / "no-such-file").string();
  expect_throws<Error>([&] { testbed().copy_in(missing, on_testbed("x")); },
                       "copy_in('no-such-file', 'x')", why);
  expect_throws<Error>([&] { testbed().copy_in(missing + "/", on_testbed("xdir/")); },
                       "copy_in('no-such-file/', 'xdir/')", why);
  expect_throws<Error>(
      [&] { testbed().copy_out(on_testbed("no-such-file"), (host_dir() / "y").string()); },
      "copy_out('no-such-file', 'y')", why);
  expect_throws<Error>(
      [&] { testbed().copy_out(on_testbed("no-such-dir/"), (host_dir() / "ydir").string() + "/"); },
      "copy_out('no-such-dir/', 'ydir/')", why);
  EXPECT_FALSE(fs::exists(host_dir() / "y")) << "a failed copy_out left a file behind";
}

TEST_P(TestbedConformance, CopyRoundTripOfABinaryFileIsByteIdentical) {
  const std::string data = random_bytes(1024 * 1024, 2);
  write_host_file(host_dir() / "blob.bin", data);
  ASSERT_NO_THROW(testbed().copy_in((host_dir() / "blob.bin").string(), on_testbed("blob.bin")));
  EXPECT_EQ(sh_ok("wc -c < blob.bin | tr -d ' '"), std::to_string(data.size()) + "\n")
      << "the file on the testbed has the wrong size";
  ASSERT_NO_THROW(testbed().copy_out(on_testbed("blob.bin"), (host_dir() / "blob.back").string()));
  const std::string back = read_host_file(host_dir() / "blob.back");
  EXPECT_TRUE(back == data) << "host → testbed → host changed the file: "
                            << describe_difference(data, back);
}

TEST_P(TestbedConformance, CopyWorksFromSeveralThreadsAtOnce) {
  constexpr int threads = 4;
  std::mutex mutex;
  std::vector<std::string> problems;
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&, t] {
      const std::string name = "parallel-" + std::to_string(t);
      const std::string data = random_bytes(64 * 1024 + static_cast<std::size_t>(t), 10 + t);
      std::string problem;
      try {
        for (int round = 0; round < 3 && problem.empty(); ++round) {
          const fs::path in = host_dir() / (name + ".in");
          const fs::path out = host_dir() / (name + ".out");
          std::ofstream(in, std::ios::binary) << data;
          testbed().copy_in(in.string(), on_testbed(name));
          testbed().copy_out(on_testbed(name), out.string());
          std::ifstream back_in(out, std::ios::binary);
          const std::string back{std::istreambuf_iterator<char>(back_in), {}};
          if (back != data) problem = name + ": " + describe_difference(data, back);
        }
      } catch (const std::exception& e) {
        problem = name + ": " + e.what();
      }
      if (!problem.empty()) {
        std::lock_guard lock(mutex);
        problems.push_back(problem);
      }
    });
  }
  for (auto& w : workers) w.join();
  EXPECT_TRUE(problems.empty()) << "copy_in/copy_out must allow concurrent callers (testbed.h); "
                                << problems.size() << " of " << threads
                                << " threads went wrong, first: "
                                << (problems.empty() ? "" : problems.front());
}

}  // namespace
}  // namespace vt::sdk::conformance
