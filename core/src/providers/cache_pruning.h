// Keeping a provider's cache from growing without bound: a followed branch gets a new checkout
// for every commit, and a changed archive a new extraction.
#pragma once

#include <chrono>
#include <filesystem>
#include <functional>
#include <string>

namespace vt::core {

/// Checkouts and extractions not used for this long are removed.
inline constexpr std::chrono::hours unused_cache_entry_age{24 * 14};

/// Marks the cache directory `entry` as used now (its mtime: a checkout is never written again).
void touch_cache_entry(const std::filesystem::path& entry);

/// Removes the directories of `parent` whose name `prunable` accepts, other than `keep`, not used
/// for `unused_cache_entry_age`, and the temporaries (`*.partial-*`, `*.tar-*`) a killed vtrun
/// left there once they are a day old. Call it under the provider's lock. Errors are ignored:
/// pruning is housekeeping, never a reason to fail a command.
void prune_cache_entries(const std::filesystem::path& parent, const std::filesystem::path& keep,
                         const std::function<bool(const std::string&)>& prunable);

}  // namespace vt::core
