// Python str semantics the reference parser relies on: splitlines(), strip(), expandtabs(),
// isspace(), isalnum() and repr(), on UTF-8 text.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace vt::core::cartesian::text {

/// Decodes the code point at `s[i]` and advances `i`. A byte that is not valid UTF-8 is
/// returned as itself (0x80..0xFF), so odd input never stops the parser.
char32_t decode(std::string_view s, std::size_t& i) noexcept;

bool is_space(char32_t c) noexcept;  ///< str.isspace()
bool is_alnum(char32_t c) noexcept;  ///< str.isalnum()

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
