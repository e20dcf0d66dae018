#include "cartesian/model.h"

#include <algorithm>
#include <functional>
#include <numeric>

namespace vt::core::cartesian {

Id StringTable::intern(std::string_view s) {
  if (auto it = index_.find(s); it != index_.end()) return it->second;
  const Id id = static_cast<Id>(strings_.size());
  strings_.emplace_back(s);
  index_.emplace(strings_.back(), id);
  return id;
}

std::optional<Id> StringTable::find(std::string_view s) const {
  if (auto it = index_.find(s); it != index_.end()) return it->second;
  return std::nullopt;
}

namespace {
KeyTable::Postfix postfix_of(std::string_view key, std::string_view& base) {
  struct Marker {
    std::string_view text;
    KeyTable::Postfix kind;
  };
  // The reference tests endswith() in this order and cuts at the first occurrence.
  static constexpr Marker markers[] = {{"_max", KeyTable::Postfix::max},
                                       {"_min", KeyTable::Postfix::min},
                                       {"_fixed", KeyTable::Postfix::fixed}};
  for (const auto& m : markers) {
    if (key.size() >= m.text.size() && key.substr(key.size() - m.text.size()) == m.text) {
      base = key.substr(0, key.find(m.text));
      return m.kind;
    }
  }
  return KeyTable::Postfix::none;
}
}  // namespace

KeyTable::KeyTable() {
  for (const char* k : {"name", "shortname", "dep", "_name_map_file", "_short_name_map_file"})
    intern(k);
}

Id KeyTable::intern(std::string_view text) {
  if (auto it = plain_.find(text); it != plain_.end()) return it->second;
  const Id id = static_cast<Id>(keys_.size());
  keys_.push_back(Key{std::string(text), false, id, id, {}, Postfix::none, 0});
  flags_.push_back(0);
  plain_.emplace(keys_.back().text, id);
  std::string_view base;
  const Postfix p = postfix_of(text, base);
  if (p != Postfix::none) {
    const std::string base_text(base);
    const Id base_id = intern(base_text);
    keys_[id].postfix = p;
    keys_[id].postfix_base = base_id;
    flags_[id] |= postfix_flag;
  }
  return id;
}

std::optional<Id> KeyTable::find(std::string_view text) const {
  if (auto it = plain_.find(text); it != plain_.end()) return it->second;
  return std::nullopt;
}

Id KeyTable::intern_tuple(Id key, std::string_view suffix) {
  const std::uint64_t h =
      (static_cast<std::uint64_t>(key) << 32) ^ std::hash<std::string_view>{}(suffix);
  auto& bucket = tuples_[h];
  for (Id id : bucket)
    if (keys_[id].parent == key && keys_[id].suffix == suffix) return id;
  const Id id = static_cast<Id>(keys_.size());
  Key k;
  k.text = keys_[key].text + std::string(suffix);
  k.tuple = true;
  k.base = keys_[key].base;
  k.parent = key;
  k.suffix = std::string(suffix);
  keys_.push_back(std::move(k));
  flags_.push_back(tuple_flag);
  bucket.push_back(id);
  return id;
}

const std::vector<std::uint32_t>& KeyTable::ranks() {
  if (ranks_.size() != keys_.size()) {
    std::vector<Id> order(keys_.size());
    std::iota(order.begin(), order.end(), 0);
    std::sort(order.begin(), order.end(),
              [this](Id a, Id b) { return keys_[a].text < keys_[b].text; });
    ranks_.assign(keys_.size(), 0);
    for (std::uint32_t r = 0; r < order.size(); ++r) ranks_[order[r]] = r;
    by_rank_ = std::move(order);
  }
  return ranks_;
}

void LabelSet::seal() {
  if (sealed_) return;  // sets are shared between nodes
  sealed_ = true;
  auto build = [](const std::vector<Id>& ids, std::vector<std::uint64_t>& bits) {
    bits.assign(ids.empty() ? 0 : ids.back() / 64 + 1, 0);
    for (Id id : ids) bits[id / 64] |= std::uint64_t{1} << (id % 64);
  };
  build(names, name_bits_);
  build(longs, long_bits_);
}

namespace {
void insert_sorted(std::vector<Id>& v, Id id) {
  auto it = std::lower_bound(v.begin(), v.end(), id);
  if (it == v.end() || *it != id) v.insert(it, id);
}
void merge_into(std::vector<Id>& v, const std::vector<Id>& other) {
  if (other.empty()) return;
  std::vector<Id> out;
  out.reserve(v.size() + other.size());
  std::set_union(v.begin(), v.end(), other.begin(), other.end(), std::back_inserter(out));
  v.swap(out);
}
}  // namespace

void LabelSet::add(const Label& l) {
  sealed_ = false;
  insert_sorted(names, l.name);
  if (l.named) insert_sorted(longs, l.long_name);
}

void LabelSet::add(const LabelSet& other) {
  if (&other == this) return;
  sealed_ = false;
  merge_into(names, other.names);
  merge_into(longs, other.longs);
}

Model::Model() {
  root = new_node();
}

Item* Model::new_item(ItemKind kind) {
  items.emplace_back();
  items.back().kind = kind;
  return &items.back();
}

Node* Model::new_node() {
  nodes.emplace_back();
  return &nodes.back();
}

Label Model::label(std::string_view name) {
  const Id id = labels.intern(name);
  return Label{id, id, false};
}

Label Model::label(std::string_view var, std::string_view name) {
  std::string long_name = "(";
  long_name.append(var).append("=").append(name).append(")");
  return Label{labels.intern(name), labels.intern(long_name), true};
}

void Model::prepare() {
  // A condition is made before the items inside it, so walking backwards prepares every
  // inner condition before the one that holds it.
  for (auto it = items.rbegin(); it != items.rend(); ++it) {
    it->fb_content.clear();
    if (it->kind != ItemKind::cond && it->kind != ItemKind::neg_cond) continue;
    for (const Item* inner : it->content)
      if (inner->can_drop()) it->fb_content.push_back(inner);
  }
  for (Node& node : nodes) {
    node.labels->seal();
    node.filter_items.clear();
    node.has_joins = false;
    for (const Item* item : node.content) {
      if (item->kind == ItemKind::join) {
        node.has_joins = true;
        continue;
      }
      if (item->can_drop()) node.filter_items.push_back(item);
    }
  }
}

}  // namespace vt::core::cartesian
