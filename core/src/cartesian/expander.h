// Walks the tree depth-first the way the reference's get_dicts() does and produces one dict
// per surviving leaf. Filters are decided as early as the reference decides them (so whole
// subtrees are skipped), operations are applied only at the leaf, and nothing is kept once a
// dict has been handed on.
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <span>
#include <unordered_map>
#include <vector>

#include "cartesian/context.h"
#include "cartesian/flat_dict.h"
#include "cartesian/model.h"
#include "vt/core/cartesian.h"

namespace vt::core::cartesian {

class Expander {
 public:
  /// Receives dicts; returns false to stop the walk.
  struct Sink {
    virtual ~Sink() = default;
    virtual bool take(FlatDict& d) = 0;
  };

  Expander(Model& model, const Options& options, Detail detail);
  /// The reference's top-level get_dicts(): returns how many dicts `sink` took.
  std::uint64_t run(Sink& sink);

 private:
  using Items = std::vector<const Item*>;
  std::uint64_t get_dicts(const Node* node, std::span<const Item* const> inherited, Sink& sink);
  std::uint64_t get_dicts_plain(const Node* node, std::span<const Item* const> own,
                                std::span<const Item* const> inherited, Sink& sink);
  std::uint64_t get_dicts_join(const Node* node, std::span<const Item* const> inherited,
                               Sink& sink);
  std::uint64_t multiply_join(const Node* node, std::shared_ptr<std::vector<const Item*>>& content,
                              std::span<const Item* const> onlys,
                              std::span<const Item* const> inherited, Sink& sink);
  bool process(std::span<const Item* const> items, Items& out, const LabelSet& below);
  void emit_leaf(Sink& sink);
  std::string dep_string(const Block& block) const;
  class Visit;
  void apply_content(const std::vector<Item*>& content, FlatDict& d);
  Items& pending_at(std::size_t depth);
  struct Walk {  // where the walk is: saved around a join's inner rounds
    std::vector<Label> ctx;
    std::vector<const Label*> shortname;
    std::vector<std::string> dep;
    std::vector<const Node*> path;
  };
  Walk save() const;
  void restore(const Walk& w);

  Model& model_;
  const Options& options_;
  Detail detail_;
  Context ctx_;
  std::vector<const Label*> short_;  // shortname labels
  std::vector<std::string> dep_;
  std::vector<const Node*> path_;
  std::vector<std::unique_ptr<Items>> pending_;
  std::size_t pending_offset_ = 0;  // inner join rounds use fresh pending lists
  FlatDict leaf_;
  bool stopped_ = false;
  std::deque<Item> join_items_;  // the `only` filters joins are rewritten to
  std::unordered_map<const Node*, std::vector<const Item*>> join_onlys_;
};

}  // namespace vt::core::cartesian
