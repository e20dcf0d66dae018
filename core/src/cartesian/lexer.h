// The reference's lexer, token for token. It is lazy on purpose: the parser switches it between
// the fast (assignment) and strict modes and asks for "the rest of the line" between tokens,
// and which error the reference reports depends on how far the line had been read.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "cartesian/reader.h"
#include "vt/core/cartesian.h"

namespace vt::core::cartesian {

enum class T : unsigned char {
  indent,
  end_block,
  end_line,
  identifier,
  white,
  string,
  colon,
  variants,
  dot,
  variant,
  at,
  only,
  suffix,
  join,
  no,
  not_cond,
  comma,
  lbracket,
  rbracket,
  lparen,
  rparen,
  include,
  del,
  op_set,
  op_append,
  op_prepend,
  op_lazy_set,
  op_regex_set,
  op_regex_append,
  op_regex_prepend,
  error,
};

/// The reference's name of a token type, for messages.
const char* token_name(T type) noexcept;
bool is_operator(T type) noexcept;

struct Token {
  T type = T::end_line;
  std::string text;  ///< identifier/string text; error message
  int indent = 0;    ///< indent/end_block
  ErrorKind error_kind = ErrorKind::parser;
  /// str() of the token, as the reference joins tokens into keys.
  std::string str() const;
};

class Lexer {
 public:
  explicit Lexer(Reader& reader) : reader_(reader) {}

  /// The next token; throws Error when the token is a lexing error.
  Token next();

  void set_prev_indent(int indent) noexcept { prev_indent_ = indent; }
  void set_fast() noexcept { fast_ = true; }
  void set_strict() noexcept { fast_ = false; }
  /// The reference's rest_line_as_LString(): the rest of the line as one string token.
  std::string rest_line_as_string();

  Reader& reader() noexcept { return reader_; }
  const std::string& filename() const noexcept { return reader_.filename(); }
  const std::string_view* line() const noexcept { return has_line_ ? &line_ : nullptr; }
  /// The current line for messages; empty between lines.
  std::string line_text() const { return has_line_ ? std::string(line_) : std::string(); }
  int linenum() const noexcept { return linenum_; }

  [[noreturn]] void fail(ErrorKind kind, const std::string& message) const;

 private:
  enum class Phase { need_line, line_start, after_keyword, strict, finish_line };
  void dispatch_keyword();
  void after_keyword();
  void strict_step();
  void finish_line();
  void push(T type, std::string text = {});
  void push_error(ErrorKind kind, std::string message);
  void push_rest_of_line();

  Reader& reader_;
  std::vector<Token> queue_;  // tokens of the current step, handed out from queue_head_
  std::size_t queue_head_ = 0;
  Phase phase_ = Phase::need_line;
  std::string_view line_;  // the reader's, valid until the next line is read
  bool has_line_ = false;
  int linenum_ = 0;
  int prev_indent_ = 0;
  bool fast_ = false;
  bool rest_as_string_ = false;
  // Strict-mode state of the current line:
  std::size_t pos_ = 0;
  std::string chars_;
  std::string oper_;
  bool check_rest_ = false;
};

}  // namespace vt::core::cartesian
