// Extracting a provider archive (DESIGN.md "Test providers"): .tar, .tar.gz, .tar.xz,
// .tar.zst and .zip through libarchive, refusing every entry that could write outside the
// destination.
#pragma once

#include <cstdint>
#include <filesystem>

namespace vt::core {

struct ExtractReport {
  std::size_t entries = 0;  ///< files, directories and links created
  std::uint64_t bytes = 0;  ///< file contents written
};

/// Extracts `archive` into `dest`, which must not exist yet; it appears only complete (the
/// entries go into a sibling temporary directory renamed at the end). Refused, with
/// sdk::ConfigError naming the archive, the entry and why, and nothing left behind: absolute
/// paths, `..` components, device files, FIFOs and sockets, symbolic links whose target is
/// absolute or leaves the destination, hard links to anything outside it. Throws sdk::Error
/// for an unreadable or corrupt archive.
ExtractReport extract_archive(const std::filesystem::path& archive,
                              const std::filesystem::path& dest);

}  // namespace vt::core
