#include "cartesian/pre_dict.h"

#include "cartesian/flat_dict.h"

namespace vt::core::cartesian {

namespace {
bool is_regex(OpKind k) {
  return k == OpKind::regex_set || k == OpKind::regex_append || k == OpKind::regex_prepend;
}
}  // namespace

bool PreDict::contains(const Op& op) const {
  if (is_regex(op.kind)) {
    const auto id = keys_.find(op.name);
    return id && has(*id);
  }
  return has(op.key);
}

void PreDict::apply(const Op& op) {
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

void PreDict::set(Id key, std::string value) {
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

void PreDict::flush(Model& model, std::vector<Item*>& content) {
  if (entries_.empty()) return;
  Item* item = model.new_item(ItemKind::op);
  item->op.kind = OpKind::pre_dict;
  item->op.pre = std::move(entries_);
  content.push_back(item);
  entries_.clear();
  index_.clear();
}

std::size_t PreDict::find(Id key) const {
  if (index_.empty()) {
    for (std::size_t i = 0; i < entries_.size(); ++i)
      if (entries_[i].first == key) return i;
    return npos;
  }
  const auto it = index_.find(key);
  return it == index_.end() ? npos : it->second;
}

std::string PreDict::get(Id key) const {
  const std::size_t at = find(key);
  return at == npos ? std::string() : entries_[at].second;
}

}  // namespace vt::core::cartesian
