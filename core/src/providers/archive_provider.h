// Providers whose uri is an archive: extracted once per archive content into the cache.
#pragma once

#include <filesystem>

#include "vt/core/provider.h"

namespace vt::core {

/// The directory holding `provider`'s extracted archive (a local file:// archive):
/// <cache>/providers/<name>/<sha256 of the archive>/, extracted on first use under a lock, so
/// concurrent vtrun processes extract it once. An archive whose entries all sit in one
/// top-level directory has that directory as its root (as release tarballs do). Throws
/// sdk::ConfigError (file:line of the uri) for a missing, damaged or malicious archive and
/// sdk::UnavailableError for remote archives (not supported yet).
std::filesystem::path archive_provider_root(const Provider& provider);

}  // namespace vt::core
