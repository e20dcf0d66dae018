// The two definition formats of providers.d, read into the same Provider.
#pragma once

#include <filesystem>
#include <string>

#include "vt/core/provider.h"

namespace vt::core::detail {

/// Reads `definition` (absolute) as Avocado-VT reads a test-providers.d .ini file. Leaves
/// `name` to the caller. Throws sdk::ConfigError.
Provider read_ini_provider(const std::filesystem::path& definition);

/// Reads `definition` (absolute) as a providers.d .toml file. Leaves `name` to the caller.
/// Throws sdk::ConfigError.
Provider read_toml_provider(const std::filesystem::path& definition);

/// `subdir` as a normalised relative path ("qemu/" -> "qemu", "." -> ""). Throws
/// sdk::ConfigError(file, line) when it is absolute or leaves the provider root, so a fetched
/// provider cannot point vtrun at the rest of the disk.
std::string checked_subdir(const std::string& subdir, const std::string& file, int line);

}  // namespace vt::core::detail
