#include "cartesian/parser.h"

#include <algorithm>
#include <cstdlib>
#include <fstream>

#include "cartesian/flat_dict.h"
#include "cartesian/parse_tokens.h"

namespace vt::core::cartesian {

namespace fs = std::filesystem;

namespace {

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

// One pair of matching outer quotes is dropped; a lone quote leaves nothing.
std::string unquoted(std::string_view v) {
  if (!v.empty() && v.front() == v.back() && (v.front() == '"' || v.front() == '\''))
    return std::string(v.size() >= 2 ? v.substr(1, v.size() - 2) : std::string_view());
  return std::string(v);
}

std::string joined(const std::vector<std::string>& parts) {
  std::string out;
  for (const auto& p : parts) out += (out.empty() ? "" : ".") + p;
  return out;
}

}  // namespace

void Parser::parse_file(const fs::path& file) {
  std::error_code ec;
  if (!fs::is_regular_file(file, ec))
    throw Error(ErrorKind::missing_include,
                "cannot read '" + file.string() + "': not a regular file — check the path",
                std::string(), file.string(), 0);
  parse_text(read_file(file), file);
}

void Parser::parse_text(std::string text, const fs::path& file) {
  Reader reader(std::move(text), file.string(), true);
  Lexer lexer(reader);
  model_.root = parse(lexer, Target{model_.root, nullptr}, -1).node;
}

void Parser::parse_string(std::string_view text) {
  Reader reader(std::string(text), "<string>", false);
  Lexer lexer(reader);
  model_.root = parse(lexer, Target{model_.root, nullptr}, -1).node;
}

// The reference's _parse(): the statements of one block, until its indentation ends.
Parser::Target Parser::parse(Lexer& lexer, Target target, int prev_indent) {
  static constexpr Types block_allowed = {T::variants, T::identifier, T::only,   T::no,  T::include,
                                          T::del,      T::not_cond,   T::suffix, T::join};
  Frame f(target, prev_indent, model_.keys);
  lexer.set_fast();
  for (;;) {
    lexer.set_prev_indent(prev_indent);
    const Token head = next_check(lexer, {T::indent, T::end_block});
    if (head.type == T::end_block) break;
    const int indent = head.indent;
    Token token =
        f.in_variants ? next_check(lexer, {T::variant}) : next_check(lexer, block_allowed);
    switch (token.type) {
      case T::identifier:
        parse_assignment_or_condition(lexer, f, std::move(token), indent);
        break;
      case T::variant:
        parse_variant_entries(lexer, f, indent);
        break;
      case T::variants:
        parse_variants_line(lexer, f, indent);
        break;
      case T::only:
      case T::no:
      case T::join:
        add_filter(lexer, f, token.type);
        break;
      case T::suffix:
        set_suffix(lexer, f);
        break;
      case T::include:
        parse_include(lexer, f);
        break;
      case T::del:
        add_del(lexer, f);
        break;
      case T::not_cond: {
        std::vector<Token> tokens = until(lexer, {T::colon, T::end_line}, false);
        const bool had_colon = tokens.back().type == T::colon;
        tokens.pop_back();
        Filter filter = parse_match_filter(lexer, std::move(tokens));
        if (!had_colon)
          lexer.fail(ErrorKind::parser, "expected ':' after the filter of a negative condition");
        parse_condition(lexer, f, ItemKind::neg_cond, std::move(filter), indent);
        break;
      }
      default:
        lexer.fail(ErrorKind::parser, "unexpected statement");
    }
  }
  f.pre.flush(model_, f.node.content());
  if (f.suffix) {  // applied last, to everything the block set
    Item* item = model_.new_item(ItemKind::op);
    item->op = std::move(*f.suffix);
    f.node.content().push_back(item);
  }
  return f.node;
}

// `key OP value`, or `FILTER:` opening a conditional block.
void Parser::parse_assignment_or_condition(Lexer& lexer, Frame& f, Token first, int indent) {
  std::vector<Token> ident =
      until(lexer,
            {T::op_set, T::op_append, T::op_prepend, T::op_lazy_set, T::op_regex_set,
             T::op_regex_append, T::op_regex_prepend, T::colon, T::end_line},
            false);
  if (ident.back().type == T::colon) {
    std::vector<Token> filter_tokens{std::move(first)};
    filter_tokens.insert(filter_tokens.end(), ident.begin(), ident.end() - 1);
    parse_condition(lexer, f, ItemKind::cond, parse_match_filter(lexer, std::move(filter_tokens)),
                    indent);
    return;
  }
  if (!is_operator(ident.back().type))
    lexer.fail(ErrorKind::parser,
               "expected an operator (=, +=, <=, ~=, ?=, ?+=, ?<=) or ':' after the name");
  std::string key = ident.size() == 1 ? first.text : first.str();
  if (ident.size() > 1)
    for (std::size_t i = 0; i + 1 < ident.size(); ++i) key += ident[i].str();
  std::string value = unquoted(next_check(lexer, {T::string}).text);
  Op op = make_assignment(model_, ident.back().type, std::move(key), std::move(value));
  next_check(lexer, {T::end_line});

  const bool literal = !op.value.has_dollar;
  if (op.kind == OpKind::set && literal) {
    if (!KeyTable::reserved(op.key)) f.pre.set(op.key, std::move(op.value.text));
    return;
  }
  if (!f.pre.empty()) {
    // The reference folds an operation on a key the batch already has into the batch.
    if (f.pre.contains(op) && literal) {
      f.pre.apply(op);
      return;
    }
    f.pre.flush(model_, f.node.content());
  }
  Item* item = model_.new_item(ItemKind::op);
  item->op = std::move(op);
  f.node.content().push_back(item);
}

// `FILTER:` / `!FILTER:`, with an optional first statement after the colon.
void Parser::parse_condition(Lexer& lexer, Frame& f, ItemKind kind, Filter filter, int indent) {
  const std::string rest = lexer.rest_line_as_string();
  if (!rest.empty()) lexer.reader().set_next_line(rest, indent + 1, lexer.linenum());
  Item* cond = model_.new_item(kind);
  cond->filter = std::move(filter);
  parse(lexer, Target{nullptr, cond}, indent);
  f.pre.flush(model_, f.node.content());
  f.node.content().push_back(cond);
}

// `variants:`, `variants NAME:`, `variants NAME [meta] [default=x]:`.
void Parser::parse_variants_line(Lexer& lexer, Frame& f, int indent) {
  if (!f.node.node)
    lexer.fail(ErrorKind::parser, "'variants' is not allowed inside a conditional block");
  lexer.set_strict();
  const std::vector<Token> tokens =
      until(lexer, {T::lbracket, T::colon, T::identifier, T::end_line}, false);
  T vtype = tokens.back().type;
  std::string vtext = tokens.back().text;
  f.var_name.clear();
  f.meta.clear();
  while (vtype != T::colon && vtype != T::end_line) {
    if (vtype == T::identifier) {
      if (!f.var_name.empty())
        lexer.fail(ErrorKind::parser,
                   "expected '[meta]' or ':' after the name of the variants block");
      f.var_name = vtext;
    } else if (vtype == T::lbracket) {
      const std::string ident = next_check_nw(lexer, {T::identifier}).text;
      const Token op = next_check_nw(lexer, {T::op_set, T::rbracket});
      if (op.type == T::rbracket) {
        f.meta[ident].emplace_back(true);
      } else {
        std::vector<Token> value = until(lexer, {T::rbracket, T::end_line}, false);
        if (value.back().type != T::rbracket)
          lexer.fail(ErrorKind::parser, "expected ']' to close the '[' of the variants line");
        value.pop_back();
        f.meta[ident].emplace_back(std::move(value));
      }
    }
    const Token t = next_check_nw(lexer, {T::lbracket, T::colon, T::identifier, T::end_line});
    vtype = t.type;
    vtext = t.text;
  }
  if (auto it = f.meta.find("default"); it != f.meta.end())
    for (const auto& wd : it->second)
      if (std::holds_alternative<bool>(wd))
        lexer.fail(ErrorKind::parser, "'[default]' needs a value: [default=NAME]");
  if (vtype == T::end_line)
    lexer.fail(ErrorKind::parser, "expected ':' at the end of the variants line");
  next_check_nw(lexer, {T::end_line});
  f.in_variants = true;
  f.var_indent = indent;
}

// The `- name: deps` entries after a variants line. Each entry's node holds everything parsed
// before the block, so the block wraps the tree so far; the block becomes the current node.
// Every entry's body is read with the indentation of the first entry, as the reference does.
void Parser::parse_variant_entries(Lexer& lexer, Frame& f, int indent) {
  f.pre.flush(model_, f.node.content());
  bool already_default = false;
  const bool meta_with_default = f.meta.count("default") != 0;
  const bool not_expanded =
      std::find(options_.expand_defaults.begin(), options_.expand_defaults.end(), f.var_name) ==
      options_.expand_defaults.end();
  const std::string& file =
      model_.labels.str(model_.labels.intern(map_file_name(lexer.filename())));
  Node* block = model_.new_node();
  std::vector<const LabelSet*> merged;  // entries often share their label set
  for (;;) {
    lexer.set_prev_indent(f.var_indent);
    Token t = next_check_nw(lexer, {T::identifier, T::at, T::indent, T::end_block});
    if (t.type == T::end_block) break;
    if (t.type == T::indent) {
      next_check_nw(lexer, {T::variant});
      t = next_check_nw(lexer, {T::identifier, T::at});
    }
    bool is_default = t.type == T::at;
    std::vector<Token> name = until(lexer, {T::colon}, true, {T::identifier, T::dot});
    if (!is_default) name.insert(name.begin(), t);
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

    Node* body = model_.new_node();
    body->children = {f.node.node};
    body->labels = f.node.node->labels;
    if (!f.var_name.empty()) {
      Item* set = model_.new_item(ItemKind::op);
      set->op = make_assignment(model_, T::op_set, f.var_name, joined(parts));
      body->content.push_back(set);
    }
    Node* entry = parse(lexer, Target{body, nullptr}, indent).node;
    entry->name.clear();
    if (!f.var_name.empty()) {
      entry->var_name = f.var_name;
      for (const auto& p : parts) entry->name.push_back(model_.label(f.var_name, p));
    } else {
      for (const auto& p : parts) entry->name.push_back(model_.label(p));
    }
    entry->dep = std::move(deps);
    if (meta_with_default) {
      auto& defaults = f.meta["default"];
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
      entry->is_default = true;
      already_default = true;
    }
    entry->append_to_shortname = !is_default;
    std::string long_name, short_name;
    for (const Label& l : entry->name) {
      long_name += (long_name.empty() ? "" : ".") + model_.labels.str(l.long_name);
      short_name += (short_name.empty() ? "" : ".") + model_.labels.str(l.name);
    }
    for (OpKind kind : {OpKind::file_map, OpKind::short_file_map}) {
      Item* map = model_.new_item(ItemKind::op);
      map->op.kind = kind;
      map->op.name = kind == OpKind::file_map ? long_name : short_name;
      map->op.file = file;
      entry->content.push_back(map);
    }
    if (entry->is_default && options_.defaults)
      block->children.insert(block->children.begin(), entry);
    else
      block->children.push_back(entry);
    if (std::find(merged.begin(), merged.end(), entry->labels.get()) == merged.end()) {
      block->labels->add(*entry->labels);
      merged.push_back(entry->labels.get());
    }
    for (const Label& l : entry->name) block->labels->add(l);
  }
  if (auto it = f.meta.find("default"); it != f.meta.end() && !it->second.empty())
    lexer.fail(ErrorKind::parser, "no variant of this block matches its [default=...]");
  f.in_variants = false;
  f.node.node = block;
}

void Parser::add_filter(Lexer& lexer, Frame& f, T keyword) {
  Filter filter = parse_match_filter(lexer, rest_line(lexer));
  f.pre.flush(model_, f.node.content());
  Item* item = model_.new_item(keyword == T::only ? ItemKind::only
                               : keyword == T::no ? ItemKind::no
                                                  : ItemKind::join);
  item->filter = std::move(filter);
  if (keyword == T::join) item->line = lexer.line_text();  // for the error join may raise later
  f.node.content().push_back(item);
}

void Parser::set_suffix(Lexer& lexer, Frame& f) {
  f.pre.flush(model_, f.node.content());
  const Token value = next_check(lexer, {T::identifier});
  next_check(lexer, {T::end_line});
  Op op;
  op.kind = OpKind::suffix;
  op.name = value.text;
  f.suffix = std::move(op);  // only a block's last suffix counts
}

void Parser::add_del(Lexer& lexer, Frame& f) {
  const Token name = next_check_nw(lexer, {T::identifier});
  next_check_nw(lexer, {T::end_line});
  f.pre.flush(model_, f.node.content());
  Item* item = model_.new_item(ItemKind::op);
  item->op.kind = OpKind::del;
  item->op.name = name.text;
  f.node.content().push_back(item);
}

// `include PATH`: relative to the including file; its statements join the current block.
void Parser::parse_include(Lexer& lexer, Frame& f) {
  std::string filename = lexer.rest_line_as_string();
  if (!filename.empty() && filename[0] == '~') {
    const char* home = std::getenv("HOME");
    if (home && (filename.size() == 1 || filename[1] == '/')) filename = home + filename.substr(1);
  }
  if (lexer.reader().is_file() && !fs::path(filename).is_absolute())
    filename = (fs::path(lexer.filename()).parent_path() / filename).string();
  std::error_code ec;
  if (!fs::is_regular_file(filename, ec))
    throw Error(ErrorKind::missing_include, "file does not exist or it's not a regular file",
                lexer.line_text(), lexer.filename(), lexer.linenum());
  static constexpr int max_include_depth = 100;
  if (include_depth_ >= max_include_depth)
    lexer.fail(ErrorKind::parser, "includes nested deeper than " +
                                      std::to_string(max_include_depth) +
                                      " files — does a file include itself?");
  f.pre.flush(model_, f.node.content());
  Reader reader(read_file(filename), filename, true);
  Lexer included(reader);
  ++include_depth_;
  struct Leave {
    int& depth;
    ~Leave() { --depth; }
  } leave{include_depth_};
  f.node = parse(included, f.node, -1);
}

}  // namespace vt::core::cartesian
