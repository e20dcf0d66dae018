// Reading tokens the way the reference's parser does (get_next_check, get_until, …), with
// errors that say what was expected and what was found.
#pragma once

#include <initializer_list>
#include <vector>

#include "cartesian/lexer.h"

namespace vt::core::cartesian {

using Types = std::initializer_list<T>;

bool one_of(T t, Types types);
/// check_token(): `token` if it is one of `types`, else a ParserError at the lexer's line.
Token check(Lexer& lexer, Token token, Types types);
/// get_next_check().
Token next_check(Lexer& lexer, Types types);
/// get_next_check_nw(): the same, skipping whitespace first.
Token next_check_nw(Lexer& lexer, Types types);
/// get_until*(): tokens up to and including the first of `end`; whitespace kept or dropped;
/// with `allowed`, every other token must be one of them.
std::vector<Token> until(Lexer& lexer, Types end, bool keep_white, Types allowed = {});
/// rest_line(): the tokens up to the end of the line, which is consumed but not returned.
std::vector<Token> rest_line(Lexer& lexer);

}  // namespace vt::core::cartesian
