// Python str semantics the reference parser relies on: splitlines(), strip(), expandtabs(),
// isspace(), isalnum() and repr(), on UTF-8 text.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace vt::core::cartesian::text {

/// Decodes the code point at `s[i]` and advances `i`. A byte that is not valid UTF-8 is
/// returned as itself (0x80..0xFF), so odd input never stops the parser.
char32_t decode_multibyte(std::string_view s, std::size_t& i) noexcept;
inline char32_t decode(std::string_view s, std::size_t& i) noexcept {
  const auto b = static_cast<unsigned char>(s[i]);
  if (b < 0x80) {
    ++i;
    return b;
  }
  return decode_multibyte(s, i);
}

bool is_space_unicode(char32_t c) noexcept;
bool is_alnum_unicode(char32_t c) noexcept;
/// str.isspace()
inline bool is_space(char32_t c) noexcept {
  if (c < 0x80) return c == ' ' || (c >= 0x09 && c <= 0x0D) || (c >= 0x1C && c <= 0x1F);
  return is_space_unicode(c);
}
/// str.isalnum()
inline bool is_alnum(char32_t c) noexcept {
  if (c < 0x80) return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
  return is_alnum_unicode(c);
}

/// str.splitlines() after universal-newline reading (\r\n, \r, \n, \v, \f, \x1c-\x1e,
/// U+0085, U+2028, U+2029 end a line).
std::vector<std::string_view> split_lines(std::string_view s);

std::string_view rstrip(std::string_view s) noexcept;  ///< str.rstrip()
std::string_view lstrip(std::string_view s) noexcept;  ///< str.lstrip()
std::string_view strip(std::string_view s) noexcept;   ///< str.strip()

/// str.expandtabs(8): tab stops every 8 code points.
std::string expand_tabs(std::string_view s);

/// Number of code points.
std::size_t length(std::string_view s) noexcept;

/// repr() of a Python str.
std::string repr(std::string_view s);

}  // namespace vt::core::cartesian::text
