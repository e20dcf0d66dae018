#include "providers/toml_util.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "vt/sdk/error.h"

namespace vt::core::toml_util {
namespace {

std::string in_quotes(std::string_view s) {
  return "'" + std::string(s) + "'";
}

std::string in_quotes_list(std::initializer_list<std::string_view> items) {
  std::string out;
  for (const std::string_view item : items) {
    if (!out.empty()) out += ", ";
    out += in_quotes(item);
  }
  return out;
}

}  // namespace

toml::table parse_file(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    throw sdk::ConfigError(file.string(), 0,
                           std::string("expected a readable file, got: ") + std::strerror(errno) +
                               " — check the path and its permissions");
  }
  std::ostringstream text;
  text << in.rdbuf();
  try {
    return toml::parse(text.str(), file.string());
  } catch (const toml::parse_error& err) {
    std::string description(err.description());
    if (!description.empty() && description[0] >= 'A' && description[0] <= 'Z') {
      description[0] = static_cast<char>(description[0] - 'A' + 'a');
    }
    throw sdk::ConfigError(file.string(), static_cast<int>(err.source().begin.line),
                           "invalid TOML: " + description + " — fix the syntax on this line");
  }
}

int line_of(const toml::node& node) {
  return static_cast<int>(node.source().begin.line);
}

std::string describe(const toml::node& node) {
  switch (node.type()) {
    case toml::node_type::string:
      return "a string (\"" + node.as_string()->get() + "\")";
    case toml::node_type::integer:
      return "an integer (" + std::to_string(node.as_integer()->get()) + ")";
    case toml::node_type::floating_point: {
      std::ostringstream out;
      out << node.as_floating_point()->get();
      return "a float (" + out.str() + ")";
    }
    case toml::node_type::boolean:
      return node.as_boolean()->get() ? "a boolean (true)" : "a boolean (false)";
    case toml::node_type::array:
      return "an array";
    case toml::node_type::table:
      return "a table";
    case toml::node_type::date:
      return "a date";
    case toml::node_type::time:
      return "a time";
    case toml::node_type::date_time:
      return "a date-time";
    case toml::node_type::none:
      break;
  }
  return "nothing";
}

void Reader::fail(int line, const std::string& message) const {
  throw sdk::ConfigError(file_, line, message);
}

void Reader::fail_type(std::string_view key, std::string_view expected, const toml::node& got,
                       std::string_view example) const {
  fail(toml_util::line_of(got), "expected " + in_quotes(key) + " to be " + std::string(expected) +
                                    ", got " + describe(got) + " — e.g. " + std::string(example));
}

void Reader::check_keys(std::initializer_list<std::string_view> allowed) const {
  const toml::key* unknown = nullptr;
  for (auto&& [key, value] : table_) {
    if (std::find(allowed.begin(), allowed.end(), key.str()) != allowed.end()) continue;
    // toml++ iterates keys in sorted order; report the first one in the file instead.
    if (unknown == nullptr || key.source().begin.line < unknown->source().begin.line) {
      unknown = &key;
    }
  }
  if (unknown != nullptr) {
    fail(static_cast<int>(unknown->source().begin.line),
         "expected one of " + in_quotes_list(allowed) + " in " + where_ + ", got " +
             in_quotes(unknown->str()) + " — fix the spelling or remove the key");
  }
}

int Reader::line_of(std::string_view key) const {
  const toml::node* node = table_.get(key);
  return node != nullptr ? toml_util::line_of(*node) : 0;
}

std::string Reader::string(std::string_view key, std::string_view example) const {
  const toml::node* node = table_.get(key);
  if (node == nullptr) return {};
  if (!node->is_string()) fail_type(key, "a string", *node, example);
  return node->as_string()->get();
}

std::vector<std::string> Reader::strings(std::string_view key, std::string_view example) const {
  std::vector<std::string> out;
  const toml::node* node = table_.get(key);
  if (node == nullptr) return out;
  const toml::array* array = node->as_array();
  if (array == nullptr) fail_type(key, "an array of strings", *node, example);
  for (const toml::node& item : *array) {
    if (!item.is_string()) fail_type(key, "an array of strings", item, example);
    out.push_back(item.as_string()->get());
  }
  return out;
}

std::int64_t Reader::integer(std::string_view key, std::string_view example) const {
  const toml::node* node = table_.get(key);
  if (node == nullptr) return 0;
  if (!node->is_integer()) fail_type(key, "an integer", *node, example);
  return node->as_integer()->get();
}

bool Reader::boolean(std::string_view key, std::string_view example) const {
  const toml::node* node = table_.get(key);
  if (node == nullptr) return false;
  if (!node->is_boolean()) fail_type(key, "true or false", *node, example);
  return node->as_boolean()->get();
}

std::string Reader::choice(std::string_view key,
                           std::initializer_list<std::string_view> choices) const {
  if (!has(key)) return {};
  const std::string example = std::string(key) + " = \"" + std::string(*choices.begin()) + "\"";
  const std::string value = string(key, example);
  if (std::find(choices.begin(), choices.end(), value) == choices.end()) {
    fail(line_of(key), "expected " + in_quotes(key) + " to be one of " + in_quotes_list(choices) +
                           ", got " + in_quotes(value) + " — use one of them");
  }
  return value;
}

}  // namespace vt::core::toml_util
