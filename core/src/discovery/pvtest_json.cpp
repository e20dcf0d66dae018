#include "discovery/pvtest_json.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "vt/sdk/error.h"

namespace vt::core::pvtest {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

// nlohmann's message without its "[json.exception.parse_error.101] parse error at line 3,
// column 5: " prefix: the ConfigError carries the line already.
std::string parse_error_text(const json::parse_error& e) {
  std::string what = e.what();
  if (const std::size_t column = what.find(", column "); column != std::string::npos) {
    if (const std::size_t colon = what.find(": ", column); colon != std::string::npos)
      what = what.substr(colon + 2);
  } else if (const std::size_t bracket = what.find("] "); bracket != std::string::npos) {
    what = what.substr(bracket + 2);
  }
  return what;
}

// nlohmann's `byte` is the 1-based offset of the last character it read.
int line_at(const std::string& text, std::size_t byte) {
  const std::size_t end = std::min(byte > 0 ? byte - 1 : 0, text.size());
  return 1 + static_cast<int>(std::count(text.begin(), text.begin() + end, '\n'));
}

// A string literal starting at text[at] (a '"'): its decoded value and the index after it.
std::pair<std::string, std::size_t> string_at(const std::string& text, std::size_t at) {
  std::size_t i = at + 1;
  bool escaped = false;
  for (; i < text.size(); ++i) {
    if (text[i] == '\\') {
      escaped = true;
      ++i;
    } else if (text[i] == '"') {
      break;
    }
  }
  const std::size_t end = std::min(i + 1, text.size());
  std::string raw = text.substr(at + 1, i - at - 1);
  if (escaped) {
    try {
      raw = json::parse(text.substr(at, end - at)).get<std::string>();
    } catch (const json::exception&) {
      // A key that does not decode has no line to find; the raw text is as good a guess.
    }
  }
  return {raw, end};
}

}  // namespace

std::string dotted(const KeyPath& path) {
  std::string out;
  for (const std::string& key : path) out += (out.empty() ? "" : ".") + key;
  return out;
}

std::string describe(const json& value) {
  switch (value.type()) {
    case json::value_t::string:
      return "a string (" + value.dump() + ")";
    case json::value_t::boolean:
      return std::string("a boolean (") + (value.get<bool>() ? "true" : "false") + ")";
    case json::value_t::number_integer:
    case json::value_t::number_unsigned:
    case json::value_t::number_float:
      return "a number (" + value.dump() + ")";
    case json::value_t::array:
      return "an array";
    case json::value_t::object:
      return "an object";
    case json::value_t::null:
      return "null";
    default:
      return "a " + std::string(value.type_name());
  }
}

JsonFile::JsonFile(fs::path file) : file_(std::move(file)) {
  std::ifstream in(file_, std::ios::binary);
  if (!in)
    throw sdk::ConfigError(file_.string(), 0,
                           std::string("expected a readable file, got: ") + std::strerror(errno) +
                               " — check the path and its permissions");
  std::ostringstream text;
  text << in.rdbuf();
  text_ = text.str();
  try {
    root_ = json::parse(text_);
  } catch (const json::parse_error& e) {
    throw sdk::ConfigError(
        file_.string(), line_at(text_, e.byte),
        "invalid JSON: " + parse_error_text(e) + " — fix the syntax on this line");
  }
}

// A small scan of the text that follows objects and arrays and notes each key with its line,
// until it meets `path`. The document parsed, so the scan sees well-formed JSON.
int JsonFile::line_of(const KeyPath& path) const {
  if (path.empty()) return 0;
  struct Frame {
    bool object;
    std::string key;  // the key being read in this object
  };
  std::vector<Frame> stack;
  int line = 1;
  for (std::size_t i = 0; i < text_.size();) {
    const char c = text_[i];
    if (c == '"') {
      auto [value, next] = string_at(text_, i);
      std::size_t after = next;
      while (after < text_.size() && std::strchr(" \t\r\n", text_[after]) != nullptr) ++after;
      const bool is_key =
          after < text_.size() && text_[after] == ':' && !stack.empty() && stack.back().object;
      if (is_key) {
        stack.back().key = std::move(value);
        const bool matches =
            stack.size() == path.size() &&
            std::all_of(stack.begin(), stack.end(), [](const Frame& f) { return f.object; }) &&
            std::equal(stack.begin(), stack.end(), path.begin(),
                       [](const Frame& f, const std::string& key) { return f.key == key; });
        if (matches) return line;
      }
      line += static_cast<int>(std::count(text_.begin() + i, text_.begin() + next, '\n'));
      i = next;
      continue;
    }
    if (c == '\n') ++line;
    if (c == '{' || c == '[') stack.push_back({c == '{', {}});
    if ((c == '}' || c == ']') && !stack.empty()) stack.pop_back();
    ++i;
  }
  return 0;
}

void JsonFile::fail(const KeyPath& path, const std::string& message) const {
  throw sdk::ConfigError(file_.string(), line_of(path), message);
}

}  // namespace vt::core::pvtest
