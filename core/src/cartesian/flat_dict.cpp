#include "cartesian/flat_dict.h"

#include <algorithm>
#include <cstring>

#include "cartesian/text.h"

namespace vt::core::cartesian {

std::string_view Arena::store(std::string_view a, std::string_view b, std::string_view c) {
  const std::size_t n = a.size() + b.size() + c.size();
  if (n == 0) return {};
  char* p = nullptr;
  if (n > chunk_size / 4) {
    large_.push_back(std::make_unique<char[]>(n));
    p = large_.back().get();
  } else {
    if (chunks_.empty() || used_ + n > chunk_size) {
      if (!chunks_.empty()) ++chunk_;
      if (chunk_ >= chunks_.size()) chunks_.push_back(std::make_unique<char[]>(chunk_size));
      used_ = 0;
    }
    p = chunks_[chunk_].get() + used_;
    used_ += n;
  }
  std::memcpy(p, a.data(), a.size());
  if (!b.empty()) std::memcpy(p + a.size(), b.data(), b.size());
  if (!c.empty()) std::memcpy(p + a.size() + b.size(), c.data(), c.size());
  return {p, n};
}

void Arena::reset() {
  chunk_ = 0;
  used_ = 0;
  large_.clear();
}

FlatDict::FlatDict(KeyTable& keys) : keys_(&keys) {}

FlatDict::FlatDict(const FlatDict& other)
    : Dict(),
      name_text(other.name_text),
      shortname_text(other.shortname_text),
      dep_list(other.dep_list),
      keys_(other.keys_) {
  for (int i = 0; i < 2; ++i) {
    maps[i].present = other.maps[i].present;
    for (const auto& [f, n] : other.maps[i].entries)
      maps[i].entries.emplace_back(f, arena_.store(n));  // file names are the model's
  }
  for (Id i = 0; i < KeyTable::reserved_count; ++i) overrides[i] = other.overrides[i];
  other.for_each_entry([&](Id k, std::string_view v) { set(k, arena_.store(v)); });
}

FlatDict::~FlatDict() = default;

void FlatDict::reset() {
  ++gen_;
  if (gen_ == 0) {  // wrapped: forget every slot for real
    for (auto& s : slots_) s.gen = 0;
    gen_ = 1;
  }
  order_.clear();
  postfix_order_.clear();
  tuple_count_ = 0;
  arena_.reset();
  maps[0] = {};
  maps[1] = {};
  for (auto& o : overrides) o.reset();
}

void FlatDict::set(Id key, std::string_view v) {
  if (key >= slots_.size()) slots_.resize(std::max<std::size_t>(keys_->size(), key + 1));
  Slot& s = slots_[key];
  if (s.gen == gen_) {
    s.value = v;
    return;
  }
  s.gen = gen_;
  s.seq = next_seq_++;
  s.value = v;
  order_.emplace_back(key, s.seq);
  const std::uint8_t flags = keys_->flags()[key];
  if (flags & KeyTable::tuple_flag)
    ++tuple_count_;
  else if (flags & KeyTable::postfix_flag)
    postfix_order_.emplace_back(key, s.seq);
}

void FlatDict::erase(Id key) {
  if (!has(key)) return;
  slots_[key].gen = 0;
  if (keys_->flags()[key] & KeyTable::tuple_flag) --tuple_count_;
}

std::vector<Id> FlatDict::live_keys() const {
  std::vector<Id> out;
  for_each_entry([&](Id k, std::string_view) { out.push_back(k); });
  return out;
}

bool FlatDict::reserved_present(Id key) const {
  if (key == KeyTable::name_map) return maps[0].present || overrides[key].has_value();
  if (key == KeyTable::short_name_map) return maps[1].present || overrides[key].has_value();
  return true;
}

namespace {
std::string map_repr(const FlatDict::FileMap& m) {
  std::string out = "{";
  for (const auto& [file, names] : m.entries) {
    if (out.size() > 1) out += ", ";
    out += text::repr(file) + ": " + text::repr(names);
  }
  return out + "}";
}
}  // namespace

std::string FlatDict::reserved_str(Id key) const {
  if (overrides[key]) return *overrides[key];
  switch (key) {
    case KeyTable::name:
      return name_text;
    case KeyTable::shortname:
      return shortname_text;
    case KeyTable::dep: {
      std::string out = "[";
      for (const auto& d : dep_list) {
        if (out.size() > 1) out += ", ";
        out += text::repr(d);
      }
      return out + "]";
    }
    case KeyTable::name_map:
      return map_repr(maps[0]);
    default:
      return map_repr(maps[1]);
  }
}

std::optional<std::string> FlatDict::get(std::string_view key) const {
  const auto id = keys_->find(key);
  if (!id) return std::nullopt;
  if (KeyTable::reserved(*id)) {
    if (!reserved_present(*id)) return std::nullopt;
    return reserved_str(*id);
  }
  if (!has(*id)) return std::nullopt;
  return std::string(value(*id));
}

std::string_view FlatDict::name() const {
  return name_or_override(KeyTable::name, name_text);
}

std::string_view FlatDict::shortname() const {
  return name_or_override(KeyTable::shortname, shortname_text);
}

void FlatDict::visit_items(
    const std::function<void(std::string_view, std::string_view)>& fn) const {
  // Sorting by key is a walk over a bitmap of key ranks: cheaper than sorting each dict.
  const auto& ranks = keys_->ranks();
  const auto& by_rank = keys_->by_rank();
  present_.assign((ranks.size() + 63) / 64, 0);
  auto mark = [&](Id k) { present_[ranks[k] / 64] |= std::uint64_t{1} << (ranks[k] % 64); };
  for (Id r = 0; r < KeyTable::reserved_count; ++r)
    if (reserved_present(r)) mark(r);
  for_each_entry([&](Id k, std::string_view) { mark(k); });
  std::string scratch;
  for (std::size_t w = 0; w < present_.size(); ++w) {
    for (std::uint64_t bits = present_[w]; bits != 0; bits &= bits - 1) {
      const Id k = by_rank[w * 64 + static_cast<std::size_t>(__builtin_ctzll(bits))];
      if (!KeyTable::reserved(k)) {
        fn((*keys_)[k].text, value(k));
      } else if (k == KeyTable::name || k == KeyTable::shortname) {
        fn((*keys_)[k].text, k == KeyTable::name ? name() : shortname());
      } else {
        scratch = reserved_str(k);
        fn((*keys_)[k].text, scratch);
      }
    }
  }
}

std::vector<std::pair<std::string, std::string>> FlatDict::items() const {
  std::vector<std::pair<std::string, std::string>> out;
  visit_items([&](std::string_view k, std::string_view v) { out.emplace_back(k, v); });
  return out;
}

}  // namespace vt::core::cartesian
