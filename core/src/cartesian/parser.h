// Builds the model from configuration text, statement by statement as the reference does
// (including where it batches plain assignments), so the tree and its errors are the same.
#pragma once

#include <filesystem>
#include <string_view>
#include <vector>

#include "cartesian/lexer.h"
#include "cartesian/model.h"
#include "vt/core/cartesian.h"

namespace vt::core::cartesian {

class Parser {
 public:
  Parser(Model& model, const Options& options) : model_(model), options_(options) {}

  void parse_file(const std::filesystem::path& file);
  void parse_string(std::string_view text);

 private:
  // What a statement block adds to: a node, or a conditional block's content.
  struct Target {
    Node* node = nullptr;
    Item* cond = nullptr;
    std::vector<Item*>& content() const { return node ? node->content : cond->content; }
  };
  class PreDict;

  Target parse(Lexer& lexer, Target target, int prev_indent);
  Filter parse_filter(Lexer& lexer, std::vector<Token> tokens);
  /// A filter that will be matched against contexts (not a dependency list).
  Filter parse_match_filter(Lexer& lexer, std::vector<Token> tokens);
  Target parse_include(Lexer& lexer, Target target, PreDict& pre);

  Model& model_;
  const Options& options_;
  int include_depth_ = 0;  // a file that includes itself would otherwise recurse forever
};

}  // namespace vt::core::cartesian
