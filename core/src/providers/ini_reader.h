// A reader for the INI dialect of Python 3's `configparser.ConfigParser()` with its defaults,
// because Avocado-VT reads test-providers.d that way and the same files must mean the same
// thing to vtrun (DESIGN.md, "Test providers").
#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace vt::core::ini {

/// One `key = value`: the value as configparser stores it (continuation lines joined with
/// "\n", trailing blank lines dropped), before `%(name)s` interpolation.
struct Option {
  std::string raw;
  int line = 0;  ///< line of the key
};

struct Section {
  std::string name;  ///< as written between the brackets (case-sensitive, not stripped)
  int line = 0;      ///< line of the (first) header; 0 for an absent [DEFAULT]
  std::map<std::string, Option> options;  ///< by lower-cased key
};

/// A parsed file. Value type; immutable after parsing.
class File {
 public:
  /// Parses `text` as read from `file_name` (used in errors only). Throws sdk::ConfigError
  /// (file, line, message) on the first line configparser would reject.
  static File parse(std::string_view text, const std::string& file_name);

  /// Reads and parses `path`. Throws sdk::ConfigError when it cannot be read or parsed.
  static File read(const std::filesystem::path& path);

  const std::string& file_name() const noexcept { return file_name_; }

  /// Section names in file order, without DEFAULT (configparser's `sections()`).
  std::vector<std::string> section_names() const;
  const Section* section(std::string_view name) const;
  const Section& defaults() const noexcept { return defaults_; }

  /// The option as `get(section, key, raw=True)` finds it: the section's own, else
  /// [DEFAULT]'s; nullptr when either the section or the key is absent.
  const Option* find(std::string_view section, std::string_view key) const;

  /// configparser's `get(section, key)`: nullopt when absent, else the value with `%(name)s`
  /// and `%%` interpolated. Throws sdk::ConfigError at the key's line on a bad '%'.
  std::optional<std::string> get(std::string_view section, std::string_view key) const;

 private:
  std::string file_name_;
  Section defaults_{"DEFAULT", 0, {}};
  std::vector<Section> sections_;
};

}  // namespace vt::core::ini
