#include "cartesian/parser.h"

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <initializer_list>
#include <map>
#include <sstream>
#include <unordered_map>
#include <variant>

#include "cartesian/flat_dict.h"

namespace vt::core::cartesian {

namespace fs = std::filesystem;

namespace {

using Types = std::initializer_list<T>;

bool one_of(T t, Types types) {
  return std::find(types.begin(), types.end(), t) != types.end();
}

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

// get_next_check / check_token: a token of one of `types`, else a ParserError.
Token check(Lexer& lexer, Token token, Types types) {
  if (!one_of(token.type, types))
    lexer.fail(ErrorKind::parser, "expected " + names_of(types) + ", found " + found(token));
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

// get_until_gen: tokens up to and including the first of `end`.
std::vector<Token> until(Lexer& lexer, Types end, bool keep_white) {
  std::vector<Token> out;
  for (;;) {
    Token t = lexer.next();
    const bool last = one_of(t.type, end);
    if (keep_white || t.type != T::white) out.push_back(std::move(t));
    if (last) return out;
  }
}

// get_until_check: like until(), but every token must be one of `allowed`.
std::vector<Token> until_check(Lexer& lexer, Types allowed, Types end) {
  std::vector<Token> out;
  for (;;) {
    Token t = lexer.next();
    const bool last = one_of(t.type, end);
    if (!last && !one_of(t.type, allowed))
      lexer.fail(ErrorKind::parser, "expected " + names_of(allowed) + ", found " + found(t));
    out.push_back(std::move(t));
    if (last) return out;
  }
}

// rest_line: tokens up to the end of the line, which is consumed but not returned.
std::vector<Token> rest_line(Lexer& lexer) {
  std::vector<Token> out;
  for (Token t = lexer.next(); t.type != T::end_line; t = lexer.next()) out.push_back(std::move(t));
  return out;
}

bool is_str_token(T t) {
  return t == T::identifier || t == T::string || t == T::white;
}

// cmd_tokens(): `[default=...]` tokens compared with an entry's raw name, over the shorter.
bool tokens_prefix_equal(const std::vector<Token>& a, const std::vector<Token>& b) {
  for (std::size_t i = 0; i < a.size() && i < b.size(); ++i) {
    const bool sa = is_str_token(a[i].type), sb = is_str_token(b[i].type);
    if (sa != sb) return false;
    if (sa ? a[i].text != b[i].text : a[i].type != b[i].type) return false;
  }
  return true;
}

// The whole file in one read: tp-qemu's subtests.cfg alone is 2 MB.
std::string read_file(const fs::path& file) {
  std::ifstream in(file, std::ios::binary | std::ios::ate);
  std::string text;
  const std::streamoff size = in ? static_cast<std::streamoff>(in.tellg()) : -1;
  if (size > 0) {
    text.resize(static_cast<std::size_t>(size));
    in.seekg(0);
    in.read(text.data(), size);
    text.resize(static_cast<std::size_t>(in.gcount()));
  }
  return text;
}

std::string map_file_name(const std::string& filename) {
  return filename == "<string>" ? filename : fs::path(filename).filename().string();
}

}  // namespace

// The reference's pre_dict: plain literal assignments batched until something else comes.
class Parser::PreDict {
 public:
  explicit PreDict(const KeyTable& keys) : keys_(keys) {}
  bool empty() const { return entries_.empty(); }
  // `op.name in pre_dict`
  bool contains(const Op& op) const {
    if (is_regex(op.kind)) {
      const auto id = keys_.find(op.name);
      return id && has(*id);
    }
    return has(op.key);
  }
  void apply(const Op& op) {
    const std::string& v = op.value.text;
    switch (op.kind) {
      case OpKind::set:
        if (!KeyTable::reserved(op.key)) set(op.key, v);
        break;
      case OpKind::append:
        if (!KeyTable::reserved(op.key)) set(op.key, get(op.key) + v);
        break;
      case OpKind::prepend:
        if (!KeyTable::reserved(op.key)) set(op.key, v + get(op.key));
        break;
      case OpKind::lazy_set:
        if (!KeyTable::reserved(op.key) && !has(op.key)) set(op.key, v);
        break;
      case OpKind::regex_set:
      case OpKind::regex_append:
      case OpKind::regex_prepend:
        for (auto& [key, value] : entries_) {
          if (!regex_key_matches(op, keys_[key].text)) continue;
          if (op.kind == OpKind::regex_set)
            value = v;
          else if (op.kind == OpKind::regex_append)
            value += v;
          else
            value = v + value;
        }
        break;
      default:
        break;
    }
  }
  void set(Id key, std::string value) {
    if (const std::size_t at = find(key); at != npos) {
      entries_[at].second = std::move(value);
      return;
    }
    entries_.emplace_back(key, std::move(value));
    if (!index_.empty()) {
      index_.emplace(key, entries_.size() - 1);
    } else if (entries_.size() > small) {
      for (std::size_t i = 0; i < entries_.size(); ++i) index_.emplace(entries_[i].first, i);
    }
  }
  // apply_predict(): the batch becomes one operation of the content, and starts again.
  void flush(Model& model, std::vector<Item*>& content) {
    if (entries_.empty()) return;
    Item* item = model.new_item(ItemKind::op);
    item->op.kind = OpKind::pre_dict;
    item->op.pre = std::move(entries_);
    content.push_back(item);
    entries_.clear();
    index_.clear();
  }

