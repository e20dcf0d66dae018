// File helpers every plugin and the core share, so results are written one way everywhere.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

namespace vt::sdk {

/// Writes `content` to a temporary file beside `path`, fsyncs it and renames it over `path`,
/// so readers see the old file or the whole new one, never a truncated one. Creates missing
/// parent directories. Thread-safe. Throws sdk::Error naming the path on failure.
void write_file_atomic(const std::filesystem::path& path, std::string_view content);

/// Testbed::copy_in/copy_out's rule (autopkgtest's): both paths end in '/' (a directory's
/// contents) or neither does (a file). Returns whether it is a directory copy; throws
/// sdk::ConfigError naming both paths otherwise.
bool check_copy_paths(const std::string& from, const std::string& to);

/// vtrun's cache directory: $VTRUN_CACHE_DIR, else $XDG_CACHE_HOME/vtrun, else ~/.cache/vtrun.
/// Built guest images live in `images/<name>/<inputs hash>/`, with `images/<name>/current`
/// linking to the newest build.
std::filesystem::path cache_dir();

/// Reads a whole file. Throws sdk::Error naming the path when it cannot.
std::string read_file(const std::filesystem::path& path);

}  // namespace vt::sdk
