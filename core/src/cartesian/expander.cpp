#include "cartesian/expander.h"

#include <algorithm>
#include <functional>
#include <set>

#include "cartesian/regex.h"

namespace vt::core::cartesian {

Expander::Expander(Model& model, const Options& options, Detail detail)
    : model_(model), options_(options), detail_(detail), leaf_(model.keys) {}

Expander::Items& Expander::pending_at(std::size_t depth) {
  depth += pending_offset_;
  while (pending_.size() <= depth) pending_.push_back(std::make_unique<Items>());
  return *pending_[depth];
}

Expander::Walk Expander::save() const {
  return Walk{ctx_.labels(), short_, dep_, path_};
}

void Expander::restore(const Walk& w) {
  ctx_.pop(ctx_.labels().size());
  for (const Label& l : w.ctx) ctx_.push(l);
  short_ = w.shortname;
  dep_ = w.dep;
  path_ = w.path;
}

std::uint64_t Expander::run(Sink& sink) {
  model_.prepare();
  ctx_.reset(model_.labels.size());
  short_.clear();
  dep_.clear();
  path_.clear();
  stopped_ = false;
  return get_dicts(model_.root, {}, sink);
}

// process_content(): decide what the context already decides. Returns false when a filter
// drops every dict below; keeps in `out` what only deeper labels can decide.
bool Expander::process(std::span<const Item* const> items, Items& out, const LabelSet& below) {
  for (const Item* item : items) {
    if (item->kind == ItemKind::op) continue;
    if (item->kind == ItemKind::join)
      throw Error(ErrorKind::runtime,
                  "'join' inside a conditional block is not supported (the reference fails there "
                  "too)",
                  item->line, std::string(), -1);
    const Context::Verdict v = ctx_.evaluate(item->filter, below);
    switch (item->kind) {
      case ItemKind::only:  // requires action when it cannot match; irrelevant once it does
        if (!v.might) return false;
        if (!v.match) out.push_back(item);
        break;
      case ItemKind::no:
        if (v.match) return false;
        if (v.might) out.push_back(item);
        break;
      case ItemKind::cond:
        if (v.match) {
          if (!process(item->fb_content, out, below)) return false;
        } else if (v.might) {
          out.push_back(item);
        }
        break;
      case ItemKind::neg_cond:
        if (!v.might) {
          if (!process(item->fb_content, out, below)) return false;
        } else if (!v.match) {
          out.push_back(item);
        }
        break;
      case ItemKind::join:
      case ItemKind::op:
        break;
    }
  }
  return true;
}

std::uint64_t Expander::get_dicts(const Node* node, std::span<const Item* const> inherited,
                                  Sink& sink) {
  if (node->has_joins) return get_dicts_join(node, inherited, sink);
  return get_dicts_plain(node, node->filter_items, inherited, sink);
}

// What one node adds to the walk (labels, dep entries, shortname labels, the path), taken
// back when the node is left, however it is left.
class Expander::Visit {
 public:
  Visit(Expander& e, const Node* node)
      : e_(e), node_(node), dep_mark_(e.dep_.size()), short_mark_(e.short_.size()) {
    for (const Word& word : node->dep)
      for (const Block& block : word) e.dep_.push_back(e.dep_string(block));
    for (const Label& l : node->name) e.ctx_.push(l);
  }
  // After the node's filters passed: its shortname labels and its place on the path.
  void enter() {
    if (node_->append_to_shortname)
      for (const Label& l : node_->name) e_.short_.push_back(&l);
    e_.path_.push_back(node_);
    entered_ = true;
  }
  ~Visit() {
    if (entered_) e_.path_.pop_back();
    e_.short_.resize(short_mark_);
    e_.ctx_.pop(node_->name.size());
    e_.dep_.resize(dep_mark_);
  }
  Visit(const Visit&) = delete;
  Visit& operator=(const Visit&) = delete;

