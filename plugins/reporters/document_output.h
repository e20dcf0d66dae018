// Where the file-producing reporters (json, junit) put their document: a file written
// atomically, or stdout for "-".
#pragma once

#include <cstdio>
#include <filesystem>
#include <string_view>

namespace vt::reporters {

/// Writes `document` to `output` atomically, or to `out` when `output` is "-". Throws
/// vt::sdk::Error naming `reporter` when stdout cannot be written.
void write_document(const std::filesystem::path& output, std::FILE* out, std::string_view document,
                    std::string_view reporter);

}  // namespace vt::reporters
