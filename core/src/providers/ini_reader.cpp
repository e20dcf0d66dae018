#include "providers/ini_reader.h"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "vt/sdk/error.h"

namespace vt::core::ini {
namespace {

// configparser's BasicInterpolation gives up beyond this depth (MAX_INTERPOLATION_DEPTH).
constexpr int max_interpolation_depth = 10;

// Python's str.strip() and `\s` also count these ASCII separators as whitespace; non-ASCII
// whitespace (U+00A0 ...) is not recognised, a difference no provider file has shown.
bool is_py_space(char c) {
  const auto u = static_cast<unsigned char>(c);
  return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r' ||
         (u >= 0x1c && u <= 0x1f);
}

std::string_view rstrip(std::string_view s) {
  while (!s.empty() && is_py_space(s.back())) s.remove_suffix(1);
  return s;
}

std::string_view strip(std::string_view s) {
  while (!s.empty() && is_py_space(s.front())) s.remove_prefix(1);
  return rstrip(s);
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

// Python reads text files with universal newlines: "\n", "\r\n" and a lone "\r" end a line.
std::vector<std::string_view> split_lines(std::string_view text) {
  std::vector<std::string_view> lines;
  std::size_t start = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '\n' && text[i] != '\r') continue;
    lines.push_back(text.substr(start, i - start));
    if (text[i] == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ++i;
    start = i + 1;
  }
  if (start < text.size()) lines.push_back(text.substr(start));
  return lines;
}

// configparser's SECTCRE `\[(?P<header>.+)\]` is greedy and unanchored at the end: the name
// runs to the last ']' of the line and anything after it is ignored.
std::optional<std::string_view> section_header(std::string_view stripped) {
  if (stripped.empty() || stripped.front() != '[') return std::nullopt;
  const auto close = stripped.rfind(']');
  if (close == std::string_view::npos || close < 2) return std::nullopt;
  return stripped.substr(1, close - 1);
}

std::string in_quotes(std::string_view s) {
  return "'" + std::string(s) + "'";
}

class Parser {
 public:
  Parser(std::string file_name, Section& defaults, std::vector<Section>& sections)
      : file_name_(std::move(file_name)), defaults_(defaults), sections_(sections) {}

  void parse(std::string_view text) {
    int lineno = 0;
    for (std::string_view line : split_lines(text)) {
      ++lineno;
      parse_line(line, lineno);
    }
    for (Section* section : all_sections()) {
      for (auto& [key, option] : section->options) option.raw = std::string(rstrip(option.raw));
    }
  }

 private:
  Section& current() {
    return current_ == in_defaults ? defaults_ : sections_[static_cast<std::size_t>(current_)];
  }

  [[noreturn]] void fail(int line, const std::string& message) const {
    throw sdk::ConfigError(file_name_, line, message);
  }

  std::vector<Section*> all_sections() {
    std::vector<Section*> out{&defaults_};
    for (Section& s : sections_) out.push_back(&s);
    return out;
  }

  void parse_line(std::string_view line, int lineno) {
    const std::string_view value = strip(line);
    // A full-line comment is dropped before anything else, even inside a multi-line value.
    if (!value.empty() && (value.front() == '#' || value.front() == ';')) return;
    if (value.empty()) {
      // Blank lines belong to the value being read; trailing ones are stripped at the end.
      if (current_ != none && !option_.empty()) current().options[option_].raw += '\n';
      return;
    }
    std::size_t indent = 0;
    while (is_py_space(line[indent])) ++indent;
    if (current_ != none && !option_.empty() && indent > indent_level_) {
      current().options[option_].raw += "\n" + std::string(value);
      return;
    }
    indent_level_ = indent;
    if (const auto name = section_header(value)) {
      open_section(std::string(*name), lineno);
    } else if (current_ == none) {
      fail(lineno, "expected a section header such as '[provider]' before the first key, got " +
                       in_quotes(value) + " — add a section header above this line");
    } else {
      add_option(value, lineno);
    }
  }

  void open_section(std::string name, int lineno) {
    option_.clear();
    if (name == "DEFAULT") {
      // configparser merges repeated [DEFAULT] headers instead of rejecting them.
      if (defaults_.line == 0) defaults_.line = lineno;
      current_ = in_defaults;
      return;
    }
    for (const Section& s : sections_) {
      if (s.name == name) {
        fail(lineno, "expected each section once, got " + in_quotes("[" + name + "]") +
                         " again (first at line " + std::to_string(s.line) +
                         ") — merge the two sections into one");
      }
    }
    sections_.push_back(Section{std::move(name), lineno, {}});
    current_ = static_cast<int>(sections_.size()) - 1;
  }

