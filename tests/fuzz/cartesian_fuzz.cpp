// libFuzzer target for the Cartesian lexer, parser and expander (scripts/fuzz-cartesian.sh):
// whatever the bytes, parsing and the first dicts must either work or raise
// cartesian::Error, never crash, hang, leak or trip a sanitizer.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "vt/core/cartesian.h"

namespace {
// Enough dicts to reach the post-processing of several leaves; a matrix of 10^9 must not make
// one input take minutes.
constexpr std::uint64_t max_dicts = 1000;
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  namespace cartesian = vt::core::cartesian;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  cartesian::Options options;
  // The last byte's low bit also covers defaults mode (`-d`); seed files end in '\n', which
  // keeps them in the ordinary mode.
  options.defaults = size > 0 && (data[size - 1] & 1) != 0;
  cartesian::Config config(options);
  try {
    config.parse_string(text);
  } catch (const cartesian::Error&) {
    return 0;
  }
  std::uint64_t left = max_dicts;
  try {
    config.for_each(
        [&](const cartesian::Dict& dict) {
          // Formatting reads every key and value, as `vtrun cartesian -c` does.
          (void)cartesian::format_dict(max_dicts - left + 1, dict, true, true);
          return --left > 0;
        },
        cartesian::Detail::full);
  } catch (const cartesian::Error&) {
  }
  return 0;
}
