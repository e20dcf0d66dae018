// Lines of a configuration as the reference reads them: split like str.splitlines(),
// right-stripped, tabs expanded, comment and empty lines dropped, indentation measured.
#pragma once

#include <deque>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace vt::core::cartesian {

class Reader {
 public:
  /// `filename` is what errors and `_name_map_file` show: the path as given, or `<string>`.
  Reader(std::string text, std::string filename, bool is_file);

  struct Next {
    const std::string_view* text;  ///< nullptr: the block ended (or the input)
    int indent;                    ///< of the next line; -1 at the end of input
    int linenum;                   ///< of the next line; -1 at the end of input
  };
  /// The next line if it is indented deeper than `prev_indent`; a stored line always comes.
  Next get_next_line(int prev_indent);
  /// Makes the next get_next_line() return `line` (stripped), unless it is empty.
  void set_next_line(std::string_view line, int indent, int linenum);

  const std::string& filename() const noexcept { return filename_; }
  bool is_file() const noexcept { return is_file_; }

 private:
  struct Line {
    std::string_view text;  // into text_, expanded_ or the stored line
    int indent;
    int linenum;
  };
  std::string text_;
  std::deque<std::string> expanded_;  // lines whose tabs were expanded
  std::vector<Line> lines_;
  std::size_t index_ = 0;
  std::optional<Line> stored_;
  std::string stored_text_;
  std::string current_text_;
  Line current_;
  std::string filename_;
  bool is_file_;
};

}  // namespace vt::core::cartesian
