// The parsed form of a Cartesian configuration: the reference parser's tree of nodes, their
// content (operations, filters, conditions) and the interned strings they refer to.
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace vt::core::cartesian {

using Id = std::uint32_t;

/// Interns strings to dense ids; the strings never move.
class StringTable {
 public:
  Id intern(std::string_view s);
  std::optional<Id> find(std::string_view s) const;
  const std::string& str(Id id) const { return strings_[id]; }
  std::size_t size() const noexcept { return strings_.size(); }

 private:
  std::deque<std::string> strings_;
  std::unordered_map<std::string_view, Id> index_;
};

/// A variant label: `name`, or `(var=name)` in a named variants block.
struct Label {
  Id name = 0;       ///< label string table
  Id long_name = 0;  ///< `(var=name)`; equal to `name` when not named
  bool named = false;
};

using Block = std::vector<Label>;  ///< labels joined by `.`: immediately followed by
using Word = std::vector<Block>;   ///< blocks joined by `..`: all of them, anywhere
using Filter = std::vector<Word>;  ///< words joined by `,` or whitespace: any of them

/// Dict keys: plain strings, the reserved keys, and the tuple keys `suffix` makes.
class KeyTable {
 public:
  static constexpr Id name = 0, shortname = 1, dep = 2, name_map = 3, short_name_map = 4;
  static constexpr Id reserved_count = 5;
  enum class Postfix : std::uint8_t { none, max, min, fixed };

  struct Key {
    std::string text;  ///< the key, or for a tuple key its parts joined ("".join(key))
    bool tuple = false;
    Id base = 0;         ///< tuple: the plain key it started as; plain: itself
    Id parent = 0;       ///< tuple: the key one suffix shorter
    std::string suffix;  ///< tuple: the last suffix
    Postfix postfix = Postfix::none;
    Id postfix_base = 0;  ///< `k_max` -> `k` (text before the first marker)
  };

  KeyTable();
  Id intern(std::string_view text);  ///< a plain key
  std::optional<Id> find(std::string_view text) const;
  Id intern_tuple(Id key, std::string_view suffix);  ///< (key..., suffix)
  const Key& operator[](Id id) const { return keys_[id]; }
  std::size_t size() const noexcept { return keys_.size(); }
  static bool reserved(Id id) noexcept { return id < reserved_count; }
  static constexpr std::uint8_t tuple_flag = 1, postfix_flag = 2;
  /// tuple_flag / postfix_flag of every key, compact for the hot path.
  const std::vector<std::uint8_t>& flags() const noexcept { return flags_; }
  /// Position of every key in code-point order of its text (for sorted output), and the
  /// keys in that order.
  const std::vector<std::uint32_t>& ranks();
  const std::vector<Id>& by_rank() {
    ranks();
    return by_rank_;
  }

 private:
  std::deque<Key> keys_;
  std::vector<std::uint8_t> flags_;
  std::unordered_map<std::string_view, Id> plain_;
  std::unordered_map<std::uint64_t, std::vector<Id>> tuples_;  // (parent, suffix hash) -> ids
  std::vector<std::uint32_t> ranks_;
  std::vector<Id> by_rank_;
};

/// A `${...}` value, split where references start.
struct Template {
  std::string text;
  bool has_dollar = false;
};

enum class OpKind : std::uint8_t {
  set,
  append,
  prepend,
  lazy_set,
  regex_set,
  regex_append,
  regex_prepend,
  del,
  pre_dict,
  file_map,
  short_file_map,
  suffix,
};

class Regex;  // regex.h

struct Op {
  OpKind kind = OpKind::set;
  Id key = 0;        ///< set/append/prepend/lazy_set: the key
  std::string name;  ///< the key text, regex, suffix or variant name (file maps)
  Template value;
  std::vector<std::pair<Id, std::string>> pre;  ///< pre_dict: literal assignments in order
  std::string_view file;  ///< file maps: basename or `<string>`, interned in Model::labels
  mutable std::shared_ptr<Regex> regex;  ///< regex ops and del, compiled lazily
};

enum class ItemKind : std::uint8_t { op, only, no, join, cond, neg_cond };

struct Item {
  ItemKind kind = ItemKind::op;
  Op op;
  Filter filter;
  std::vector<Item*> content;  ///< conditions
  std::string line;            ///< a join's source line, for the error it may raise
  // Derived before enumeration:
  std::vector<const Item*> fb_content;  ///< a condition's items that can drop dicts

  /// Whether this item can drop dicts: a filter, or a condition with a filter inside.
  bool can_drop() const {
    switch (kind) {
      case ItemKind::only:
      case ItemKind::no:
      case ItemKind::join:
        return true;
      case ItemKind::cond:
      case ItemKind::neg_cond:
        return !fb_content.empty();
      case ItemKind::op:
        return false;
    }
    return false;
  }
};

struct LabelSet {
  std::vector<Id> names;  ///< sorted
  std::vector<Id> longs;  ///< sorted, named labels only
  bool contains(const Label& l) const {
    const Id id = l.named ? l.long_name : l.name;
    const auto& bits = l.named ? long_bits_ : name_bits_;
    return id / 64 < bits.size() && (bits[id / 64] >> (id % 64) & 1) != 0;
  }
  void add(const Label& l);
  void add(const LabelSet& other);
  /// Builds the bitmaps contains() reads; after the last add().
  void seal();

 private:
  std::vector<std::uint64_t> name_bits_, long_bits_;
  bool sealed_ = false;
};

struct Node {
  std::vector<Label> name;
  std::optional<std::string> var_name;
  Filter dep;
  std::vector<Item*> content;
  std::vector<Node*> children;
  std::shared_ptr<LabelSet> labels = std::make_shared<LabelSet>();
  bool append_to_shortname = false;
  bool is_default = false;
  // Derived before enumeration:
  std::vector<const Item*> filter_items;  ///< content items that can drop dicts
  bool has_joins = false;
};

/// Everything a Config owns. Items and nodes live in deques so pointers stay valid.
struct Model {
  StringTable labels;
  KeyTable keys;
  std::deque<Item> items;
  std::deque<Node> nodes;
  Node* root = nullptr;

  Model();
  Item* new_item(ItemKind kind);
  Node* new_node();
  Label label(std::string_view name);
  Label label(std::string_view var, std::string_view name);
  /// Recomputes the derived fields of every node and item.
  void prepare();
};

}  // namespace vt::core::cartesian
