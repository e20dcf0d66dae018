// Python `re` patterns where the reference uses them: keys of the regex operators and `del`
// (re.match(name + "$", key)) and the prefix in join's name merging. PCRE2 reads Python's
// syntax for everything these configurations use.
#pragma once

#include <memory>
#include <string>
#include <string_view>

namespace vt::core::cartesian {

class Regex {
 public:
  /// Throws Error(runtime) when the pattern does not compile.
  explicit Regex(std::string_view pattern);
  ~Regex();
  Regex(const Regex&) = delete;
  Regex& operator=(const Regex&) = delete;

  /// re.match(): anchored at the start, not necessarily at the end.
  bool match(std::string_view subject) const;
  /// Length of the match at the start, or -1.
  long match_length(std::string_view subject) const;

 private:
  struct Code;
  std::unique_ptr<Code> code_;
};

/// Whether `pattern` has no regular-expression syntax, so it matches only itself.
bool is_literal_pattern(std::string_view pattern) noexcept;

/// Whether `key` is matched by re.match(pattern + "$"), without a regex for plain words.
bool full_key_match(const std::string& pattern, std::shared_ptr<Regex>& cache,
                    std::string_view key);

}  // namespace vt::core::cartesian
