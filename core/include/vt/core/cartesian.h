// Avocado-VT's Cartesian configuration language: parse `.cfg` files and stream the dicts they
// expand to, dict for dict what Avocado-VT's own parser produces
// (docs/cartesian.md; the reference's behaviour is pinned down in shared/conformance/cartesian).
//
// Heavy machinery (lexer, tree, expander) stays in core/src/cartesian; this header is light.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "vt/sdk/error.h"

namespace vt::core::cartesian {

/// Which of the reference parser's exceptions a failure corresponds to.
enum class ErrorKind {
  parser,           ///< ParserError: a syntax error
  lexer,            ///< LexerError (a ParserError): a character not allowed there
  missing_include,  ///< MissingIncludeError: `include` of something that is not a regular file
  value,            ///< ValueError: while generating (`_max`/`_min` compare, `join` names)
  runtime,          ///< RuntimeError: an unterminated `"` in a variants/filter line
};

const char* to_string(ErrorKind kind) noexcept;

/// A configuration error with the reference's file and line (line -1: at the end of input).
class Error : public sdk::ConfigError {
 public:
  Error(ErrorKind kind, std::string message, std::string line_text, std::string filename,
        int linenum);
  ~Error() override;
  ErrorKind kind() const noexcept { return kind_; }
  const std::string& message() const noexcept { return message_; }
  const std::string& line_text() const noexcept { return line_text_; }  ///< may be empty
  const std::string& filename() const noexcept { return filename_; }
  int linenum() const noexcept { return linenum_; }

 private:
  ErrorKind kind_;
  std::string message_;
  std::string line_text_;
  std::string filename_;
  int linenum_;
};

struct Options {
  bool defaults = false;                     ///< only each block's default variant (`-d`)
  std::vector<std::string> expand_defaults;  ///< named blocks expanded anyway (`-e`)
  bool skip_dups = true;                     ///< merge suffixed keys with equal values (`-s` off)
};

/// One expanded dict. Valid only during the callback that receives it.
class Dict {
 public:
  virtual ~Dict();
  virtual std::string_view name() const = 0;
  virtual std::string_view shortname() const = 0;
  virtual const std::vector<std::string>& dep() const = 0;
  /// Every key with its value as Python's str() prints it (`dep` and the `_*_map_file` keys
  /// in repr form), sorted by key code point: the corpus's `.expected` body.
  virtual std::vector<std::pair<std::string, std::string>> items() const = 0;
  /// The value of one key as str() prints it; nullopt when absent.
  virtual std::optional<std::string> get(std::string_view key) const = 0;
  /// items() without copies: `fn(key, value)` in the same order.
  virtual void visit_items(
      const std::function<void(std::string_view key, std::string_view value)>& fn) const = 0;
};

enum class Detail {
  names,  ///< only name(), shortname() and dep() are meaningful; values are not computed
  full,   ///< every key
};

/// A parsed configuration. Parse files and statements in order, then enumerate.
/// Not thread-safe; enumerate from one thread at a time.
class Config {
 public:
  explicit Config(Options options = {});
  ~Config();
  Config(const Config&) = delete;
  Config& operator=(const Config&) = delete;

  /// Parses a file; relative `include`s resolve against its directory. Throws Error.
  void parse_file(const std::filesystem::path& file);
  /// Parses `text` as if it were the contents of `file`: that name in `_name_map_file` and
  /// errors, relative includes against its folder; `file` itself is not read. Throws Error.
  void parse_text(std::string_view text, const std::filesystem::path& file);
  /// Parses statements as if they followed everything parsed so far (file name `<string>`).
  void parse_string(std::string_view text);

  /// Streams dicts in the reference's order, one at a time, without materialising the matrix.
  /// `sink` returns false to stop early. Throws Error (ValueError kinds) while generating.
  /// Returns the number of dicts delivered.
  std::uint64_t for_each(const std::function<bool(const Dict&)>& sink,
                         Detail detail = Detail::full);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

/// Writes one dict the way the corpus's `.expected` files and `vtrun cartesian -c` show it:
/// `dict N: <name>` then `    key = value` lines.
std::string format_dict(std::uint64_t number, const Dict& dict, bool fullname, bool contents);

}  // namespace vt::core::cartesian
