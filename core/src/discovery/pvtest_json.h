// One pv-test@1 test.json, parsed with nlohmann-json, and the line of any of its keys: nlohmann
// keeps no positions, yet every error about a value must point at its line.
#pragma once

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace vt::core::pvtest {

/// Keys from the top of the document down to one value: {"setup", "containers", "tarballs"}.
using KeyPath = std::vector<std::string>;

/// "setup.containers.tarballs", as prior-art and pv-test's docs name the keys.
std::string dotted(const KeyPath& path);

/// "a string (\"x\")", "a boolean (true)", "a number (3)", "an array", ... for "got ..." in
/// messages.
std::string describe(const nlohmann::json& value);

class JsonFile {
 public:
  /// Reads and parses `file`. Throws sdk::ConfigError(file, line, "invalid JSON: ...") at the
  /// line of a syntax error, and for a file that cannot be read.
  explicit JsonFile(std::filesystem::path file);

  const std::filesystem::path& file() const noexcept { return file_; }
  const nlohmann::json& root() const noexcept { return root_; }

  /// The 1-based line where the key `path` is written (the first one, if repeated); 0 when it
  /// is not found, e.g. for an empty path.
  int line_of(const KeyPath& path) const;

  /// Throws sdk::ConfigError(file, line_of(path), message).
  [[noreturn]] void fail(const KeyPath& path, const std::string& message) const;

 private:
  std::filesystem::path file_;
  std::string text_;
  nlohmann::json root_;
};

}  // namespace vt::core::pvtest
