// The Cartesian engine against the reference corpus (shared/conformance/cartesian, README.md):
// every `NNN-*.cfg` with a `.expected` must expand to exactly that text, and every one with a
// `.error` must fail with that exception kind and line. Cases are found by listing the folder,
// so a hold-out set with the same layout is checked the same way: drop it in, or point
// $VTRUN_CARTESIAN_CORPUS at it.
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "support/test_support.h"
#include "support/text_diff.h"
#include "vt/core/cartesian.h"

namespace {

namespace fs = std::filesystem;
namespace cartesian = vt::core::cartesian;
using vt::test_support::ScopedCurrentPath;
using vt::test_support::short_diff;
using vt::test_support::split_lines;

fs::path corpus_dir() {
  if (const char* dir = std::getenv("VTRUN_CARTESIAN_CORPUS"); dir && *dir) return dir;
  return fs::path(VTRUN_SHARED_DIR) / "conformance/cartesian";
}

struct CorpusCase {
  std::string id;  ///< "001-simple-variant": the .cfg, .expected and .error share it
  fs::path dir;
  bool expects_error = false;

  fs::path result_file() const { return dir / (id + (expects_error ? ".error" : ".expected")); }
};

// For GoogleTest's messages: the case id, not a byte dump of the struct.
[[maybe_unused]] void PrintTo(const CorpusCase& c, std::ostream* os) {
  *os << c.id;
}

bool is_case_stem(const std::string& stem) {
  return stem.size() > 4 && std::isdigit(static_cast<unsigned char>(stem[0])) &&
         std::isdigit(static_cast<unsigned char>(stem[1])) &&
         std::isdigit(static_cast<unsigned char>(stem[2])) && stem[3] == '-';
}

std::vector<CorpusCase> discover_cases() {
  std::vector<CorpusCase> cases;
  const fs::path dir = corpus_dir();
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    const fs::path& p = entry.path();
    if (p.extension() != ".cfg" || !is_case_stem(p.stem().string())) continue;
    const std::string id = p.stem().string();
    if (fs::exists(dir / (id + ".expected")))
      cases.push_back({id, dir, false});
    else if (fs::exists(dir / (id + ".error")))
      cases.push_back({id, dir, true});
  }
  std::sort(cases.begin(), cases.end(),
            [](const CorpusCase& a, const CorpusCase& b) { return a.id < b.id; });
  return cases;
}

std::string read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read '" + p.string() + "'");
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

struct CaseOptions {
  bool defaults = false;
  std::vector<std::string> expand_defaults;
  std::vector<std::string> extra_statements;
};

// Where the JSON array at the start of `text` ends. The header line is not JSON as a whole,
// and a statement may itself contain spaces, `=` or `]` inside its quotes.
std::size_t json_array_end(std::string_view text) {
  int depth = 0;
  bool in_string = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (c == '\\')
        ++i;
      else if (c == '"')
        in_string = false;
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[') {
      ++depth;
    } else if (c == ']' && --depth == 0) {
      return i + 1;
    }
  }
  throw std::runtime_error("unterminated JSON list in '" + std::string(text) + "'");
}

std::vector<std::string> json_list_after(std::string_view line, std::string_view key) {
  const std::size_t at = line.find(key);
  if (at == std::string_view::npos)
    throw std::runtime_error("no '" + std::string(key) + "' in '" + std::string(line) + "'");
  const std::string_view rest = line.substr(at + key.size());
  return nlohmann::json::parse(rest.substr(0, json_array_end(rest)))
      .get<std::vector<std::string>>();
}

// `# options: defaults=<bool> expand_defaults=<JSON list> extra_statements=<JSON list>`
CaseOptions parse_options(std::string_view line) {
  if (line.rfind("# options: defaults=", 0) != 0)
    throw std::runtime_error("second line is not '# options: ...': '" + std::string(line) + "'");
  CaseOptions options;
  options.defaults = line.substr(20, 4) == "true";
  options.expand_defaults = json_list_after(line, " expand_defaults=");
  options.extra_statements = json_list_after(line, " extra_statements=");
  return options;
}

// The `key: value` lines of a `.error` file.
std::map<std::string, std::string> error_fields(const std::vector<std::string_view>& lines) {
  std::map<std::string, std::string> fields;
  for (std::size_t i = 2; i < lines.size(); ++i) {
    const std::size_t colon = lines[i].find(": ");
    if (colon != std::string_view::npos)
      fields.emplace(lines[i].substr(0, colon), lines[i].substr(colon + 2));
  }
  return fields;
}

std::optional<cartesian::ErrorKind> kind_of_exception(const std::string& python_class) {
  static const std::map<std::string, cartesian::ErrorKind> kinds{
      {"ParserError", cartesian::ErrorKind::parser},
      {"LexerError", cartesian::ErrorKind::lexer},
      {"MissingIncludeError", cartesian::ErrorKind::missing_include},
      {"ValueError", cartesian::ErrorKind::value},
      {"RuntimeError", cartesian::ErrorKind::runtime}};
  const auto it = kinds.find(python_class);
  if (it == kinds.end()) return std::nullopt;
  return it->second;
}

// A Python str repr ('x' or "x") without its quotes; escapes do not occur in these names.
std::string unquote(const std::string& repr) {
  if (repr.size() >= 2 && (repr.front() == '\'' || repr.front() == '"') &&
      repr.back() == repr.front())
    return repr.substr(1, repr.size() - 2);
  return repr;
}

std::string describe(const cartesian::Error& e) {
  return std::string(cartesian::to_string(e.kind())) + " at " + e.filename() + ":" +
         std::to_string(e.linenum()) + ": " + e.message();
}

