// Small text helpers of the appengine plugin: engine output and shell command lines.
#pragma once

#include <string>
#include <vector>

namespace vt::appengine {

/// The whitespace-separated words of `line` (no quoting: params document it so).
std::vector<std::string> words(const std::string& line);
/// `s` without leading and trailing blanks, CRs and newlines.
std::string trimmed(std::string s);
/// The last line of trimmed(`s`): what an engine or a probe said last.
std::string last_line(const std::string& s);
/// `s` as one single-quoted sh word.
std::string quoted(const std::string& s);

}  // namespace vt::appengine
