#include "discovery/cartesian_entry.h"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <system_error>

#include "cartesian/text.h"
#include "vt/sdk/error.h"

namespace vt::core::detail {

namespace fs = std::filesystem;

namespace {

std::string in_quotes(std::string_view s) {
  return "'" + std::string(s) + "'";
}

bool is_file(const fs::path& p) {
  std::error_code ec;
  return fs::is_regular_file(p, ec);
}

std::vector<std::string> read_lines(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in)
    throw sdk::ConfigError(file.string(), 0,
                           "cannot read the Cartesian file: " + std::string(std::strerror(errno)) +
                               " — check its permissions");
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    lines.push_back(std::move(line));
  }
  return lines;
}

// The reference parser reads each line as `line.rstrip().expandtabs()`; doing that before
// indenting keeps tab stops (in indentation and values) where they were in the user's file.
std::string expand_tabs(std::string_view line) {
  return cartesian::text::expand_tabs(cartesian::text::rstrip(line));
}

bool is_comment_or_blank(std::string_view line) {
  const auto start = line.find_first_not_of(' ');
  if (start == std::string_view::npos) return true;
  line.remove_prefix(start);
  return line.starts_with("#") || line.starts_with("//");
}

// `include x` resolves against the including file's directory; the generated file lives
// elsewhere, so relative paths are made absolute against the file they were written in.
std::string with_absolute_include(const std::string& line, const fs::path& dir) {
  const auto start = line.find_first_not_of(' ');
  if (start == std::string::npos || line.compare(start, 8, "include ") != 0) return line;
  const auto path_start = line.find_first_not_of(' ', start + 8);
  if (path_start == std::string::npos) return line;
  const std::string path = line.substr(path_start);
  if (path.starts_with("/") || path.starts_with("~")) return line;
  return line.substr(0, path_start) + (dir / path).lexically_normal().string();
}

// The first label of a top-level `- [@]name[.more]: deps` line.
std::string first_label(std::string_view line) {
  line.remove_prefix(1);  // '-'
  line = line.substr(0, line.find(':'));
  const auto start = line.find_first_not_of(' ');
  if (start == std::string_view::npos) return {};
  line.remove_prefix(start);
  if (line.starts_with("@")) line.remove_prefix(1);
  line = line.substr(0, std::min(line.find('.'), line.find(' ')));
  return std::string(line);
}

bool is_variant_name(std::string_view name) {
  if (name.empty() || name.front() == '.' || name.back() == '.') return false;
  if (name.find("..") != std::string_view::npos) return false;
  return std::all_of(name.begin(), name.end(), [](unsigned char c) {
    return std::isalnum(c) != 0 || c == '_' || c == '-' || c == '.';
  });
}

std::vector<fs::path> cfg_files_in(const fs::path& dir) {
  std::vector<fs::path> files;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    const std::string name = entry.path().filename().string();
    if (!name.starts_with(".") && entry.path().extension() == ".cfg" && is_file(entry.path()))
      files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end(), [](const fs::path& a, const fs::path& b) {
    return a.filename().string() < b.filename().string();
  });
  return files;
}

}  // namespace

CartesianEntry::CartesianEntry(const CartesianSource& source) : provider_(source.provider) {
  const fs::path& dir = source.dir;
  if (!source.configs.empty()) {
    for (const std::string& config : source.configs) {
      const fs::path file = (dir / config).lexically_normal();
      if (!is_file(file))
        throw sdk::ConfigError(source.definition.string(), source.definition_line,
                               "expected the Cartesian file " + in_quotes(config) +
                                   " of provider " + in_quotes(source.provider) + " at " +
                                   in_quotes(file.string()) +
                                   ", got nothing there — create it or fix `configs`");
      files_.push_back(file);
    }
  } else if (is_file(dir / "tests.cfg")) {
    files_.push_back(dir / "tests.cfg");
  } else if (auto cfgs = cfg_files_in(dir / "tests/cfg"); !cfgs.empty()) {
    default_place_ = {dir / "tests/cfg", 0};
    generate_subtests(cfgs);
  } else {
    throw sdk::ConfigError(source.definition.string(), source.definition_line,
                           "expected the Cartesian tests of provider " +
                               in_quotes(source.provider) + " in " + in_quotes(dir.string()) +
                               " (a tests.cfg, or .cfg files in tests/cfg/), got none " +
                               "— add them, or fix `subdir`, `configs` or `format`");
  }
  if (default_place_.file.empty() && !files_.empty()) default_place_ = {files_.front(), 0};
  add_statements(source.statements);
}

