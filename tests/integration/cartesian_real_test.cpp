// The Cartesian engine on a real test matrix: tp-qemu's configuration as `avocado list
// --vt-type qemu` parses it (shared/conformance/cartesian-real/README.md), dict for dict against
// the reference parser's dump. Every folder there with the same files (a hold-out matrix of
// another provider) is checked the same way; $VTRUN_CARTESIAN_REAL points elsewhere. The dump is
// read as the dicts stream in, so neither side is ever held whole.
#include <gtest/gtest.h>
#include <zlib.h>

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "support/test_support.h"
#include "support/text_diff.h"
#include "vt/core/cartesian.h"

namespace {

namespace fs = std::filesystem;
namespace cartesian = vt::core::cartesian;
using vt::test_support::ScopedCurrentPath;

fs::path real_dir() {
  if (const char* dir = std::getenv("VTRUN_CARTESIAN_REAL"); dir && *dir) return dir;
  return fs::path(VTRUN_SHARED_DIR) / "conformance/cartesian-real";
}

// Folders that hold a matrix: its top-level cfg and the reference's dump of it.
std::vector<std::string> matrices() {
  std::vector<std::string> names;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(real_dir(), ec))
    if (fs::exists(entry.path() / "avocado-list-default.cfg") &&
        fs::exists(entry.path() / "reference-dicts.txt.gz"))
      names.push_back(entry.path().filename().string());
  std::sort(names.begin(), names.end());
  return names;
}

// Lines of a gzip file, one at a time (the dump is ~100 MB unpacked).
class GzLines {
 public:
  explicit GzLines(const fs::path& path) : file_(gzopen(path.c_str(), "rb")) {
    if (file_ == nullptr) throw std::runtime_error("cannot open '" + path.string() + "'");
    gzbuffer(file_, 256 * 1024);
  }
  GzLines(const GzLines&) = delete;
  GzLines& operator=(const GzLines&) = delete;
  ~GzLines() { gzclose(file_); }

  /// The next line without its '\n'; false at the end. Throws on a damaged file.
  bool next(std::string& line) {
    line.clear();
    char chunk[16 * 1024];
    while (gzgets(file_, chunk, sizeof chunk) != nullptr) {
      const std::size_t n = std::strlen(chunk);
      if (n > 0 && chunk[n - 1] == '\n') {
        line.append(chunk, n - 1);
        return true;
      }
      line.append(chunk, n);  // a line longer than the chunk: keep reading it
    }
    int error = Z_OK;
    const char* message = gzerror(file_, &error);
    if (error != Z_OK && error != Z_STREAM_END)
      throw std::runtime_error(std::string("cannot read the gzip file: ") + message);
    return !line.empty();
  }

 private:
  gzFile file_;
};

// reference-dicts.txt.gz: two header lines, `dict N: NAME` blocks in the `.expected` v1 format,
// then the `# dicts: N` line last.
class ReferenceDicts {
 public:
  explicit ReferenceDicts(const fs::path& path) : lines_(path) {
    std::string header;
    if (!lines_.next(header) || header != "# cartesian-corpus-expected v1")
      throw std::runtime_error("'" + path.string() + "' is not an .expected v1 dump");
    lines_.next(header);  // # options: ...
    has_pending_ = lines_.next(pending_);
  }

  /// The next dict's block, each line with its '\n'; nullopt once the dicts are over.
  std::optional<std::string> next_dict() {
    if (!has_pending_ || pending_.rfind("dict ", 0) != 0) return std::nullopt;
    std::string block = pending_ + "\n";
    while ((has_pending_ = lines_.next(pending_)) && pending_.rfind("    ", 0) == 0)
      block += pending_ + "\n";
    ++count_;
    return block;
  }

  /// The line after the last dict (`# dicts: N`), empty at the end of the file.
  std::string trailer() const { return has_pending_ ? pending_ : ""; }
  std::uint64_t count() const { return count_; }

 private:
  GzLines lines_;
  std::string pending_;
  bool has_pending_ = false;
  std::uint64_t count_ = 0;
};

std::vector<std::string> split_tabs(const std::string& row) {
  std::vector<std::string> fields;
  std::size_t start = 0;
  for (std::size_t tab; (tab = row.find('\t', start)) != std::string::npos; start = tab + 1)
    fields.push_back(row.substr(start, tab - start));
  fields.push_back(row.substr(start));
  return fields;
}

// reference-names.tsv: index, name, shortname, avocado_test_name. The last one is Avocado's
// `_short_name_map_file['subtests.cfg']`, which the full-dict test covers.
const char* const tsv_columns[] = {"index", "name", "shortname"};

std::string first_line(const std::string& text) {
  return text.substr(0, text.find('\n'));
}

class CartesianReal : public testing::TestWithParam<std::string> {
 protected:
  fs::path dir() const { return real_dir() / GetParam(); }
};