 private:
  Expander& e_;
  const Node* node_;
  std::size_t dep_mark_, short_mark_;
  bool entered_ = false;
};

// One dep entry: the context before the node, then the block's labels, as written.
std::string Expander::dep_string(const Block& block) const {
  std::string d;
  for (const Label& l : ctx_.labels()) d += (d.empty() ? "" : ".") + model_.labels.str(l.long_name);
  for (const Label& l : block) d += (d.empty() ? "" : ".") + model_.labels.str(l.long_name);
  return d;
}

std::uint64_t Expander::get_dicts_plain(const Node* node, std::span<const Item* const> own,
                                        std::span<const Item* const> inherited, Sink& sink) {
  Visit visit(*this, node);
  Items& pending = pending_at(path_.size());
  pending.clear();
  const LabelSet& below = *node->labels;
  if (!process(own, pending, below) || !process(inherited, pending, below)) return 0;
  visit.enter();

  if (node->children.empty()) {
    emit_leaf(sink);
    return 1;
  }
  std::uint64_t count = 0;
  const bool use_defaults =
      options_.defaults &&
      !(node->var_name &&
        std::find(options_.expand_defaults.begin(), options_.expand_defaults.end(),
                  *node->var_name) != options_.expand_defaults.end());
  for (const Node* child : node->children) {
    count += get_dicts(child, pending, sink);
    if (stopped_) break;
    if (use_defaults && child->is_default && count > 0) break;
  }
  return count;
}

void Expander::apply_content(const std::vector<Item*>& content, FlatDict& d) {
  for (const Item* item : content) {
    switch (item->kind) {
      case ItemKind::op:
        apply_op(item->op, d, options_.skip_dups);
        break;
      case ItemKind::cond:
        if (ctx_.match(item->filter)) apply_content(item->content, d);
        break;
      case ItemKind::neg_cond:
        if (!ctx_.match(item->filter)) apply_content(item->content, d);
        break;
      default:
        break;
    }
  }
}

void Expander::emit_leaf(Sink& sink) {
  FlatDict& d = leaf_;
  d.reset();
  d.name_text.clear();
  for (const Label& l : ctx_.labels()) {
    if (!d.name_text.empty()) d.name_text += '.';
    d.name_text += model_.labels.str(l.long_name);
  }
  d.shortname_text.clear();
  for (const Label* l : short_) {
    if (!d.shortname_text.empty()) d.shortname_text += '.';
    d.shortname_text += model_.labels.str(l->name);
  }
  d.dep_list.resize(dep_.size());
  for (std::size_t i = 0; i < dep_.size(); ++i) d.dep_list[i].assign(dep_[i]);
  if (detail_ == Detail::full) {
    // Leaf content first, then each enclosing node's: the reference's new_content order.
    for (auto it = path_.rbegin(); it != path_.rend(); ++it) apply_content((*it)->content, d);
    postfix_parse(d);
  }
  if (!sink.take(d)) stopped_ = true;
}

namespace {
// mk_name(): names of two joined dicts, merged after their common dotted prefix.
std::string mk_name(const std::string& n1, const std::string& n2) {
  std::size_t diff = 0;
  while (diff < n1.size() && diff < n2.size() && n1[diff] == n2[diff]) ++diff;
  if (diff == std::min(n1.size(), n2.size()))
    throw Error(ErrorKind::value, "0 is not in list (join of identical names '" + n1 + "')",
                std::string(), std::string(), -1);
  const std::string common = n1.substr(0, diff);
  const std::size_t last_dot = common.rfind('.');
  const std::string cp = last_dot == std::string::npos ? std::string() : common.substr(0, last_dot);
  auto strip_prefix = [&](const std::string& n) {
    Regex re("^" + cp);
    const long len = re.match_length(n);
    return len < 0 ? n : n.substr(static_cast<std::size_t>(len));
  };
  const std::string p1 = strip_prefix(n1), p2 = strip_prefix(n2);
  return cp.empty() ? p1 + "." + p2 : cp + p1 + p2;
}

// Merges each right-hand dict of a join with one left-hand dict and passes the result on.
struct Merge : Expander::Sink {
  const FlatDict& left;
  Expander::Sink& out;
  Merge(const FlatDict& l, Expander::Sink& o) : left(l), out(o) {}
  bool take(FlatDict& right) override {
    FlatDict d(left);
    right.for_each_entry([&](Id k, std::string_view v) { d.set(k, d.arena().store(v)); });
    d.dep_list = right.dep_list;
    for (int i = 0; i < 2; ++i) {
      if (!right.maps[i].present) continue;
      d.maps[i].present = true;
      d.maps[i].entries.clear();
      for (const auto& [f, n] : right.maps[i].entries)
        d.maps[i].entries.emplace_back(f, d.arena().store(n));
    }
    for (Id r = 0; r < KeyTable::reserved_count; ++r)
      if (right.overrides[r]) d.overrides[r] = right.overrides[r];
    d.name_text = mk_name(std::string(left.name()), std::string(right.name()));
    d.shortname_text = mk_name(std::string(left.shortname()), std::string(right.shortname()));
    d.overrides[KeyTable::name].reset();
    d.overrides[KeyTable::shortname].reset();
    return out.take(d);
  }
};

struct Forward : Expander::Sink {
  std::function<bool(FlatDict&)> fn;
  bool take(FlatDict& d) override { return fn(d); }
};

// The items of a content list that can drop dicts.
std::vector<const Item*> filters_of(const std::vector<const Item*>& content) {
  std::vector<const Item*> out;
  for (const Item* item : content)
    if (item->can_drop()) out.push_back(item);
  return out;
}
}  // namespace

std::uint64_t Expander::get_dicts_join(const Node* node, std::span<const Item* const> inherited,
                                       Sink& sink) {
  auto content = std::make_shared<std::vector<const Item*>>();
  for (const Item* item : node->content)
    if (item->kind != ItemKind::join) content->push_back(item);
  // One `only` per join word, made once per node: the walk may come back here very often.
  auto [it, fresh] = join_onlys_.try_emplace(node);
  if (fresh) {
    for (const Item* item : node->content) {
      if (item->kind != ItemKind::join) continue;
      for (const Word& word : item->filter) {
        join_items_.emplace_back();
        Item& only = join_items_.back();
        only.kind = ItemKind::only;
        only.filter = Filter{word};
        it->second.push_back(&only);
      }
    }
  }
  return multiply_join(node, content, it->second, inherited, sink);
}

// The reference's multiply_join(), including how it rebinds and extends node.content between
// rounds (so a third join word sees the second's filter again, as there).
std::uint64_t Expander::multiply_join(const Node* node,
                                      std::shared_ptr<std::vector<const Item*>>& content,
                                      std::span<const Item* const> onlys,
                                      std::span<const Item* const> inherited, Sink& sink) {
  // `join` with nothing after it: onlys[:1] is empty, a plain walk.
  if (onlys.empty()) return get_dicts_plain(node, filters_of(*content), inherited, sink);
  auto content_orig = std::make_shared<std::vector<const Item*>>(*content);
  // The reference appends the filter again every round; a filter twice is the same filter,
  // and not repeating it keeps long joins from growing the list without end.
  if (std::find(content->begin(), content->end(), onlys[0]) == content->end())
    content->push_back(onlys[0]);
  const std::vector<const Item*> own = filters_of(*content);
  const auto remains = onlys.subspan(1);
  if (remains.empty()) return get_dicts_plain(node, own, inherited, sink);

  std::uint64_t count = 0;
  const Walk at_join = save();
  Forward left;
  // The right-hand side does not depend on d1, only on the content list it starts from; when a
  // list gave no dict once, it gives none again, and walking it again for every d1 (as the
  // reference does) can take very long.
  // Once the list stops changing (it does after the first round) every later d1 meets the same
  // fruitless walk, so the left-hand walk can end there.
  std::set<std::vector<const Item*>> fruitless;
  bool abandoned = false;
  left.fn = [&](FlatDict& d1) {
    content = content_orig;
    if (fruitless.count(*content) != 0) {
      abandoned = true;
      return false;
    }
    const std::vector<const Item*> starting = *content;
    const std::uint64_t before = count;
    const FlatDict saved(d1);
    Merge merge(saved, sink);
    const Walk at_leaf = save();
    const std::size_t offset = pending_offset_;
    pending_offset_ += at_leaf.path.size() + 1;
    restore(at_join);
    try {
      count += multiply_join(node, content, remains, inherited, merge);
    } catch (...) {
      pending_offset_ = offset;
      restore(at_leaf);
      throw;
    }
    pending_offset_ = offset;
    restore(at_leaf);
    if (count == before) fruitless.insert(starting);
    return !stopped_;
  };
  get_dicts_plain(node, own, inherited, left);
  if (abandoned) stopped_ = false;  // only this join's left-hand walk was cut short
  return count;
}

}  // namespace vt::core::cartesian
