#include "cartesian/context.h"

namespace vt::core::cartesian {

void Context::reset(std::size_t label_count) {
  ctx_.clear();
  name_count_.assign(label_count, 0);
  long_count_.assign(label_count, 0);
}

void Context::push(const Label& l) {
  ctx_.push_back(l);
  ++name_count_[l.name];
  ++long_count_[l.long_name];
}

void Context::pop(std::size_t n) {
  for (; n > 0; --n) {
    const Label& l = ctx_.back();
    --name_count_[l.name];
    --long_count_[l.long_name];
    ctx_.pop_back();
  }
}

// The reference's _match_adjacent(), heuristics included: the number of the block's labels
// matched, either all of them somewhere or a run that may continue below.
std::size_t Context::match_adjacent(const Block& block) const {
  if (!in_ctx(block[0])) return 0;
  if (block.size() == 1) return 1;
  if (!in_ctx(block[1])) return eq(ctx_.back(), block[0]) ? 1 : 0;
  std::size_t k = 0;
  std::size_t i = 0;
  while (!eq(ctx_[i], block[0])) ++i;
  while (i < ctx_.size()) {
    if (k > 0 && !eq(ctx_[i], block[k])) {
      i -= k - 1;
      k = 0;
    }
    if (eq(ctx_[i], block[k])) {
      ++k;
      if (k >= block.size()) break;
      if (!in_ctx(block[k])) break;
    }
    ++i;
  }
  return k;
}

bool Context::match(const Filter& f) const {
  for (const Word& word : f) {
    bool all = true;
    for (const Block& block : word) {
      if (match_adjacent(block) != block.size()) {
        all = false;
        break;
      }
    }
    if (all) return true;
  }
  return false;
}

Context::Verdict Context::evaluate(const Filter& f, const LabelSet& below) const {
  Verdict v;
  for (const Word& word : f) {
    bool all_match = true;
    bool all_might = true;
    for (const Block& block : word) {
      const std::size_t matched = match_adjacent(block);
      if (matched == block.size()) continue;
      all_match = false;
      for (std::size_t j = matched; j < block.size() && all_might; ++j)
        all_might = below.contains(block[j]);
      if (!all_might) break;
    }
    v.match = v.match || all_match;
    v.might = v.might || all_might;
    if (v.match) return v;  // a match can also still match
  }
  return v;
}

}  // namespace vt::core::cartesian
