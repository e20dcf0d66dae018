// Which files a Cartesian provider section starts from: its `configs`, else its `tests.cfg`,
// else a subtests.cfg generated from `tests/cfg/*.cfg` the way Avocado-VT's bootstrap writes
// it. Errors in generated text are reported at the line of the user's file it came from.
#pragma once

#include <filesystem>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "vt/core/cartesian.h"
#include "vt/core/cartesian_loader.h"

namespace vt::core::detail {

/// A place in a user's file (line 0: the whole file, -1: its end).
struct Place {
  std::filesystem::path file;
  int line = 0;
};

class CartesianEntry {
 public:
  /// Finds the entry of `source` and, for the tests/cfg layout, generates the subtests.cfg
  /// text. Throws sdk::ConfigError for a missing entry.
  explicit CartesianEntry(const CartesianSource& source);

  /// False when the layout holds no subtest at all (every tests/cfg file is empty).
  bool has_tests() const noexcept { return !files_.empty() || !generated_text_.empty(); }

  /// Parses the entry files, then the extra statements, into `config`. Throws as rethrow().
  void parse_into(cartesian::Config& config) const;

  /// Runs `body`, rethrowing a cartesian::Error at the user's place (rethrow()).
  void with_user_places(const std::function<void()>& body) const;

  /// The place of the subtest a dict called `dict_name` comes from; the entry file otherwise.
  Place place_of(std::string_view dict_name) const;

 private:
  void generate_subtests(const std::vector<std::filesystem::path>& cfg_files);
  void add_statements(const std::vector<std::string>& statements);
  /// Called while a cartesian::Error is handled: throws it again, moved to the user's file
  /// when it points into generated text.
  [[noreturn]] void rethrow(const cartesian::Error& error) const;

  std::vector<std::filesystem::path> files_;  // parsed in this order
  Place default_place_;
  std::string provider_;

  // The tests/cfg layout: the generated text, the name it is parsed under, and where each of
  // its lines came from.
  std::string generated_text_;  // empty: nothing generated
  std::filesystem::path generated_file_;
  struct Origin {
    Place place;
    std::size_t indent = 0;  // spaces added in front of the user's line
  };
  std::vector<Origin> origins_;                         // [n - 1]: line n of the generated file
  std::map<std::string, Place, std::less<>> subtests_;  // first label of a subtest -> place

  // --only, --no and --cartesian, parsed as one text after the files.
  std::string statements_text_;
  std::vector<std::string> statements_;
  std::vector<std::size_t> statement_of_line_;  // [n - 1]: statement holding line n
};

}  // namespace vt::core::detail
