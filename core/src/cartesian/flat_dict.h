// The dict a leaf of the tree becomes: one slot per known key (no hashing while operations
// run), insertion order kept as the reference's Python dict keeps it, values in an arena.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cartesian/lexer.h"
#include "cartesian/model.h"
#include "vt/core/cartesian.h"

namespace vt::core::cartesian {

/// Bump allocator for computed values; reset() per dict.
class Arena {
 public:
  std::string_view store(std::string_view a, std::string_view b = {}, std::string_view c = {});
  void reset();

 private:
  static constexpr std::size_t chunk_size = 1 << 16;
  std::vector<std::unique_ptr<char[]>> chunks_;
  std::vector<std::unique_ptr<char[]>> large_;
  std::size_t chunk_ = 0;
  std::size_t used_ = 0;
};

class FlatDict final : public Dict {
 public:
  explicit FlatDict(KeyTable& keys);
  FlatDict(const FlatDict& other);
  FlatDict& operator=(const FlatDict&) = delete;
  ~FlatDict() override;

  /// Empties the dict for the next leaf.
  void reset();

  // Reserved keys.
  std::string name_text;
  std::string shortname_text;
  std::vector<std::string> dep_list;
  struct FileMap {
    bool present = false;
    std::vector<std::pair<std::string_view, std::string_view>> entries;  // file -> names
  };
  FileMap maps[2];  ///< _name_map_file, _short_name_map_file
  std::optional<std::string> overrides[KeyTable::reserved_count];  ///< set by `k_fixed` etc.

  // Ordinary keys (never reserved ones).
  bool has(Id key) const { return key < slots_.size() && slots_[key].gen == gen_; }
  std::string_view value(Id key) const { return slots_[key].value; }
  /// `v` must outlive the dict's current contents (model text or this arena).
  void set(Id key, std::string_view v);
  void erase(Id key);
  /// `f(key, value)` for every key, in insertion order.
  template <class F>
  void for_each_entry(F&& f) const {
    for_each_live(order_, f);
  }
  /// The same, only for keys ending in `_max`, `_min` or `_fixed`.
  template <class F>
  void for_each_postfix_entry(F&& f) const {
    for_each_live(postfix_order_, f);
  }
  std::vector<Id> live_keys() const;
  std::size_t tuple_keys() const noexcept { return tuple_count_; }
  Arena& arena() noexcept { return arena_; }
  KeyTable& keys() const noexcept { return *keys_; }

  /// str() of a reserved key (dep and the maps in repr form).
  std::string reserved_str(Id key) const;
  bool reserved_present(Id key) const;

  // Dict
  std::string_view name() const override;
  std::string_view shortname() const override;
  const std::vector<std::string>& dep() const override { return dep_list; }
  std::vector<std::pair<std::string, std::string>> items() const override;
  /// str() of any key, reserved ones included; what `${key}` substitutes.
  std::optional<std::string> get(std::string_view key) const override;
  void visit_items(
      const std::function<void(std::string_view, std::string_view)>& fn) const override;

 private:
  // Insertion logs hold (key, seq); an entry is live while the key's slot still has that seq.
  template <class F>
  void for_each_live(const std::vector<std::pair<Id, std::uint32_t>>& log, F& f) const {
    for (const auto& [key, seq] : log)
      if (has(key) && slots_[key].seq == seq) f(key, slots_[key].value);
  }
  std::string_view name_or_override(Id key, const std::string& text) const {
    return overrides[key] ? std::string_view(*overrides[key]) : std::string_view(text);
  }
  struct Slot {
    std::uint32_t gen = 0;
    std::uint32_t seq = 0;
    std::string_view value;
  };
  KeyTable* keys_;
  std::vector<Slot> slots_;
  std::vector<std::pair<Id, std::uint32_t>> order_;
  std::vector<std::pair<Id, std::uint32_t>> postfix_order_;
  std::uint32_t gen_ = 1;
  std::uint32_t next_seq_ = 1;
  std::size_t tuple_count_ = 0;
  Arena arena_;
  mutable std::vector<std::uint64_t> present_;  // visit_items() scratch
};

/// Builds an assignment operation of the reference's kinds from `key OP value`.
Op make_assignment(Model& model, T op_token, std::string key, std::string value);
/// Whether a regex operation's pattern matches `key` (re.match(pattern + "$")).
bool regex_key_matches(const Op& op, std::string_view key);

/// Applies one operation to a leaf dict, as LOperators.apply_to_dict() does.
void apply_op(const Op& op, FlatDict& d, bool skip_dups);
/// `_max` / `_min` / `_fixed` post-processing; throws Error(value) like the reference.
void postfix_parse(FlatDict& d);
/// The reference's drop_suffixes(): tuple keys merged or renamed. Returns a new dict.
std::unique_ptr<FlatDict> drop_suffixes(const FlatDict& d, bool skip_dups);

}  // namespace vt::core::cartesian