// Avocado-VT's bootstrap writes `variants subtest:` and then every tests/cfg file indented by
// four spaces, each file starting with its own `- name:` line. A file that does not start
// with one becomes the variant named after the file (`boot.cfg` is `- boot:`).
void CartesianEntry::generate_subtests(const std::vector<fs::path>& cfg_files) {
  std::string text = "variants subtest:\n";
  origins_.push_back({default_place_, 0});
  auto emit = [&](std::string line, Place place, std::size_t indent) {
    text += line.empty() ? line : std::string(indent, ' ') + line;
    text += '\n';
    origins_.push_back({std::move(place), indent});
  };
  bool any = false;
  for (const fs::path& file : cfg_files) {
    std::vector<std::string> lines = read_lines(file);
    for (auto& line : lines) line = with_absolute_include(expand_tabs(line), file.parent_path());
    const auto first = std::find_if_not(lines.begin(), lines.end(), is_comment_or_blank);
    if (first == lines.end()) continue;  // nothing but comments
    any = true;
    std::size_t indent = 4;
    if (!first->starts_with("-")) {
      const std::string stem = file.stem().string();
      if (!is_variant_name(stem))
        throw sdk::ConfigError(file.string(), 0,
                               "expected a tests/cfg file name to be a variant name (letters, "
                               "digits, '_', '-', '.'), got " +
                                   in_quotes(file.filename().string()) +
                                   " — rename it, or start the file with its own '- name:' line");
      emit("- " + stem + ":", {file, 0}, 4);
      subtests_.emplace(stem.substr(0, stem.find('.')), Place{file, 0});
      indent = 8;
    }
    for (std::size_t i = 0; i < lines.size(); ++i) {
      const int line_number = static_cast<int>(i) + 1;
      if (indent == 4 && lines[i].starts_with("-"))
        subtests_.emplace(first_label(lines[i]), Place{file, line_number});
      emit(lines[i], {file, line_number}, indent);
    }
  }
  if (!any) return;  // has_tests() is false

  // Named subtests.cfg as Avocado-VT names it (`_name_map_file` keys carry the file name);
  // parsed from memory: the name stands for the file bootstrap would write, none is written.
  generated_file_ = default_place_.file.parent_path() / "subtests.cfg";
  generated_text_ = std::move(text);
}

void CartesianEntry::add_statements(const std::vector<std::string>& statements) {
  statements_ = statements;
  for (std::size_t i = 0; i < statements.size(); ++i) {
    std::istringstream lines(statements[i] + "\n");
    for (std::string line; std::getline(lines, line);) {
      statements_text_ += line + "\n";
      statement_of_line_.push_back(i);
    }
  }
}

void CartesianEntry::parse_into(cartesian::Config& config) const {
  with_user_places([&] {
    for (const fs::path& file : files_) config.parse_file(file);
    if (!generated_text_.empty()) config.parse_text(generated_text_, generated_file_);
    if (!statements_text_.empty()) config.parse_string(statements_text_);
  });
}

void CartesianEntry::with_user_places(const std::function<void()>& body) const {
  try {
    body();
  } catch (const cartesian::Error& e) {
    rethrow(e);
  }
}

void CartesianEntry::rethrow(const cartesian::Error& error) const {
  if (!generated_file_.empty() && error.filename() == generated_file_.string()) {
    const int n = error.linenum();
    Place place = n >= 1 && static_cast<std::size_t>(n) <= origins_.size()
                      ? origins_[n - 1].place
                      : Place{origins_.back().place.file, -1};
    std::string text = error.line_text();
    const std::size_t indent =
        n >= 1 && static_cast<std::size_t>(n) <= origins_.size() ? origins_[n - 1].indent : 0;
    if (text.size() >= indent && text.find_first_not_of(' ') >= indent) text.erase(0, indent);
    throw cartesian::Error(error.kind(), error.message(), text, place.file.string(), place.line);
  }
  if (error.filename() == "<string>" && !statements_.empty()) {
    const int n = error.linenum();
    const std::size_t which = n >= 1 && static_cast<std::size_t>(n) <= statement_of_line_.size()
                                  ? statement_of_line_[n - 1]
                                  : statements_.size() - 1;
    throw sdk::ConfigError("in the statement " + in_quotes(statements_[which]) +
                           " given on the command line for provider " + in_quotes(provider_) +
                           ": " + error.message() +
                           " — fix the value of that --only, --no or --cartesian");
  }
  throw;
}

Place CartesianEntry::place_of(std::string_view dict_name) const {
  constexpr std::string_view marker = "(subtest=";
  const auto at = dict_name.find(marker);
  if (at == std::string_view::npos || subtests_.empty()) return default_place_;
  std::string_view label = dict_name.substr(at + marker.size());
  label = label.substr(0, label.find(')'));
  const auto it = subtests_.find(label);
  return it != subtests_.end() ? it->second : default_place_;
}

}  // namespace vt::core::detail
