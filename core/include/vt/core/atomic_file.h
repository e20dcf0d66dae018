// Files that are either complete or absent: a crash never leaves a truncated result.
#pragma once

#include <filesystem>

#include "vt/sdk/files.h"

namespace vt::core {

using sdk::read_file;
using sdk::write_file_atomic;

/// Points the symlink `link` at `target`, replacing an existing link atomically.
void replace_symlink_atomic(const std::filesystem::path& target, const std::filesystem::path& link);

}  // namespace vt::core
