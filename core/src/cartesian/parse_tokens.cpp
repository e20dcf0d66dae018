#include "cartesian/parse_tokens.h"

#include <algorithm>
#include <string>

namespace vt::core::cartesian {

namespace {

// How a token type reads in a message for people.
std::string spelled(T t) {
  switch (t) {
    case T::identifier:
      return "a name";
    case T::string:
      return "a value";
    case T::white:
      return "a space";
    case T::indent:
    case T::end_block:
      return "a new line";
    case T::end_line:
      return "the end of the line";
    default:
      return std::string("'") + token_name(t) + "'";
  }
}

std::string names_of(Types types) {
  std::string out;
  std::size_t i = 0;
  for (T t : types) {
    if (i > 0) out += i + 1 == types.size() ? " or " : ", ";
    out += spelled(t);
    ++i;
  }
  return out;
}

std::string found(const Token& t) {
  if (t.type == T::identifier || t.type == T::string) return spelled(t.type) + " '" + t.text + "'";
  return spelled(t.type);
}

[[noreturn]] void unexpected(Lexer& lexer, const Token& token, Types expected) {
  lexer.fail(ErrorKind::parser, "expected " + names_of(expected) + ", found " + found(token));
}

}  // namespace

bool one_of(T t, Types types) {
  return std::find(types.begin(), types.end(), t) != types.end();
}

Token check(Lexer& lexer, Token token, Types types) {
  if (!one_of(token.type, types)) unexpected(lexer, token, types);
  return token;
}

Token next_check(Lexer& lexer, Types types) {
  return check(lexer, lexer.next(), types);
}

Token next_check_nw(Lexer& lexer, Types types) {
  Token t = lexer.next();
  while (t.type == T::white) t = lexer.next();
  return check(lexer, std::move(t), types);
}

std::vector<Token> until(Lexer& lexer, Types end, bool keep_white, Types allowed) {
  std::vector<Token> out;
  for (;;) {
    Token t = lexer.next();
    const bool last = one_of(t.type, end);
    if (!last && allowed.size() != 0 && !one_of(t.type, allowed)) unexpected(lexer, t, allowed);
    if (keep_white || t.type != T::white) out.push_back(std::move(t));
    if (last) return out;
  }
}

std::vector<Token> rest_line(Lexer& lexer) {
  std::vector<Token> out;
  for (Token t = lexer.next(); t.type != T::end_line; t = lexer.next()) out.push_back(std::move(t));
  return out;
}

}  // namespace vt::core::cartesian
