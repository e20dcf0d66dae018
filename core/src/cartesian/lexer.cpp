#include "cartesian/lexer.h"

#include <string_view>
#include <utility>

#include "cartesian/text.h"

namespace vt::core::cartesian {

const char* token_name(T type) noexcept {
  switch (type) {
    case T::indent:
    case T::end_block:
      return "indent";
    case T::end_line:
      return "endl";
    case T::identifier:
      return "Identifier re([A-Za-z0-9][A-Za-z0-9_-]*)";
    case T::white:
      return "WhiteSpace re(\\s)";
    case T::string:
      return "String re(.+)";
    case T::colon:
      return ":";
    case T::variants:
      return "variants";
    case T::dot:
      return ".";
    case T::variant:
      return "-";
    case T::at:
      return "@";
    case T::only:
      return "only";
    case T::suffix:
      return "suffix";
    case T::join:
      return "join";
    case T::no:
      return "no";
    case T::not_cond:
      return "!";
    case T::comma:
      return ",";
    case T::lbracket:
      return "[";
    case T::rbracket:
      return "]";
    case T::lparen:
      return "(";
    case T::rparen:
      return ")";
    case T::include:
      return "include";
    case T::del:
      return "del";
    case T::op_set:
      return "=";
    case T::op_append:
      return "+=";
    case T::op_prepend:
      return "<=";
    case T::op_lazy_set:
      return "~=";
    case T::op_regex_set:
      return "?=";
    case T::op_regex_append:
      return "?+=";
    case T::op_regex_prepend:
      return "?<=";
    case T::error:
      return "error";
  }
  return "?";
}

bool is_operator(T type) noexcept {
  return type >= T::op_set && type <= T::op_regex_prepend;
}

std::string Token::str() const {
  switch (type) {
    case T::identifier:
    case T::string:
    case T::white:
      return text;
    case T::indent:
    case T::end_block:
      return "indent " + std::to_string(indent);
    default:
      return token_name(type);
  }
}

namespace {
bool is_ident_char(char32_t c) noexcept {
  return c == '_' || c == '-' || text::is_alnum(c);
}

bool is_spec_oper(char32_t c) noexcept {
  return c == '+' || c == '<' || c == '?' || c == '~';
}

// tokens_oper: the characters before '=' name the operator.
bool operator_for(std::string_view oper, T& out) noexcept {
  static constexpr std::pair<std::string_view, T> operators[] = {{"", T::op_set},
                                                                 {"+", T::op_append},
                                                                 {"<", T::op_prepend},
                                                                 {"~", T::op_lazy_set},
                                                                 {"?", T::op_regex_set},
                                                                 {"?+", T::op_regex_append},
                                                                 {"?<", T::op_regex_prepend}};
  for (const auto& [text, type] : operators)
    if (oper == text) {
      out = type;
      return true;
    }
  return false;
}

// tokens_map: the characters that are tokens by themselves.
bool single_char_token(char32_t c, T& out) noexcept {
  static constexpr std::pair<char32_t, T> singles[] = {
      {'-', T::variant}, {'.', T::dot},      {':', T::colon},    {'@', T::at},
      {',', T::comma},   {'[', T::lbracket}, {']', T::rbracket}, {'(', T::lparen},
      {')', T::rparen},  {'!', T::not_cond}};
  for (const auto& [ch, type] : singles)
    if (c == ch) {
      out = type;
      return true;
    }
  return false;
}

struct OperatorMatch {
  std::size_t start, end;
  T type;
};

// The leftmost match of `=|+=|<=|~=|?=|?+=|?<=`: every operator ends at the first '='.
std::optional<OperatorMatch> find_operator(std::string_view line) {
  const std::size_t eq = line.find('=');
  if (eq == std::string_view::npos) return std::nullopt;
  std::size_t start = eq;
  if (eq >= 2 && line[eq - 2] == '?' && (line[eq - 1] == '+' || line[eq - 1] == '<'))
    start = eq - 2;
  else if (eq >= 1 && (line[eq - 1] == '+' || line[eq - 1] == '<' || line[eq - 1] == '~' ||
                       line[eq - 1] == '?'))
    start = eq - 1;
  T type = T::op_set;
  operator_for(line.substr(start, eq - start), type);
  return OperatorMatch{start, eq + 1, type};
}

std::size_t skip_spaces(std::string_view line, std::size_t pos) {
  while (pos < line.size()) {
    std::size_t next = pos;
    if (!text::is_space(text::decode(line, next))) break;
    pos = next;
  }
  return pos;
}
}  // namespace

void Lexer::fail(ErrorKind kind, const std::string& message) const {
  throw Error(kind, message, line_text(), reader_.filename(), linenum_);
}

void Lexer::push(T type, std::string text) {
  Token t;
  t.type = type;
  t.text = std::move(text);
  queue_.push_back(std::move(t));
}

// The reference raises lexing errors only when the parser reaches them, after the tokens
// before them on the line: queued as a token, thrown when it is taken.
void Lexer::push_error(ErrorKind kind, std::string message) {
  Token e;
  e.type = T::error;
  e.error_kind = kind;
  e.text = std::move(message);
  queue_.push_back(std::move(e));
  phase_ = Phase::finish_line;
}

// rest_as_string: the rest of the line, from pos_, as one string token.
void Lexer::push_rest_of_line() {
  rest_as_string_ = false;
  push(T::string, std::string(text::lstrip(std::string_view(line_).substr(pos_))));
  phase_ = Phase::finish_line;
}

Token Lexer::next() {
  for (;;) {
    if (queue_head_ < queue_.size()) {
      Token t = std::move(queue_[queue_head_++]);
      if (queue_head_ == queue_.size()) {
        queue_.clear();
        queue_head_ = 0;
      }
      if (t.type == T::error) fail(t.error_kind, t.text);
      return t;
    }
    switch (phase_) {
      case Phase::need_line: {
        const Reader::Next n = reader_.get_next_line(prev_indent_);
        linenum_ = n.linenum;
        Token t;
        t.indent = n.indent;
        if (!n.text) {
          has_line_ = false;
          t.type = T::end_block;
          return t;
        }
        line_ = *n.text;
        has_line_ = true;
        pos_ = 0;
        chars_.clear();
        oper_.clear();
        check_rest_ = false;
        phase_ = Phase::line_start;
        t.type = T::indent;
        return t;
      }
      case Phase::line_start:
        dispatch_keyword();
        phase_ = Phase::after_keyword;
        break;
      case Phase::after_keyword:
        after_keyword();
        break;
      case Phase::strict:
        strict_step();
        break;
      case Phase::finish_line:
        finish_line();
        break;
    }
  }
}

namespace {
// Statement keywords: the prefix that makes one, and whether spaces after it are skipped.
struct Keyword {
  std::string_view prefix;  // with its trailing ' ' (or ':')
  T token;
  bool skip_spaces;
};
constexpr Keyword keywords[] = {
    {"only ", T::only, true}, {"no ", T::no, true},         {"include ", T::include, false},
    {"del ", T::del, true},   {"suffix ", T::suffix, true}, {"join ", T::join, true},
};
}  // namespace

void Lexer::dispatch_keyword() {
  const std::string_view line = line_;
  if (line.starts_with("variants:")) {
    push(T::variants);
    push(T::colon);
    pos_ = 9;
  } else if (line.starts_with("variants ")) {
    push(T::variants);
    pos_ = 8;
  } else if (line[0] == '-') {
    push(T::variant);
    pos_ = 1;
  } else {
    for (const Keyword& k : keywords) {
      if (!line.starts_with(k.prefix)) continue;
      push(k.token);
      pos_ = k.prefix.size() - 1;  // at the space, as the reference leaves it
      if (k.skip_spaces) pos_ = skip_spaces(line, pos_);
      break;
    }
  }
}

void Lexer::after_keyword() {
  const std::string_view line = line_;
  std::optional<OperatorMatch> m;
  std::size_t colon = std::string_view::npos;
  if (fast_ && pos_ == 0) {
    colon = line.find(':');
    m = find_operator(line);
  }
  if (rest_as_string_) {
    push_rest_of_line();
    return;
  }
  if (m && (colon == std::string_view::npos || colon > m->end)) {
    push(T::identifier, std::string(text::rstrip(line.substr(0, m->start))));
    push(m->type);
    push(T::string, std::string(text::lstrip(line.substr(m->end))));
    phase_ = Phase::finish_line;
    return;
  }
  phase_ = Phase::strict;
}

void Lexer::strict_step() {
  const std::string_view line = line_;
  if (check_rest_) {
    check_rest_ = false;
    if (rest_as_string_) {
      push_rest_of_line();
      return;
    }
  }
  if (pos_ >= line.size()) {
    phase_ = Phase::finish_line;
    return;
  }
  std::size_t start = pos_;
  char32_t c = text::decode(line, pos_);
  if (is_ident_char(c)) {
    chars_.append(line.substr(start, pos_ - start));
    return;
  }
  if (is_spec_oper(c)) {
    if (!chars_.empty()) {
      push(T::identifier, chars_);
      oper_.clear();
    }
    chars_.clear();
    oper_ += static_cast<char>(c);
    return;
  }
  if (!chars_.empty()) {
    push(T::identifier, chars_);
    chars_.clear();
  }
  if (text::is_space(c)) {
    bool found = false;
    while (pos_ < line.size()) {
      start = pos_;
      c = text::decode(line, pos_);
      if (!text::is_space(c)) {
        push(T::white);
        found = true;
        break;
      }
    }
    if (!found) {  // cannot happen on an rstripped line; end it like the reference would
      phase_ = Phase::finish_line;
      return;
    }
  }
  T single = T::error;
  if (is_ident_char(c)) {
    chars_.append(line.substr(start, pos_ - start));
  } else if (c == '=') {
    T op = T::op_set;
    if (!operator_for(oper_, op)) {
      push_error(ErrorKind::lexer, "unexpected '" + oper_ + "=' at column " +
                                       std::to_string(text::length(line.substr(0, start)) + 1) +
                                       ": not an operator (=, +=, <=, ~=, ?=, ?+=, ?<=)");
      return;
    }
    push(op);
    oper_.clear();
  } else if (single_char_token(c, single)) {
    push(single);
  } else if (c == '"') {
    const std::size_t close = line.find('"', pos_);
    if (close == std::string_view::npos) {
      push_error(ErrorKind::runtime, "unterminated string: a '\"' without its closing '\"'");
      return;
    }
    // The reference keeps the string's text in its identifier buffer, so it comes again as an
    // identifier at the next separator.
    chars_ = std::string(line.substr(pos_, close - pos_));
    push(T::string, chars_);
    pos_ = close + 1;
  } else if (c == '#') {
    phase_ = Phase::finish_line;
    return;
  } else if (is_spec_oper(c)) {
    oper_ += static_cast<char>(c);
  } else {
    push_error(ErrorKind::lexer,
               "unexpected character '" + std::string(line.substr(start, pos_ - start)) +
                   "' at column " + std::to_string(text::length(line.substr(0, start)) + 1) +
                   ": special characters are allowed only in the value of an assignment");
    return;
  }
  check_rest_ = true;
}

void Lexer::finish_line() {
  if (!chars_.empty()) push(T::identifier, chars_);
  chars_.clear();
  oper_.clear();
  check_rest_ = false;
  push(T::end_line);
  phase_ = Phase::need_line;
}

std::string Lexer::rest_line_as_string() {
  rest_as_string_ = true;
  Token s = next();
  next();
  if (s.type != T::string) fail(ErrorKind::parser, "expected ':' before the end of the line");
  return s.text;
}

}  // namespace vt::core::cartesian
