#define PCRE2_CODE_UNIT_WIDTH 8
#include "cartesian/regex.h"

#include <pcre2.h>

#include "vt/core/cartesian.h"

namespace vt::core::cartesian {

struct Regex::Code {
  pcre2_code* code = nullptr;
  pcre2_match_data* data = nullptr;
  ~Code() {
    if (data) pcre2_match_data_free(data);
    if (code) pcre2_code_free(code);
  }
};

Regex::Regex(std::string_view pattern) : code_(std::make_unique<Code>()) {
  int error = 0;
  PCRE2_SIZE offset = 0;
  code_->code = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(pattern.data()), pattern.size(),
                              PCRE2_UTF | PCRE2_MATCH_INVALID_UTF, &error, &offset, nullptr);
  if (!code_->code) {
    PCRE2_UCHAR buffer[256];
    pcre2_get_error_message(error, buffer, sizeof buffer);
    throw Error(ErrorKind::runtime,
                "bad regular expression '" + std::string(pattern) +
                    "': " + reinterpret_cast<const char*>(buffer),
                std::string(), std::string(), -1);
  }
  code_->data = pcre2_match_data_create_from_pattern(code_->code, nullptr);
}

Regex::~Regex() = default;

long Regex::match_length(std::string_view subject) const {
  const int rc = pcre2_match(code_->code, reinterpret_cast<PCRE2_SPTR>(subject.data()),
                             subject.size(), 0, PCRE2_ANCHORED, code_->data, nullptr);
  if (rc < 0) return -1;
  const PCRE2_SIZE* ov = pcre2_get_ovector_pointer(code_->data);
  return static_cast<long>(ov[1] - ov[0]);
}

bool Regex::match(std::string_view subject) const {
  return match_length(subject) >= 0;
}

bool is_literal_pattern(std::string_view pattern) noexcept {
  return pattern.find_first_of(".^$*+?{}[]\\|()") == std::string_view::npos;
}

bool full_key_match(const std::string& pattern, std::shared_ptr<Regex>& cache,
                    std::string_view key) {
  if (is_literal_pattern(pattern)) return key == pattern;
  if (!cache) cache = std::make_shared<Regex>(pattern + "$");
  return cache->match(key);
}

}  // namespace vt::core::cartesian
