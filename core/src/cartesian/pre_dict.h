// The reference parser's pre_dict: a block's plain literal assignments, batched until
// something else comes and then stored as one operation. Operations on keys already in the
// batch are folded into it, exactly where the reference folds them.
#pragma once

#include <cstddef>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "cartesian/model.h"

namespace vt::core::cartesian {

class PreDict {
 public:
  explicit PreDict(const KeyTable& keys) : keys_(keys) {}
  bool empty() const { return entries_.empty(); }
  /// `op.name in pre_dict`.
  bool contains(const Op& op) const;
  /// op.apply_to_dict(pre_dict), for a literal operation.
  void apply(const Op& op);
  void set(Id key, std::string value);
  /// apply_predict(): the batch becomes one operation at the end of `content`, and restarts.
  void flush(Model& model, std::vector<Item*>& content);

 private:
  static constexpr std::size_t npos = static_cast<std::size_t>(-1);
  static constexpr std::size_t small = 16;  // most batches: a scan beats hashing
  std::size_t find(Id key) const;
  bool has(Id key) const { return find(key) != npos; }
  std::string get(Id key) const;

  const KeyTable& keys_;
  std::vector<std::pair<Id, std::string>> entries_;
  std::unordered_map<Id, std::size_t> index_;  // built once a batch outgrows `small`
};

}  // namespace vt::core::cartesian