 private:
  static bool is_regex(OpKind k) {
    return k == OpKind::regex_set || k == OpKind::regex_append || k == OpKind::regex_prepend;
  }
  std::string get(Id key) const {
    const std::size_t at = find(key);
    return at == npos ? std::string() : entries_[at].second;
  }
  const KeyTable& keys_;
  std::vector<std::pair<Id, std::string>> entries_;
  static constexpr std::size_t npos = static_cast<std::size_t>(-1);
  static constexpr std::size_t small = 16;  // most batches: a scan beats hashing
  std::size_t find(Id key) const {
    if (index_.empty()) {
      for (std::size_t i = 0; i < entries_.size(); ++i)
        if (entries_[i].first == key) return i;
      return npos;
    }
    const auto it = index_.find(key);
    return it == index_.end() ? npos : it->second;
  }
  bool has(Id key) const { return find(key) != npos; }
  std::unordered_map<Id, std::size_t> index_;  // built once a batch outgrows `small`
};

void Parser::parse_file(const fs::path& file) {
  std::error_code ec;
  if (!fs::is_regular_file(file, ec))
    throw Error(ErrorKind::missing_include,
                "cannot read '" + file.string() + "': not a regular file — check the path",
                std::string(), file.string(), 0);
  Reader reader(read_file(file), file.string(), true);
  Lexer lexer(reader);
  model_.root = parse(lexer, Target{model_.root, nullptr}, -1).node;
}

void Parser::parse_string(std::string_view text) {
  Reader reader(std::string(text), "<string>", false);
  Lexer lexer(reader);
  model_.root = parse(lexer, Target{model_.root, nullptr}, -1).node;
}

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
      if (!and_filter.empty()) {
        if (!con_filter.empty()) and_filter.push_back(std::move(con_filter));
        con_filter.clear();
        or_filters.push_back(std::move(and_filter));
        and_filter.clear();
      } else if (!con_filter.empty()) {
        or_filters.push_back(Word{std::move(con_filter)});
        con_filter.clear();
      } else {
        lexer.fail(ErrorKind::parser, "expected a label before ',' in a filter");
      }
      dots = 1;
      token = &next_nw();
      token = &chk(*token, {T::identifier, T::comma, T::dot, T::lparen, T::end_line});
      typet = token->type;
      continue;
    }
    token = &chk(next(), {T::identifier, T::comma, T::dot, T::lparen, T::end_line, T::white});
    typet = token->type;
  }
  if (!and_filter.empty()) {
    if (!con_filter.empty()) and_filter.push_back(std::move(con_filter));
    con_filter.clear();
    or_filters.push_back(std::move(and_filter));
  }
  if (!con_filter.empty()) or_filters.push_back(Word{std::move(con_filter)});
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

