// Test output is arbitrary bytes; XML 1.0 accepts only well-formed UTF-8 of a restricted set of
// characters, and libxml2's writer passes whatever it is given through unchecked.
#pragma once

#include <string>
#include <string_view>

namespace vt::reporters {

/// Returns `bytes` as UTF-8 containing only characters XML 1.0 allows (tab, LF, CR, U+0020 and
/// up, minus surrogates, U+FFFE and U+FFFF). Every ill-formed sequence (its maximal subpart, as
/// Unicode recommends) and every disallowed character becomes U+FFFD.
std::string to_xml_text(std::string_view bytes);

}  // namespace vt::reporters
