// The host side of copy_in / copy_out, the same for every channel: directories travel as tar
// streams, files with their permission bits.
#pragma once

#include <string>

#include "vt/sdk/host.h"

namespace vt::backend {

/// A tar stream of `dir`'s contents. Throws sdk::ConfigError when it is not a directory.
std::string pack_host_dir(sdk::Host& host, const std::string& dir);
/// Unpacks a tar stream into `dir` (created if needed).
void unpack_into_host_dir(sdk::Host& host, std::string tar, const std::string& dir);
/// The permission bits of a host file as octal text ("755"). Throws sdk::ConfigError when it
/// is not a regular file.
std::string host_file_mode(const std::string& path);
/// Writes `data` to `path` atomically (parents created) and gives it `octal_mode`.
void write_host_file(const std::string& path, const std::string& data,
                     const std::string& octal_mode);

}  // namespace vt::backend
