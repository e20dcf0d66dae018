// Atomic files and links, and the job directory layout.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <regex>

#include "support/test_support.h"
#include "vt/core/atomic_file.h"
#include "vt/core/job_dir.h"
#include "vt/sdk/error.h"

namespace vt::core {
namespace {

namespace fs = std::filesystem;

using test_support::error_message;

class FilesTest : public testing::Test {
 protected:
  // Every entry of `dir`, by name: shows leftover temporary files.
  static std::vector<std::string> names_in(const fs::path& dir) {
    std::vector<std::string> names;
    for (const auto& entry : fs::directory_iterator(dir))
      names.push_back(entry.path().filename().string());
    std::sort(names.begin(), names.end());
    return names;
  }

  const test_support::TempDir tmp_{"vt_jobdir_"};
  const fs::path dir_ = tmp_.path();
};

using Names = std::vector<std::string>;

TEST_F(FilesTest, WriteFileAtomicCreatesParentsAndReplacesContent) {
  const fs::path file = dir_ / "a" / "b" / "c.txt";
  write_file_atomic(file, "first version\n");
  EXPECT_EQ(read_file(file), "first version\n");
  write_file_atomic(file, "2");
  EXPECT_EQ(read_file(file), "2");
  write_file_atomic(file, "");
  EXPECT_EQ(read_file(file), "");
  EXPECT_EQ(fs::file_size(file), 0u);
  const std::string binary("\0\xff\n\r", 4);
  write_file_atomic(file, binary);
  EXPECT_EQ(read_file(file), binary);
  EXPECT_EQ(names_in(dir_ / "a" / "b"), (Names{"c.txt"}));
}

TEST_F(FilesTest, WriteFileAtomicUnderARegularFileThrowsNamingIt) {
  test_support::write_file(dir_ / "plain", "x");
  const fs::path file = dir_ / "plain" / "sub" / "c.txt";
  EXPECT_EQ(error_message([&] { write_file_atomic(file, "y"); }),
            "cannot create directory '" + (dir_ / "plain" / "sub").string() + "': Not a directory");
  EXPECT_EQ(read_file(dir_ / "plain"), "x");
  EXPECT_EQ(names_in(dir_), (Names{"plain"}));
}

TEST_F(FilesTest, WriteFileAtomicOverADirectoryThrowsAndCleansUp) {
  fs::create_directories(dir_ / "d" / "inner");
  const std::string message = error_message([&] { write_file_atomic(dir_ / "d", "y"); });
  EXPECT_EQ(message.rfind("cannot rename '" + (dir_ / "d").string() + ".tmp.", 0), 0u) << message;
  EXPECT_NE(message.find("' to '" + (dir_ / "d").string() + "': Is a directory"), std::string::npos)
      << message;
  EXPECT_EQ(names_in(dir_), (Names{"d"}));
}

TEST_F(FilesTest, ReadFileOfNothingThrowsNamingIt) {
  const fs::path file = dir_ / "missing";
  EXPECT_EQ(error_message([&] { read_file(file); }),
            "cannot read '" + file.string() + "': No such file or directory");
}

TEST_F(FilesTest, ReplaceSymlinkAtomicCreatesAndReplacesALink) {
  const fs::path link = dir_ / "latest";
  replace_symlink_atomic("job-1", link);
  EXPECT_TRUE(fs::is_symlink(link));
  EXPECT_EQ(fs::read_symlink(link), "job-1");
  replace_symlink_atomic("job-2", link);
  EXPECT_EQ(fs::read_symlink(link), "job-2");
  EXPECT_EQ(names_in(dir_), (Names{"latest"}));
}

TEST_F(FilesTest, ReplaceSymlinkAtomicInAMissingDirectoryThrows) {
  const fs::path link = dir_ / "nosuch" / "latest";
  const std::string message = error_message([&] { replace_symlink_atomic("x", link); });
  EXPECT_EQ(message.rfind("cannot create link '" + link.string() + "': ", 0), 0u) << message;
}

TEST_F(FilesTest, JobDirCreatesUniqueDirectoriesAndPointsLatestAtTheNewest) {
  const auto started = std::chrono::system_clock::now();
  const fs::path results = dir_ / "results";
  const JobDir first = JobDir::create(results, started);
  const JobDir second = JobDir::create(results, started);  // the same second
  EXPECT_NE(first.id(), second.id());
  const std::regex id_form(R"(job-\d{8}T\d{6}-[0-9a-f]{6})");
  EXPECT_TRUE(std::regex_match(first.id(), id_form)) << first.id();
  EXPECT_TRUE(std::regex_match(second.id(), id_form)) << second.id();
  EXPECT_EQ(first.id().substr(0, 19), second.id().substr(0, 19));
  for (const JobDir* job : {&first, &second}) {
    EXPECT_EQ(job->path(), results / job->id());
    EXPECT_TRUE(job->path().is_absolute());
    EXPECT_TRUE(fs::is_directory(job->path() / "tests"));
    EXPECT_EQ(names_in(job->path()), (Names{"tests"}));
  }
  EXPECT_EQ(fs::read_symlink(results / "latest"), second.id());
  EXPECT_EQ(fs::canonical(results / "latest"), second.path());
  Names expected{first.id(), second.id(), "latest"};
  std::sort(expected.begin(), expected.end());
  EXPECT_EQ(names_in(results), expected);
}

TEST_F(FilesTest, JobDirFilesAreInsideTheJob) {
  const JobDir job = JobDir::create(dir_, std::chrono::system_clock::now());
  EXPECT_EQ(job.run_log(), job.path() / "run.log");
  EXPECT_EQ(job.job_json(), job.path() / "job.json");
  EXPECT_EQ(job.results_json(), job.path() / "results.json");
  EXPECT_EQ(job.debug_log(), job.path() / "debug.log");
}

TEST_F(FilesTest, JobDirUnderARegularFileThrows) {
  test_support::write_file(dir_ / "plain", "x");
  const fs::path results = dir_ / "plain" / "results";
  EXPECT_EQ(error_message([&] { JobDir::create(results, std::chrono::system_clock::now()); }),
            "cannot create results directory '" + results.string() +
                "': Not a directory — choose another with --results-dir");
}

TEST(JobDirLayout, TestLogdirAddsTheAttemptForRetries) {
  EXPECT_EQ(JobDir::test_logdir("a.b"), "tests/a.b");
  EXPECT_EQ(JobDir::test_logdir("a.b", 0), "tests/a.b");
  EXPECT_EQ(JobDir::test_logdir("a.b", 1), "tests/a.b.1");
  EXPECT_EQ(JobDir::test_logdir("a.b", 2), "tests/a.b.2");
}

}  // namespace
}  // namespace vt::core
