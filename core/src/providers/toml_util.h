// Reading vtrun's TOML files (providers.d/*.toml, vtrun.toml) with one voice: every error is
// an sdk::ConfigError with the file, the line and the key, the expected type and an example.
#pragma once

#include <cstdint>
#include <filesystem>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

#include <toml++/toml.h>

namespace vt::core::toml_util {

/// Parses `file`. Throws sdk::ConfigError(file, line, ...) when it cannot be read or is not
/// valid TOML.
toml::table parse_file(const std::filesystem::path& file);

/// The 1-based line where `node` starts (0 when toml++ does not know it).
int line_of(const toml::node& node);

/// "a string (\"300\")", "an integer (5)", "an array", ... for "got ..." in messages.
std::string describe(const toml::node& node);

/// One table of a file being checked; all errors name `file`.
class Reader {
 public:
  Reader(std::string file, const toml::table& table, std::string where)
      : file_(std::move(file)), table_(table), where_(std::move(where)) {}

  const toml::table& table() const noexcept { return table_; }

  /// Throws on the first key (by line) that is not in `allowed`, listing the allowed keys.
  void check_keys(std::initializer_list<std::string_view> allowed) const;

  bool has(std::string_view key) const { return table_.contains(key); }
  int line_of(std::string_view key) const;

  /// Each getter throws "expected '<key>' to be <type>, got <what> — e.g. <example>" when the
  /// key is present with another type; `example` is a TOML line the user can copy. An absent
  /// key reads as "", {} or 0.
  std::string string(std::string_view key, std::string_view example) const;
  std::vector<std::string> strings(std::string_view key, std::string_view example) const;
  std::int64_t integer(std::string_view key, std::string_view example) const;
  /// false when absent.
  bool boolean(std::string_view key, std::string_view example) const;
  /// A string that must be one of `choices`; "" when absent.
  std::string choice(std::string_view key, std::initializer_list<std::string_view> choices) const;

  [[noreturn]] void fail(int line, const std::string& message) const;
  [[noreturn]] void fail_type(std::string_view key, std::string_view expected,
                              const toml::node& got, std::string_view example) const;

 private:
  std::string file_;
  const toml::table& table_;
  std::string where_;  // "[provider]", "[[test]] 'boot.smoke'": names the table in messages
};

}  // namespace vt::core::toml_util
