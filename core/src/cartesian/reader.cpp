#include "cartesian/reader.h"

#include "cartesian/text.h"

namespace vt::core::cartesian {

Reader::Reader(std::string_view text, std::string filename, bool is_file)
    : filename_(std::move(filename)), is_file_(is_file) {
  int linenum = 0;
  for (std::string_view raw : text::split_lines(text)) {
    ++linenum;
    std::string line = text::expand_tabs(text::rstrip(raw));
    const std::string_view stripped = text::lstrip(line);
    if (stripped.empty() || stripped[0] == '#' || stripped.substr(0, 2) == "//") continue;
    const int indent = static_cast<int>(text::length(line) - text::length(stripped));
    lines_.push_back(Line{std::string(stripped), indent, linenum});
  }
}

Reader::Next Reader::get_next_line(int prev_indent) {
  if (stored_) {
    current_ = std::move(*stored_);
    stored_.reset();
    return {&current_.text, current_.indent, current_.linenum};
  }
  if (index_ >= lines_.size()) return {nullptr, -1, -1};
  const Line& line = lines_[index_];
  if (line.indent <= prev_indent) return {nullptr, line.indent, line.linenum};
  ++index_;
  return {&line.text, line.indent, line.linenum};
}

void Reader::set_next_line(std::string_view line, int indent, int linenum) {
  const std::string_view stripped = text::strip(line);
  if (!stripped.empty()) stored_ = Line{std::string(stripped), indent, linenum};
}

}  // namespace vt::core::cartesian
