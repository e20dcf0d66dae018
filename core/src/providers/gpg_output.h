// Reading what gpg prints: its status lines (`--status-fd`, `--raw` through git), its
// escapes, and its human messages, for signature_check.cpp.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace vt::core::gpg {

/// gpg's own words for a message: its lines, joined, without the "gpg: " prefixes, quoted
/// ("nothing" when it said nothing), at most 300 characters.
std::string gpg_said(const std::string& text);

/// Undoes gpg's escapes, `\xHH` in --with-colons listings and `%HH` in status lines, keeping
/// control characters out of messages and files.
std::string unescape(std::string_view text);

/// `text` split at every `separator`.
std::vector<std::string> split(std::string_view text, char separator);

/// One `[GNUPG:] KEYWORD args...` line.
struct StatusLine {
  std::string keyword;
  std::vector<std::string> args;  ///< split at spaces
  std::string rest;               ///< everything after the keyword (user ids have spaces)
};

/// The status lines in `text`; other lines are skipped.
std::vector<StatusLine> parse_status(const std::string& text);

/// The first line with `keyword`, or nullptr.
const StatusLine* find(const std::vector<StatusLine>& lines, std::string_view keyword);

}  // namespace vt::core::gpg
