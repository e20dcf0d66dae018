// Builds the model from configuration text, statement by statement as the reference does
// (including where it batches plain assignments), so the tree and its errors are the same.
#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "cartesian/lexer.h"
#include "cartesian/model.h"
#include "cartesian/pre_dict.h"
#include "vt/core/cartesian.h"

namespace vt::core::cartesian {

class Parser {
 public:
  Parser(Model& model, const Options& options) : model_(model), options_(options) {}

  void parse_file(const std::filesystem::path& file);
  void parse_text(std::string text, const std::filesystem::path& file);
  void parse_string(std::string_view text);

 private:
  // What a statement block adds to: a node, or a conditional block's content.
  struct Target {
    Node* node = nullptr;
    Item* cond = nullptr;
    std::vector<Item*>& content() const { return node ? node->content : cond->content; }
  };
  // `[name]` (true) or `[name=tokens]` of a variants line, by name.
  using Meta = std::map<std::string, std::vector<std::variant<bool, std::vector<Token>>>>;
  // The state of one call of the reference's _parse(): one block of statements.
  struct Frame {
    Frame(Target t, int indent, const KeyTable& keys) : node(t), prev_indent(indent), pre(keys) {}
    Target node;
    int prev_indent;
    bool in_variants = false;  // after a `variants` line: only `- entry:` lines may follow
    int var_indent = 0;
    std::string var_name;
    Meta meta;
    PreDict pre;
    std::optional<Op> suffix;
  };

  Target parse(Lexer& lexer, Target target, int prev_indent);
  void parse_assignment_or_condition(Lexer& lexer, Frame& f, Token first, int indent);
  void parse_condition(Lexer& lexer, Frame& f, ItemKind kind, Filter filter, int indent);
  void parse_variants_line(Lexer& lexer, Frame& f, int indent);
  void parse_variant_entries(Lexer& lexer, Frame& f, int indent);
  void add_filter(Lexer& lexer, Frame& f, T keyword);
  void add_del(Lexer& lexer, Frame& f);
  void set_suffix(Lexer& lexer, Frame& f);
  void parse_include(Lexer& lexer, Frame& f);
  Filter parse_filter(Lexer& lexer, std::vector<Token> tokens);
  /// A filter that will be matched against contexts (not a dependency list).
  Filter parse_match_filter(Lexer& lexer, std::vector<Token> tokens);

  Model& model_;
  const Options& options_;
  int include_depth_ = 0;  // a file that includes itself would otherwise recurse forever
};

}  // namespace vt::core::cartesian
