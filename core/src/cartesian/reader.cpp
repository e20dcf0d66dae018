#include "cartesian/reader.h"

#include "cartesian/text.h"

namespace vt::core::cartesian {

Reader::Reader(std::string text, std::string filename, bool is_file)
    : text_(std::move(text)), filename_(std::move(filename)), is_file_(is_file) {
  int linenum = 0;
  for (std::string_view raw : text::split_lines(text_)) {
    ++linenum;
    std::string_view line = text::rstrip(raw);
    if (line.find('\t') != std::string_view::npos) {
      expanded_.push_back(text::expand_tabs(line));
      line = expanded_.back();
    }
    std::size_t spaces = 0;  // the usual indentation: ASCII spaces only
    while (spaces < line.size() && line[spaces] == ' ') ++spaces;
    const bool plain = spaces == line.size() || static_cast<unsigned char>(line[spaces]) < 0x80;
    const std::string_view stripped =
        plain ? text::lstrip(line.substr(spaces)) : text::lstrip(line);
    if (stripped.empty() || stripped[0] == '#' || stripped.substr(0, 2) == "//") continue;
    const auto prefix = static_cast<std::size_t>(stripped.data() - line.data());
    const int indent = prefix == spaces ? static_cast<int>(spaces)
                                        : static_cast<int>(text::length(line.substr(0, prefix)));
    lines_.push_back(Line{stripped, indent, linenum});
  }
}

Reader::Next Reader::get_next_line(int prev_indent) {
  if (stored_) {
    current_text_.swap(stored_text_);
    current_ = Line{current_text_, stored_->indent, stored_->linenum};
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
  if (stripped.empty()) return;
  stored_text_.assign(stripped);
  stored_ = Line{stored_text_, indent, linenum};
}

}  // namespace vt::core::cartesian
