// Classifying a provider's `uri` (DESIGN.md, "Test providers").
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

#include "vt/core/provider.h"

namespace vt::core {

/// Classifies `text`, the `uri` written at `line` of `definition` (an absolute path; relative
/// plain paths resolve against its directory). Looks at the file system only for file://
/// URIs, to tell a git repository from a plain directory. Throws sdk::ConfigError(definition,
/// line, ...) for an empty URI, an unknown scheme or a relative file:// path.
ProviderUri classify_uri(const std::string& text, const std::filesystem::path& definition,
                         int line);

/// True when `path` ends with a suffix vtrun extracts as an archive: .tar .tar.gz .tgz .tar.xz
/// .txz .tar.zst .zip (in any case).
bool has_archive_suffix(std::string_view path);

/// The archive suffix `path` ends with, lower-case (".tar.gz"), or "".
std::string archive_suffix(std::string_view path);

}  // namespace vt::core