  void add_option(std::string_view value, int lineno) {
    const auto delim = value.find_first_of("=:");
    if (delim == std::string_view::npos) {
      fail(lineno, "expected 'key = value' or 'key: value', got " + in_quotes(value) +
                       " — add a delimiter or comment the line out with '#'");
    }
    const std::string key = lower(rstrip(value.substr(0, delim)));
    if (key.empty()) {
      fail(lineno, "expected a key before '" + std::string(1, value[delim]) + "', got " +
                       in_quotes(value) + " — write 'key = value'");
    }
    if (const auto it = current().options.find(key); it != current().options.end()) {
      fail(lineno, "expected each key once per section, got " + in_quotes(key) + " again in " +
                       in_quotes("[" + current().name + "]") + " (first at line " +
                       std::to_string(it->second.line) + ") — remove one of them");
    }
    current().options[key] = Option{std::string(strip(value.substr(delim + 1))), lineno};
    option_ = key;
  }

  std::string file_name_;
  Section& defaults_;
  std::vector<Section>& sections_;
  // Indices, not pointers: sections_ grows while it is read.
  static constexpr int none = -2;
  static constexpr int in_defaults = -1;
  int current_ = none;
  std::string option_;  // the key whose value continuation lines extend
  std::size_t indent_level_ = 0;
};

}  // namespace

File File::parse(std::string_view text, const std::string& file_name) {
  File file;
  file.file_name_ = file_name;
  Parser(file_name, file.defaults_, file.sections_).parse(text);
  return file;
}

File File::read(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    throw sdk::ConfigError(path.string(), 0,
                           std::string("expected a readable file, got: ") + std::strerror(errno) +
                               " — check the path and its permissions");
  }
  std::ostringstream text;
  text << in.rdbuf();
  return parse(text.str(), path.string());
}

std::vector<std::string> File::section_names() const {
  std::vector<std::string> names;
  for (const Section& s : sections_) names.push_back(s.name);
  return names;
}

const Section* File::section(std::string_view name) const {
  if (name == "DEFAULT") return &defaults_;
  for (const Section& s : sections_) {
    if (s.name == name) return &s;
  }
  return nullptr;
}

const Option* File::find(std::string_view section_name, std::string_view key) const {
  const Section* s = section(section_name);
  if (s == nullptr) return nullptr;
  const std::string k = lower(key);
  if (const auto it = s->options.find(k); it != s->options.end()) return &it->second;
  if (const auto it = defaults_.options.find(k); it != defaults_.options.end()) return &it->second;
  return nullptr;
}

namespace {

struct Interpolation {
  const File& file;
  std::string_view section;
  std::string key;  // the key asked for: configparser names it in every error
  int line;

  [[noreturn]] void fail(const std::string& message) const {
    throw sdk::ConfigError(file.file_name(), line, message);
  }

  // BasicInterpolation._interpolate_some: references are looked up raw, in the section then
  // [DEFAULT], and only values that contain '%' are expanded again.
  void expand(std::string_view rest, std::string& out, int depth) const {
    if (depth > max_interpolation_depth) {
      fail("expected at most " + std::to_string(max_interpolation_depth) +
           " nested '%(name)s' references in the value of " + in_quotes(key) +
           ", got more — look for keys that refer to each other");
    }
    while (!rest.empty()) {
      const auto percent = rest.find('%');
      if (percent == std::string_view::npos) {
        out += rest;
        return;
      }
      out += rest.substr(0, percent);
      rest.remove_prefix(percent);
      const char next = rest.size() > 1 ? rest[1] : '\0';
      if (next == '%') {
        out += '%';
        rest.remove_prefix(2);
      } else if (next == '(') {
        const auto close = rest.find(')');
        if (close == std::string_view::npos || close < 3 || close + 1 >= rest.size() ||
            rest[close + 1] != 's') {
          fail("expected '%(name)s' in the value of " + in_quotes(key) + ", got " +
               in_quotes(rest) + " — end the reference with ')s', or write '%%' for a literal '%'");
        }
        const std::string_view name = rest.substr(2, close - 2);
        rest.remove_prefix(close + 2);
        const Option* target = file.find(section, name);
        if (target == nullptr) {
          fail("expected a key " + in_quotes(lower(name)) + " in " +
               in_quotes("[" + std::string(section) + "]") + " or [DEFAULT] for '%(" +
               std::string(name) + ")s' in the value of " + in_quotes(key) +
               ", got none — define it, or write '%%' for a literal '%'");
        }
        if (target->raw.find('%') != std::string::npos) {
          expand(target->raw, out, depth + 1);
        } else {
          out += target->raw;
        }
      } else {
        fail("expected '%%' or '%(name)s' in the value of " + in_quotes(key) + ", got " +
             in_quotes(rest) + " — write '%%' for a literal '%'");
      }
    }
  }
};

}  // namespace

std::optional<std::string> File::get(std::string_view section_name, std::string_view key) const {
  const Option* option = find(section_name, key);
  if (option == nullptr) return std::nullopt;
  std::string out;
  Interpolation{*this, section_name, lower(key), option->line}.expand(option->raw, out, 1);
  return out;
}

}  // namespace vt::core::ini