struct Expansion {
  std::string text;
  std::uint64_t delivered = 0;  ///< what for_each returned
  std::uint64_t seen = 0;       ///< how often the sink was called
};

// What the README's Python snippet does, printed as the `.expected` body.
Expansion expand(const CorpusCase& c, const CaseOptions& o) {
  cartesian::Options options;
  options.defaults = o.defaults;
  options.expand_defaults = o.expand_defaults;
  cartesian::Config config(options);
  config.parse_file(c.id + ".cfg");
  for (const auto& statement : o.extra_statements) config.parse_string(statement);
  Expansion out;
  out.delivered = config.for_each(
      [&](const cartesian::Dict& dict) {
        out.text += cartesian::format_dict(++out.seen, dict, /*fullname=*/true, /*contents=*/true);
        return true;
      },
      cartesian::Detail::full);
  return out;
}

// The `dict N: NAME` line that `line` (0-based) of a dump belongs to, for the failure message.
std::string dict_of_line(const std::vector<std::string_view>& lines, std::size_t line) {
  for (std::size_t i = std::min(line + 1, lines.size()); i-- > 0;)
    if (lines[i].rfind("dict ", 0) == 0) return std::string(lines[i]);
  return "(before the first dict)";
}

void check_dicts(const CorpusCase& c, const CaseOptions& options,
                 const std::vector<std::string_view>& header, std::string_view body) {
  ASSERT_GE(header.size(), 3u);
  ASSERT_EQ(header[2].rfind("# dicts: ", 0), 0u) << "third line of " << c.result_file();
  const std::uint64_t expected_count = std::stoull(std::string(header[2].substr(9)));

  Expansion got;
  try {
    got = expand(c, options);
  } catch (const cartesian::Error& e) {
    FAIL() << c.id << ": expected " << expected_count << " dicts, got an error: " << describe(e);
  }
  EXPECT_EQ(got.seen, got.delivered) << "for_each's count differs from the dicts it delivered";
  EXPECT_EQ(got.seen, expected_count) << "# dicts: of " << c.id;
  if (got.text != body) {
    const auto want_lines = split_lines(body);
    const auto got_lines = split_lines(got.text);
    const std::size_t first = vt::test_support::first_differing_line(want_lines, got_lines);
    ADD_FAILURE() << c.id << ": the dicts differ from " << c.result_file().filename()
                  << ", first in " << dict_of_line(want_lines, first) << "\n"
                  << short_diff(body, got.text);
  }
}

void check_error(const CorpusCase& c, const CaseOptions& options,
                 const std::vector<std::string_view>& lines) {
  const auto fields = error_fields(lines);
  ASSERT_TRUE(fields.count("exception")) << "no 'exception:' line in " << c.result_file();
  const std::string& python_class = fields.at("exception");
  const auto want_kind = kind_of_exception(python_class);
  ASSERT_TRUE(want_kind) << "unknown exception '" << python_class << "' in " << c.result_file();

  std::uint64_t dicts = 0;
  try {
    dicts = expand(c, options).seen;
  } catch (const cartesian::Error& e) {
    EXPECT_STREQ(cartesian::to_string(e.kind()), cartesian::to_string(*want_kind))
        << c.id << ": expected " << python_class << " (" << cartesian::to_string(*want_kind)
        << "), got " << describe(e);
    if (fields.count("linenum")) {
      EXPECT_EQ(std::to_string(e.linenum()), fields.at("linenum"))
          << c.id << ": line of the " << python_class << ", got " << describe(e);
    }
    if (fields.count("filename")) {
      EXPECT_EQ(e.filename(), unquote(fields.at("filename"))) << c.id << ": " << describe(e);
    }
    return;
  }
  ADD_FAILURE() << c.id << ": expected " << python_class
                << (fields.count("linenum") ? " at line " + fields.at("linenum") : "")
                << ", but it expanded without error to " << dicts << " dicts";
}

class CartesianConformance : public testing::TestWithParam<CorpusCase> {};

TEST_P(CartesianConformance, matches_reference) {
  const CorpusCase& c = GetParam();
  const std::string result = read_file(c.result_file());
  const auto lines = split_lines(result);
  ASSERT_GE(lines.size(), 2u) << c.result_file();
  ASSERT_EQ(lines[0], "# cartesian-corpus-expected v1") << c.result_file();
  const CaseOptions options = parse_options(lines[1]);

  ScopedCurrentPath cwd(c.dir);  // where the reference ran: file names show in dicts and errors
  if (c.expects_error) {
    check_error(c, options, lines);
  } else {
    std::size_t body_start = 0;  // after the three header lines
    for (std::size_t n = 0; n < 3 && n < lines.size(); ++n) body_start += lines[n].size() + 1;
    check_dicts(c, options, lines,
                std::string_view(result).substr(std::min(body_start, result.size())));
  }
}

// Test names must be identifiers: `001-simple-variant` is listed as `001_simple_variant`.
std::string case_name(const testing::TestParamInfo<CorpusCase>& info) {
  std::string name = info.param.id;
  for (char& ch : name)
    if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
  return name;
}

INSTANTIATE_TEST_SUITE_P(corpus, CartesianConformance, testing::ValuesIn(discover_cases()),
                         case_name);

// Without it, a missing corpus would pass as zero tests.
TEST(CartesianCorpus, has_cases) {
  EXPECT_FALSE(discover_cases().empty())
      << "no NNN-*.cfg with a .expected or .error in " << corpus_dir();
}

}  // namespace
