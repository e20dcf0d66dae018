#include "providers/gpg_output.h"

#include <algorithm>
#include <cctype>
#include <sstream>

namespace vt::core::gpg {

std::string gpg_said(const std::string& text) {
  std::istringstream in(text);
  std::string line;
  std::string said;
  while (std::getline(in, line)) {
    if (line.rfind("gpg: ", 0) == 0) line.erase(0, 5);
    if (line.empty() || line.rfind("[GNUPG:]", 0) == 0) continue;
    if (!said.empty()) said += "; ";
    said += line;
  }
  if (said.size() > 300) said = said.substr(0, 300) + "…";
  return said.empty() ? "nothing" : "'" + said + "'";
}

std::string unescape(std::string_view text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const std::size_t hex = text.substr(i, 2) == "\\x" ? i + 2 : text[i] == '%' ? i + 1 : 0;
    unsigned value = static_cast<unsigned char>(text[i]);
    if (hex != 0 && hex + 2 <= text.size() &&
        std::isxdigit(static_cast<unsigned char>(text[hex])) != 0 &&
        std::isxdigit(static_cast<unsigned char>(text[hex + 1])) != 0) {
      value = static_cast<unsigned>(std::stoul(std::string(text.substr(hex, 2)), nullptr, 16));
      i = hex + 1;
    }
    out += value < 0x20 ? '?' : static_cast<char>(value);
  }
  return out;
}

std::vector<std::string> split(std::string_view text, char separator) {
  std::vector<std::string> parts;
  std::size_t start = 0;
  for (;;) {
    const auto end = text.find(separator, start);
    parts.emplace_back(text.substr(start, end - start));
    if (end == std::string_view::npos) return parts;
    start = end + 1;
  }
}

std::vector<StatusLine> parse_status(const std::string& text) {
  std::vector<StatusLine> lines;
  std::istringstream in(text);
  std::string line;
  constexpr std::string_view prefix = "[GNUPG:] ";
  while (std::getline(in, line)) {
    if (line.rfind(prefix, 0) != 0) continue;
    line.erase(0, prefix.size());
    StatusLine status;
    const auto space = line.find(' ');
    status.keyword = line.substr(0, space);
    if (space != std::string::npos) status.rest = line.substr(space + 1);
    if (!status.rest.empty()) status.args = split(status.rest, ' ');
    lines.push_back(std::move(status));
  }
  return lines;
}

const StatusLine* find(const std::vector<StatusLine>& lines, std::string_view keyword) {
  const auto it = std::find_if(lines.begin(), lines.end(),
                               [&](const StatusLine& l) { return l.keyword == keyword; });
  return it == lines.end() ? nullptr : &*it;
}

}  // namespace vt::core::gpg