Parser::Target Parser::parse_include(Lexer& lexer, Target target, PreDict& pre) {
  const std::string path = lexer.rest_line_as_string();
  std::string filename = path;
  if (!filename.empty() && filename[0] == '~') {
    const char* home = std::getenv("HOME");
    if (home && (filename.size() == 1 || filename[1] == '/')) filename = home + filename.substr(1);
  }
  if (lexer.reader().is_file() && !fs::path(filename).is_absolute())
    filename = (fs::path(lexer.filename()).parent_path() / filename).string();
  std::error_code ec;
  if (!fs::is_regular_file(filename, ec))
    throw Error(ErrorKind::missing_include, "file does not exist or it's not a regular file",
                lexer.line() ? std::string(*lexer.line()) : std::string(), lexer.filename(),
                lexer.linenum());
  static constexpr int max_include_depth = 100;
  if (include_depth_ >= max_include_depth)
    lexer.fail(ErrorKind::parser, "includes nested deeper than " +
                                      std::to_string(max_include_depth) +
                                      " files — does a file include itself?");
  pre.flush(model_, target.content());
  Reader reader(read_file(filename), filename, true);
  Lexer included(reader);
  ++include_depth_;
  struct Leave {
    int& depth;
    ~Leave() { --depth; }
  } leave{include_depth_};
  return parse(included, target, -1);
}

