// The reference's parse_filter(): `a.b..c, d e` into words of blocks of labels.
#include "cartesian/parse_tokens.h"
#include "cartesian/parser.h"

namespace vt::core::cartesian {

Filter Parser::parse_filter(Lexer& lexer, std::vector<Token> tokens) {
  Token endl;
  endl.type = T::end_line;
  tokens.push_back(endl);
  std::size_t i = 0;
  auto next = [&]() -> Token& {
    if (i >= tokens.size()) lexer.fail(ErrorKind::parser, "unexpected end of the filter");
    return tokens[i++];
  };
  auto next_nw = [&]() -> Token& {
    Token* t = &next();
    while (t->type == T::white) t = &next();
    return *t;
  };
  auto chk = [&](const Token& t, Types types) -> const Token& {
    check(lexer, t, types);
    return t;
  };

  Filter or_filters;
  Word and_filter;
  Block con_filter;
  // Ends the current word (at `,`, whitespace or the end); false when there was none.
  auto close_word = [&] {
    if (!and_filter.empty()) {
      if (!con_filter.empty()) and_filter.push_back(std::move(con_filter));
      or_filters.push_back(std::move(and_filter));
    } else if (!con_filter.empty()) {
      or_filters.push_back(Word{std::move(con_filter)});
    } else {
      return false;
    }
    and_filter.clear();
    con_filter.clear();
    return true;
  };
  int dots = 1;
  const Token* token = &chk(next(), {T::identifier, T::lparen, T::end_line, T::white});
  T typet = token->type;
  while (typet != T::end_line) {
    if (typet == T::identifier || typet == T::lparen) {
      Label label;
      if (typet == T::lparen) {
        const Token& ident = chk(next_nw(), {T::identifier});
        const Token& op = chk(next_nw(), {T::op_set, T::rparen});
        if (op.type == T::rparen) {
          label = model_.label(ident.text);
        } else {
          const Token& value = chk(next_nw(), {T::identifier, T::string});
          chk(next_nw(), {T::rparen});
          label = model_.label(ident.text, value.text);
        }
      } else {
        label = model_.label(token->text);
      }
      if (dots == 1) {
        con_filter.push_back(label);
      } else if (dots == 2) {
        and_filter.push_back(std::move(con_filter));
        con_filter = {label};
      } else {
        lexer.fail(ErrorKind::parser,
                   "expected '.', '..', ',' or a space between the labels of a filter");
      }
      dots = 0;
    } else if (typet == T::dot) {
      ++dots;
    } else if (typet == T::comma || typet == T::white) {
      if (dots > 0)
        lexer.fail(ErrorKind::parser, "expected a label between '.' and ',' in a filter");
      if (!close_word()) lexer.fail(ErrorKind::parser, "expected a label before ',' in a filter");
      dots = 1;
      token = &chk(next_nw(), {T::identifier, T::comma, T::dot, T::lparen, T::end_line});
      typet = token->type;
      continue;
    }
    token = &chk(next(), {T::identifier, T::comma, T::dot, T::lparen, T::end_line, T::white});
    typet = token->type;
  }
  close_word();
  return or_filters;
}

// `a .b` and `a, ..b` leave an empty `..` block, which the reference accepts and then fails
// on (IndexError) when it first matches the filter; a syntax error at its line is kinder.
// Dependency lists keep it: there an empty block only means "the context itself".
Filter Parser::parse_match_filter(Lexer& lexer, std::vector<Token> tokens) {
  Filter filter = parse_filter(lexer, std::move(tokens));
  for (const Word& word : filter)
    for (const Block& block : word)
      if (block.empty())
        lexer.fail(ErrorKind::parser,
                   "expected a label before '.': a filter word cannot start with '.'");
  return filter;
}

}  // namespace vt::core::cartesian