TEST_P(CartesianReal, default_list_expands_to_reference_dicts) {
  ScopedCurrentPath cwd(dir());  // `_name_map_file` keys are file names as the parser saw them
  ReferenceDicts reference(dir() / "reference-dicts.txt.gz");
  cartesian::Config config;
  config.parse_file("avocado-list-default.cfg");

  std::uint64_t n = 0;
  std::string mismatch;
  const std::uint64_t delivered = config.for_each(
      [&](const cartesian::Dict& dict) {
        const std::string got = cartesian::format_dict(++n, dict, true, true);
        const auto want = reference.next_dict();
        if (!want) {
          mismatch = "the engine yields more dicts than the reference's " + std::to_string(n - 1) +
                     "; the first extra one is " + first_line(got);
          return false;
        }
        if (got != *want) {
          mismatch = "dict " + std::to_string(n) + " differs; reference: " + first_line(*want) +
                     "\n" + vt::test_support::short_diff(*want, got);
          return false;
        }
        return true;
      },
      cartesian::Detail::full);
  ASSERT_TRUE(mismatch.empty()) << mismatch;
  EXPECT_EQ(delivered, n) << "for_each's count differs from the dicts it delivered";

  const auto missing = reference.next_dict();
  ASSERT_FALSE(missing) << "the engine stopped after " << n << " dicts; the reference goes on with "
                        << first_line(*missing);
  EXPECT_EQ(reference.trailer(), "# dicts: " + std::to_string(n))
      << "the reference dump must end with its dict count";
  if (GetParam() == "qemu") {
    EXPECT_EQ(n, 4827u) << "README.md: 4,827 dicts";
  }
}

TEST_P(CartesianReal, names_only_match_reference_names) {
  const fs::path names_file = dir() / "reference-names.tsv";
  if (!fs::exists(names_file)) GTEST_SKIP() << "no " << names_file;
  std::ifstream names(names_file);
  std::string row;
  ASSERT_TRUE(std::getline(names, row));
  ASSERT_EQ(row.rfind("index\tname\tshortname", 0), 0u) << "header of " << names_file;

  ScopedCurrentPath cwd(dir());
  cartesian::Config config;
  config.parse_file("avocado-list-default.cfg");
  std::uint64_t n = 0;
  std::string mismatch;
  config.for_each(
      [&](const cartesian::Dict& dict) {
        ++n;
        if (!std::getline(names, row)) {
          mismatch = "the engine yields more dicts than the reference's " + std::to_string(n - 1) +
                     "; the first extra one is " + std::string(dict.name());
          return false;
        }
        const std::vector<std::string> want = split_tabs(row);
        const std::vector<std::string> got{std::to_string(n), std::string(dict.name()),
                                           std::string(dict.shortname())};
        for (std::size_t i = 0; i < got.size(); ++i) {
          if (i < want.size() && want[i] == got[i]) continue;
          mismatch = "dict " + std::to_string(n) + ": the " + tsv_columns[i] +
                     " differs\n  reference: " + (i < want.size() ? want[i] : "(missing)") +
                     "\n  engine:    " + got[i];
          return false;
        }
        return true;
      },
      cartesian::Detail::names);
  ASSERT_TRUE(mismatch.empty()) << mismatch;
  EXPECT_FALSE(std::getline(names, row))
      << "the engine stopped after " << n << " dicts; the reference goes on with " << row;
}

// The unfiltered matrix (~10^9 dicts) is never enumerated in full: its first names must match,
// and stopping early must be immediate.
TEST_P(CartesianReal, unfiltered_matrix_starts_like_reference) {
  const fs::path names_file = dir() / "nofilter-partial-first50-names.txt";
  if (!fs::exists(names_file)) GTEST_SKIP() << "no " << names_file;
  std::vector<std::string> want;
  std::ifstream names(names_file);
  for (std::string line; std::getline(names, line);) want.push_back(line);

  ScopedCurrentPath cwd(dir());
  cartesian::Config config;
  config.parse_file("tests.cfg");
  std::vector<std::string> got;
  config.for_each(
      [&](const cartesian::Dict& dict) {
        got.emplace_back(dict.name());
        return got.size() < want.size();
      },
      cartesian::Detail::names);
  ASSERT_EQ(got.size(), want.size());
  for (std::size_t i = 0; i < want.size(); ++i)
    ASSERT_EQ(got[i], want[i]) << "name of dict " << i + 1;
}

// Test names must be identifiers.
std::string matrix_name(const testing::TestParamInfo<std::string>& param) {
  std::string name = param.param;
  for (char& ch : name)
    if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
  return name;
}

INSTANTIATE_TEST_SUITE_P(matrix, CartesianReal, testing::ValuesIn(matrices()), matrix_name);

TEST(CartesianRealMatrices, qemu_is_present) {
  const auto found = matrices();
  EXPECT_NE(std::find(found.begin(), found.end(), "qemu"), found.end())
      << "no qemu matrix in " << real_dir();
}

}  // namespace
