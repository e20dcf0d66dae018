// A dict's context while the tree is walked: its labels, outermost first, with counts for the
// reference's `label in ctx_set` tests, and its filters' match / might-match logic.
#pragma once

#include <vector>

#include "cartesian/model.h"

namespace vt::core::cartesian {

class Context {
 public:
  void reset(std::size_t label_count);
  void push(const Label& l);
  void pop(std::size_t n);
  const std::vector<Label>& labels() const noexcept { return ctx_; }

  /// Filter.match(): some word whose every block occurs in the context.
  bool match(const Filter& f) const;
  struct Verdict {
    bool match = false;  ///< match()
    bool might = false;  ///< Filter.might_match(): it could still match with `below`'s labels
  };
  /// Both of the reference's tests at once, matching each block against the context once.
  Verdict evaluate(const Filter& f, const LabelSet& below) const;

 private:
  bool in_ctx(const Label& f) const {
    return f.named ? long_count_[f.long_name] > 0 : name_count_[f.name] > 0;
  }
  // Label.__eq__(ctx label, filter label): a plain filter label matches by name.
  static bool eq(const Label& ctx, const Label& f) {
    return f.named ? ctx.long_name == f.long_name : ctx.name == f.name;
  }
  std::size_t match_adjacent(const Block& block) const;

  std::vector<Label> ctx_;
  std::vector<int> name_count_;
  std::vector<int> long_count_;
};

}  // namespace vt::core::cartesian
