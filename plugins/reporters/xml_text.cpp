#include "xml_text.h"

#include <cstdint>

namespace vt::reporters {

namespace {

constexpr std::string_view replacement = "\xEF\xBF\xBD";  // U+FFFD

bool allowed_in_xml(std::uint32_t c) {
  if (c < 0x20) return c == 0x9 || c == 0xA || c == 0xD;
  return c != 0xFFFE && c != 0xFFFF;  // the decoder already rejects surrogates and > U+10FFFF
}

// Bounds of the second byte of a multi-byte sequence, which exclude overlong forms, surrogates
// and code points above U+10FFFF (Unicode, table 3-7).
struct Lead {
  int length = 0;  // 0: not a valid lead byte
  unsigned char second_min = 0x80;
  unsigned char second_max = 0xBF;
};

Lead classify(unsigned char b) {
  if (b >= 0xC2 && b <= 0xDF) return {2};
  if (b == 0xE0) return {3, 0xA0, 0xBF};
  if (b == 0xED) return {3, 0x80, 0x9F};
  if (b >= 0xE1 && b <= 0xEF) return {3};
  if (b == 0xF0) return {4, 0x90, 0xBF};
  if (b >= 0xF1 && b <= 0xF3) return {4};
  if (b == 0xF4) return {4, 0x80, 0x8F};
  return {};
}

}  // namespace

std::string to_xml_text(std::string_view bytes) {
  std::string out;
  out.reserve(bytes.size());
  std::size_t i = 0;
  while (i < bytes.size()) {
    const auto b = static_cast<unsigned char>(bytes[i]);
    if (b < 0x80) {
      if (allowed_in_xml(b))
        out += static_cast<char>(b);
      else
        out += replacement;
      ++i;
      continue;
    }
    const Lead lead = classify(b);
    if (lead.length == 0) {
      out += replacement;
      ++i;
      continue;
    }
    std::uint32_t code = b & (0xFFu >> (lead.length + 1));
    std::size_t used = 1;
    for (; used < static_cast<std::size_t>(lead.length) && i + used < bytes.size(); ++used) {
      const auto c = static_cast<unsigned char>(bytes[i + used]);
      const unsigned char min = used == 1 ? lead.second_min : 0x80;
      const unsigned char max = used == 1 ? lead.second_max : 0xBF;
      if (c < min || c > max) break;
      code = (code << 6) | (c & 0x3Fu);
    }
    if (used == static_cast<std::size_t>(lead.length) && allowed_in_xml(code))
      out.append(bytes.substr(i, used));
    else
      out += replacement;
    i += used;
  }
  return out;
}

}  // namespace vt::reporters
