#include "cartesian/text.h"

#include <unicode/uchar.h>

#include <cstring>
#include <iterator>

namespace vt::core::cartesian::text {

char32_t decode_multibyte(std::string_view s, std::size_t& i) noexcept {
  const auto b0 = static_cast<unsigned char>(s[i]);
  int extra = 0;
  char32_t cp = 0;
  if ((b0 & 0xE0) == 0xC0) {
    extra = 1;
    cp = b0 & 0x1F;
  } else if ((b0 & 0xF0) == 0xE0) {
    extra = 2;
    cp = b0 & 0x0F;
  } else if ((b0 & 0xF8) == 0xF0) {
    extra = 3;
    cp = b0 & 0x07;
  } else {
    ++i;
    return b0;
  }
  if (i + extra >= s.size()) {
    ++i;
    return b0;
  }
  for (int k = 1; k <= extra; ++k) {
    const auto b = static_cast<unsigned char>(s[i + k]);
    if ((b & 0xC0) != 0x80) {
      ++i;
      return b0;
    }
    cp = (cp << 6) | (b & 0x3F);
  }
  i += extra + 1;
  return cp;
}

bool is_space_unicode(char32_t c) noexcept {
  switch (c) {
    case 0x85:
    case 0xA0:
    case 0x1680:
    case 0x2028:
    case 0x2029:
    case 0x202F:
    case 0x205F:
    case 0x3000:
      return true;
    default:
      return c >= 0x2000 && c <= 0x200A;
  }
}

bool is_alnum_unicode(char32_t c) noexcept {
  const auto cp = static_cast<UChar32>(c);
  // Python: isalpha() is the L* categories; isnumeric() any Numeric_Type.
  if (U_GET_GC_MASK(cp) & U_GC_L_MASK) return true;
  return u_getIntPropertyValue(cp, UCHAR_NUMERIC_TYPE) != U_NT_NONE;
}

namespace {
// Bytes a line break can start with: '\n' first, then the rare ones.
constexpr char break_starts[] = {'\n',   '\r',   '\x0b', '\x0c', '\x1c',
                                 '\x1d', '\x1e', '\xc2', '\xe2'};

struct BreakTable {
  bool set[256] = {};
  BreakTable() {
    for (char b : break_starts) set[static_cast<unsigned char>(b)] = true;
  }
};
const BreakTable break_table;

// Whether `s` has a line break other than '\n' (memchr is vectorised).
bool has_rare_breaks(std::string_view s) {
  for (std::size_t i = 1; i < std::size(break_starts); ++i)
    if (std::memchr(s.data(), break_starts[i], s.size()) != nullptr) return true;
  return false;
}

// Length of the line break starting at s[i], 0 if none.
std::size_t line_break_at(std::string_view s, std::size_t i) noexcept {
  const auto b = static_cast<unsigned char>(s[i]);
  if (b == '\r') return (i + 1 < s.size() && s[i + 1] == '\n') ? 2 : 1;
  if (b == '\n' || b == 0x0B || b == 0x0C || (b >= 0x1C && b <= 0x1E)) return 1;
  if (b == 0xC2 && i + 1 < s.size() && static_cast<unsigned char>(s[i + 1]) == 0x85) return 2;
  if (b == 0xE2 && i + 2 < s.size() && static_cast<unsigned char>(s[i + 1]) == 0x80) {
    const auto b2 = static_cast<unsigned char>(s[i + 2]);
    if (b2 == 0xA8 || b2 == 0xA9) return 3;
  }
  return 0;
}

bool ascii_space(unsigned char b) noexcept {
  return b < 0x80 && is_space(b);
}
}  // namespace

std::vector<std::string_view> split_lines(std::string_view s) {
  std::vector<std::string_view> lines;
  if (!has_rare_breaks(s)) {  // the usual file: only '\n'
    std::size_t start = 0;
    while (start < s.size()) {
      const void* nl = std::memchr(s.data() + start, '\n', s.size() - start);
      const std::size_t end =
          nl ? static_cast<std::size_t>(static_cast<const char*>(nl) - s.data()) : s.size();
      lines.push_back(s.substr(start, end - start));
      start = end + 1;
    }
    return lines;
  }
  std::size_t start = 0;
  std::size_t i = 0;
  while (i < s.size()) {
    if (!break_table.set[static_cast<unsigned char>(s[i])]) {
      ++i;
      continue;
    }
    const std::size_t n = line_break_at(s, i);
    if (n == 0) {
      ++i;
      continue;
    }
    lines.push_back(s.substr(start, i - start));
    i += n;
    start = i;
  }
  if (start < s.size()) lines.push_back(s.substr(start));
  return lines;
}

std::string_view lstrip(std::string_view s) noexcept {
  std::size_t i = 0;
  while (i < s.size() && ascii_space(static_cast<unsigned char>(s[i]))) ++i;
  if (i == s.size() || static_cast<unsigned char>(s[i]) < 0x80) return s.substr(i);
  while (i < s.size()) {
    std::size_t next = i;
    if (!is_space(decode(s, next))) break;
    i = next;
  }
  return s.substr(i);
}

std::string_view rstrip(std::string_view s) noexcept {
  std::size_t n = s.size();
  while (n > 0 && ascii_space(static_cast<unsigned char>(s[n - 1]))) --n;
  if (n == 0 || static_cast<unsigned char>(s[n - 1]) < 0x80) return s.substr(0, n);
  std::size_t end = 0;  // end of the last non-space code point
  std::size_t i = 0;
  while (i < s.size()) {
    const char32_t c = decode(s, i);
    if (!is_space(c)) end = i;
  }
  return s.substr(0, end);
}

std::string_view strip(std::string_view s) noexcept {
  return rstrip(lstrip(s));
}

std::string expand_tabs(std::string_view s) {
  if (s.find('\t') == std::string_view::npos) return std::string(s);
  std::string out;
  std::size_t column = 0;
  std::size_t i = 0;
  while (i < s.size()) {
    const std::size_t start = i;
    const char32_t c = decode(s, i);
    if (c == '\t') {
      const std::size_t spaces = 8 - column % 8;
      out.append(spaces, ' ');
      column += spaces;
    } else {
      out.append(s.substr(start, i - start));
      ++column;
      if (c == '\n' || c == '\r') column = 0;
    }
  }
  return out;
}

std::size_t length(std::string_view s) noexcept {
  std::size_t i = 0;
  while (i < s.size() && static_cast<unsigned char>(s[i]) < 0x80) ++i;
  std::size_t n = i;
  while (i < s.size()) {
    decode(s, i);
    ++n;
  }
  return n;
}

namespace {
bool is_printable(char32_t c) noexcept {
  if (c < 0x80) return c >= 0x20 && c < 0x7F;
  if (c <= 0xFF && c < 0xA0) return false;
  if (c == 0xAD) return false;
  const auto t = u_charType(static_cast<UChar32>(c));
  switch (t) {
    case U_CONTROL_CHAR:
    case U_FORMAT_CHAR:
    case U_SURROGATE:
    case U_PRIVATE_USE_CHAR:
    case U_UNASSIGNED:
    case U_LINE_SEPARATOR:
    case U_PARAGRAPH_SEPARATOR:
    case U_SPACE_SEPARATOR:
      return false;
    default:
      return true;
  }
}

void append_hex(std::string& out, char32_t c, int digits) {
  static const char* hex = "0123456789abcdef";
  for (int shift = (digits - 1) * 4; shift >= 0; shift -= 4) out += hex[(c >> shift) & 0xF];
}
}  // namespace

std::string repr(std::string_view s) {
  const bool has_single = s.find('\'') != std::string_view::npos;
  const bool has_double = s.find('"') != std::string_view::npos;
  const char quote = (has_single && !has_double) ? '"' : '\'';
  std::string out(1, quote);
  out.reserve(s.size() + 2);
  for (std::size_t i = 0; i < s.size();) {
    std::size_t j = i;
    while (j < s.size()) {
      const auto b = static_cast<unsigned char>(s[j]);
      if (b < 0x20 || b >= 0x7F || b == '\\' || b == static_cast<unsigned char>(quote)) break;
      ++j;
    }
    if (j > i) {  // a run that needs no escaping
      out.append(s.substr(i, j - i));
      i = j;
      continue;
    }
    const std::size_t start = i;
    const char32_t c = decode(s, i);
    if (c == static_cast<char32_t>(quote) || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c == '\t') {
      out += "\\t";
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\r') {
      out += "\\r";
    } else if (is_printable(c)) {
      out.append(s.substr(start, i - start));
    } else if (c <= 0xFF) {
      out += "\\x";
      append_hex(out, c, 2);
    } else if (c <= 0xFFFF) {
      out += "\\u";
      append_hex(out, c, 4);
    } else {
      out += "\\U";
      append_hex(out, c, 8);
    }
  }
  out += quote;
  return out;
}

}  // namespace vt::core::cartesian::text