Parser::Target Parser::parse(Lexer& lexer, Target node, int prev_indent) {
  static constexpr Types block_allowed = {T::variants, T::identifier, T::only,   T::no,  T::include,
                                          T::del,      T::not_cond,   T::suffix, T::join};
  static constexpr Types variants_allowed = {T::variant};
  bool in_variants = false;
  int var_indent = 0;
  std::string var_name;
  std::map<std::string, std::vector<std::variant<bool, std::vector<Token>>>> meta;
  PreDict pre(model_.keys);
  std::optional<Op> suffix;
  lexer.set_fast();

  for (;;) {
    lexer.set_prev_indent(prev_indent);
    Token head = next_check(lexer, {T::indent, T::end_block});
    if (head.type == T::end_block) {
      pre.flush(model_, node.content());
      if (suffix) {
        Item* item = model_.new_item(ItemKind::op);
        item->op = std::move(*suffix);
        node.content().push_back(item);
      }
      return node;
    }
    const int indent = head.indent;
    Token token = next_check(lexer, in_variants ? variants_allowed : block_allowed);

    switch (token.type) {
      case T::identifier: {
        std::vector<Token> ident =
            until(lexer,
                  {T::op_set, T::op_append, T::op_prepend, T::op_lazy_set, T::op_regex_set,
                   T::op_regex_append, T::op_regex_prepend, T::colon, T::end_line},
                  false);
        if (is_operator(ident.back().type)) {
          std::string key;
          if (ident.size() == 1) {
            key = token.text;
          } else {
            key = token.str();
            for (std::size_t i = 0; i + 1 < ident.size(); ++i) key += ident[i].str();
          }
          std::string value = next_check(lexer, {T::string}).text;
          if (value.size() >= 1 && value.front() == value.back() &&
              (value.front() == '"' || value.front() == '\''))
            value = value.size() >= 2 ? value.substr(1, value.size() - 2) : std::string();
          Op op = make_assignment(model_, ident.back().type, std::move(key), std::move(value));
          const bool literal = !op.value.has_dollar;
          if (op.kind == OpKind::set && literal) {
            if (!KeyTable::reserved(op.key)) pre.set(op.key, std::move(op.value.text));
          } else {
            if (!pre.empty()) {
              if (pre.contains(op) && literal) {
                pre.apply(op);
                next_check(lexer, {T::end_line});
                continue;
              }
              pre.flush(model_, node.content());
            }
            Item* item = model_.new_item(ItemKind::op);
            item->op = std::move(op);
            node.content().push_back(item);
          }
          next_check(lexer, {T::end_line});
        } else if (ident.back().type == T::colon) {
          std::vector<Token> filter_tokens{token};
          filter_tokens.insert(filter_tokens.end(), ident.begin(), ident.end() - 1);
          Filter filter = parse_match_filter(lexer, std::move(filter_tokens));
          const std::string rest = lexer.rest_line_as_string();
          if (!rest.empty()) lexer.reader().set_next_line(rest, indent + 1, lexer.linenum());
          Item* cond = model_.new_item(ItemKind::cond);
          cond->filter = std::move(filter);
          cond->line = lexer.line() ? std::string(*lexer.line()) : std::string();
          parse(lexer, Target{nullptr, cond}, indent);
          pre.flush(model_, node.content());
          node.content().push_back(cond);
        } else {
          lexer.fail(ErrorKind::parser,
                     "expected an operator (=, +=, <=, ~=, ?=, ?+=, ?<=) or ':' after the name");
        }
        break;
      }

      case T::variant: {
        pre.flush(model_, node.content());
        bool already_default = false;
        bool is_default = false;
        const bool meta_with_default = meta.count("default") != 0;
        const bool not_expanded =
            std::find(options_.expand_defaults.begin(), options_.expand_defaults.end(), var_name) ==
            options_.expand_defaults.end();
        Node* node4 = model_.new_node();
        std::vector<const LabelSet*> merged;  // entries often share their label set
        for (;;) {
          lexer.set_prev_indent(var_indent);
          Token t = next_check_nw(lexer, {T::identifier, T::at, T::indent, T::end_block});
          if (t.type == T::end_block) break;
          if (t.type == T::indent) {
            next_check_nw(lexer, {T::variant});
            t = next_check_nw(lexer, {T::identifier, T::at});
          }
          std::vector<Token> name;
          if (t.type == T::at) {
            is_default = true;
            name = until_check(lexer, {T::identifier, T::dot}, {T::colon});
          } else {
            is_default = false;
            name = until_check(lexer, {T::identifier, T::dot}, {T::colon});
            name.insert(name.begin(), t);
          }
          std::vector<Token> raw_name;
          std::vector<std::string> parts;
          if (name.size() == 2) {
            raw_name = {name[0]};
            parts = {name[0].text};
          } else {
            raw_name.assign(name.begin(), name.end() - 1);
            for (const Token& p : raw_name)
              if (p.type == T::identifier) parts.push_back(p.text);
          }
          Token d = lexer.next();
          while (d.type == T::white) d = lexer.next();
          Filter deps;
          if (d.type != T::end_line) {
            std::vector<Token> dep_tokens{d};
            std::vector<Token> rest = until(lexer, {T::end_line}, true);
            dep_tokens.insert(dep_tokens.end(), rest.begin(), rest.end());
            deps = parse_filter(lexer, std::move(dep_tokens));
          }
          std::string dotted;
          for (const auto& p : parts) dotted += (dotted.empty() ? "" : ".") + p;

          Node* node2 = model_.new_node();
          node2->children = {node.node};
          node2->labels = node.node->labels;
          if (!var_name.empty()) {
            Item* set = model_.new_item(ItemKind::op);
            set->op = make_assignment(model_, T::op_set, var_name, dotted);
            node2->content.push_back(set);
          }
          Node* node3 = parse(lexer, Target{node2, nullptr}, indent).node;
          node3->name.clear();
          if (!var_name.empty()) {
            node3->var_name = var_name;
            for (const auto& p : parts) node3->name.push_back(model_.label(var_name, p));
          } else {
            for (const auto& p : parts) node3->name.push_back(model_.label(p));
          }
          node3->dep = std::move(deps);
          if (meta_with_default) {
            auto& defaults = meta["default"];
            for (std::size_t i = 0; i < defaults.size(); ++i) {
              const auto* wd = std::get_if<std::vector<Token>>(&defaults[i]);
              if (wd && tokens_prefix_equal(*wd, raw_name)) {
                is_default = true;
                // list.remove() while iterating: the element after the removed one is skipped.
                defaults.erase(defaults.begin() + static_cast<std::ptrdiff_t>(i));
              }
            }
          }
          if (is_default && !already_default && not_expanded) {
            node3->is_default = true;
            already_default = true;
          }
          node3->append_to_shortname = !is_default;
          std::string long_name, short_name;
          for (const Label& l : node3->name) {
            long_name += (long_name.empty() ? "" : ".") + model_.labels.str(l.long_name);
            short_name += (short_name.empty() ? "" : ".") + model_.labels.str(l.name);
          }
          for (int which = 0; which < 2; ++which) {
            Item* map = model_.new_item(ItemKind::op);
            map->op.kind = which == 0 ? OpKind::file_map : OpKind::short_file_map;
            map->op.name = which == 0 ? long_name : short_name;
            map->op.file = model_.labels.str(model_.labels.intern(map_file_name(lexer.filename())));
            node3->content.push_back(map);
          }
          if (node3->is_default && options_.defaults)
            node4->children.insert(node4->children.begin(), node3);
          else
            node4->children.push_back(node3);
          if (std::find(merged.begin(), merged.end(), node3->labels.get()) == merged.end()) {
            node4->labels->add(*node3->labels);
            merged.push_back(node3->labels.get());
          }
          for (const Label& l : node3->name) node4->labels->add(l);
        }
        if (auto it = meta.find("default"); it != meta.end() && !it->second.empty())
          lexer.fail(ErrorKind::parser, "no variant of this block matches its [default=...]");
        in_variants = false;
        node.node = node4;
        break;
      }

      case T::variants: {
        if (!node.node)
          lexer.fail(ErrorKind::parser, "'variants' is not allowed inside a conditional block");
        lexer.set_strict();
        std::vector<Token> tokens =
            until(lexer, {T::lbracket, T::colon, T::identifier, T::end_line}, false);
        T vtype = tokens.back().type;
        std::string vtext = tokens.back().text;
        var_name.clear();
        meta.clear();
        while (vtype != T::colon && vtype != T::end_line) {
          if (vtype == T::identifier) {
            if (!var_name.empty())
              lexer.fail(ErrorKind::parser,
                         "expected '[meta]' or ':' after the name of the variants block");
            var_name = vtext;
          } else if (vtype == T::lbracket) {
            const std::string ident = next_check_nw(lexer, {T::identifier}).text;
            const Token op = next_check_nw(lexer, {T::op_set, T::rbracket});
            if (op.type == T::rbracket) {
              meta[ident].emplace_back(true);
            } else {
              std::vector<Token> value = until(lexer, {T::rbracket, T::end_line}, false);
              if (value.back().type != T::rbracket)
                lexer.fail(ErrorKind::parser, "expected ']' to close the '[' of the variants line");
              value.pop_back();
              meta[ident].emplace_back(std::move(value));
            }
          }
          const Token t = next_check_nw(lexer, {T::lbracket, T::colon, T::identifier, T::end_line});
          vtype = t.type;
          vtext = t.text;
        }
        if (auto it = meta.find("default"); it != meta.end())
          for (const auto& wd : it->second)
            if (std::holds_alternative<bool>(wd))
              lexer.fail(ErrorKind::parser, "'[default]' needs a value: [default=NAME]");
        if (vtype == T::end_line)
          lexer.fail(ErrorKind::parser, "expected ':' at the end of the variants line");
        next_check_nw(lexer, {T::end_line});
        in_variants = true;
        var_indent = indent;
        break;
      }

      case T::only:
      case T::no:
      case T::join: {
        Filter filter = parse_match_filter(lexer, rest_line(lexer));
        pre.flush(model_, node.content());
        Item* item = model_.new_item(token.type == T::only ? ItemKind::only
                                     : token.type == T::no ? ItemKind::no
                                                           : ItemKind::join);
        item->filter = std::move(filter);
        item->line = lexer.line() ? std::string(*lexer.line()) : std::string();
        node.content().push_back(item);
        break;
      }

      case T::suffix: {
        pre.flush(model_, node.content());
        const Token value = next_check(lexer, {T::identifier});
        next_check(lexer, {T::end_line});
        Op op;
        op.kind = OpKind::suffix;
        op.name = value.text;
        suffix = std::move(op);
        break;
      }

      case T::include:
        node = parse_include(lexer, node, pre);
        lexer.set_prev_indent(prev_indent);
        break;

      case T::del: {
        const Token name = next_check_nw(lexer, {T::identifier});
        next_check_nw(lexer, {T::end_line});
        pre.flush(model_, node.content());
        Item* item = model_.new_item(ItemKind::op);
        item->op.kind = OpKind::del;
        item->op.name = name.text;
        node.content().push_back(item);
        break;
      }

      case T::not_cond: {
        std::vector<Token> tokens = until(lexer, {T::colon, T::end_line}, false);
        const bool had_colon = tokens.back().type == T::colon;
        tokens.pop_back();
        Filter filter = parse_match_filter(lexer, std::move(tokens));
        if (!had_colon)
          lexer.fail(ErrorKind::parser, "expected ':' at the end of the variants line");
        const std::string rest = lexer.rest_line_as_string();
        if (!rest.empty()) lexer.reader().set_next_line(rest, indent + 1, lexer.linenum());
        Item* cond = model_.new_item(ItemKind::neg_cond);
        cond->filter = std::move(filter);
        cond->line = lexer.line() ? std::string(*lexer.line()) : std::string();
        parse(lexer, Target{nullptr, cond}, indent);
        lexer.set_prev_indent(prev_indent);
        pre.flush(model_, node.content());
        node.content().push_back(cond);
        break;
      }

      default:
        lexer.fail(ErrorKind::parser, "unexpected statement");
    }
  }
}

}  // namespace vt::core::cartesian
