// providers.lock: the revision each provider resolved to when `vtrun providers update` last ran
// (docs/providers.md, "providers.lock"). It sits next to the providers.d it belongs to.
#pragma once

#include <filesystem>
#include <map>
#include <string>

#include "vt/core/provider.h"
#include "vt/core/provider_fetch.h"

namespace vt::core {

struct LockEntry {
  // The definition the revision was resolved from: a changed definition makes the entry stale.
  std::string uri;
  std::string branch;
  std::string ref;
  std::string pubkey;
  LockedRevision revision;
  std::string updated;  ///< UTC, ISO 8601
  int line = 0;         ///< of its table in the file (0 for entries not read from a file)
};

struct ProvidersLock {
  std::filesystem::path file;
  std::map<std::string, LockEntry> providers;  ///< by provider name

  /// The entry for `provider`, or nullptr.
  const LockEntry* find(const Provider& provider) const;
  /// Why `entry` no longer describes `provider` ("'ref' is now 'v2', the lock has 'v1'"), or ""
  /// when it still does.
  static std::string stale_because(const LockEntry& entry, const Provider& provider);
  /// The entry recording `revision` for `provider` as it is defined now.
  static LockEntry entry_for(const Provider& provider, const ProviderRevision& revision);
};

/// `<providers.d>/../providers.lock`.
std::filesystem::path providers_lock_path(const std::filesystem::path& providers_dir);

/// Reads `file`; a missing file is an empty lock. Throws sdk::ConfigError(file, line, ...) for
/// a damaged one.
ProvidersLock read_providers_lock(const std::filesystem::path& file);

/// Writes `lock` to lock.file atomically (a crash leaves the old file or the new one).
void write_providers_lock(const ProvidersLock& lock);

}  // namespace vt::core
