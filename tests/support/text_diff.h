// A short unified-style diff around the first difference of two texts, for failures on outputs
// (dict dumps of thousands of lines) too long to print whole.
#pragma once

#include <algorithm>
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace vt::test_support {

/// The lines of `text` without their '\n'; a final line without '\n' counts as a line.
inline std::vector<std::string_view> split_lines(std::string_view text) {
  std::vector<std::string_view> lines;
  std::size_t start = 0;
  while (start < text.size()) {
    const std::size_t end = text.find('\n', start);
    if (end == std::string_view::npos) {
      lines.push_back(text.substr(start));
      break;
    }
    lines.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return lines;
}

/// Index of the first line that differs, or the common line count when one is a prefix.
inline std::size_t first_differing_line(const std::vector<std::string_view>& a,
                                        const std::vector<std::string_view>& b) {
  std::size_t i = 0;
  while (i < a.size() && i < b.size() && a[i] == b[i]) ++i;
  return i;
}

/// `--- expected` / `+++ actual` and one hunk from the first differing line, aligned by a
/// longest common subsequence over the next `window` lines so that one missing or extra line
/// shows as one line. Prints at most `max_lines` lines of the hunk.
inline std::string short_diff(std::string_view expected, std::string_view actual,
                              std::size_t context = 3, std::size_t window = 60,
                              std::size_t max_lines = 24) {
  const auto a = split_lines(expected);
  const auto b = split_lines(actual);
  const std::size_t first = first_differing_line(a, b);
  if (first == a.size() && first == b.size())
    return expected == actual ? "(no difference)\n"
                              : "(the texts differ only in the newline at the end)\n";

  const std::size_t n = std::min(window, a.size() - first);
  const std::size_t m = std::min(window, b.size() - first);
  std::vector<std::vector<std::size_t>> lcs(n + 1, std::vector<std::size_t>(m + 1, 0));
  for (std::size_t i = n; i-- > 0;)
    for (std::size_t j = m; j-- > 0;)
      lcs[i][j] = a[first + i] == b[first + j] ? lcs[i + 1][j + 1] + 1
                                               : std::max(lcs[i + 1][j], lcs[i][j + 1]);

  std::string out = "--- expected\n+++ actual\n@@ first difference at line " +
                    std::to_string(first + 1) + " @@\n";
  for (std::size_t k = first > context ? first - context : 0; k < first; ++k)
    out += " " + std::string(a[k]) + "\n";
  std::size_t i = 0, j = 0, printed = 0, equal_run = 0;
  while ((i < n || j < m) && printed < max_lines && equal_run < context) {
    if (i < n && j < m && a[first + i] == b[first + j]) {
      out += " " + std::string(a[first + i++]) + "\n";
      ++j;
      ++equal_run;
    } else if (i < n && (j == m || lcs[i + 1][j] >= lcs[i][j + 1])) {
      out += "-" + std::string(a[first + i++]) + "\n";
      equal_run = 0;
    } else {
      out += "+" + std::string(b[first + j++]) + "\n";
      equal_run = 0;
    }
    ++printed;
  }
  if (i < a.size() - first || j < b.size() - first) out += "...\n";
  return out;
}

}  // namespace vt::test_support
