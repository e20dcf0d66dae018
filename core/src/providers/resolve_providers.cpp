// Resolving the providers of one command against providers.lock (`--locked`, replay pins).
#include "vt/core/provider_fetch.h"
#include "vt/core/providers_lock.h"
#include "vt/sdk/error.h"

namespace vt::core {

namespace {

// The lock's revision for `p` if the lock says `p` is somewhere else, else "".
std::string moved_from(const LockEntry& entry, const ProviderRevision& now) {
  if (same_revision(entry.revision, now)) return {};
  if (!now.commit.empty())
    return "commit " + short_revision(entry.revision.commit) + ", " + now.resolved_from +
           " is now commit " + short_revision(now.commit);
  return "archive SHA-256 " + short_revision(entry.revision.sha256) + ", the archive is now " +
         short_revision(now.sha256);
}

}  // namespace

void resolve_providers(std::vector<Provider>& providers, const ProvidersLock& lock,
                       const ResolveOptions& options) {
  for (Provider& p : providers) {
    FetchPolicy policy;
    policy.offline = options.offline;
    policy.accept_moved = options.accept_moved;
    policy.notice = options.notice;
    if (const auto pin = options.pins.find(p.name); pin != options.pins.end())
      policy.pin = pin->second;
    const LockEntry* entry = p.is_fetched() ? lock.find(p) : nullptr;
    const std::string stale = entry ? ProvidersLock::stale_because(*entry, p) : "";
    const std::string remedy = " — run `vtrun providers update " + p.name + "`";
    if (options.locked && p.is_fetched() && !policy.pin) {
      if (entry == nullptr)
        throw sdk::ConfigError(p.definition.string(), p.uri_line,
                               "--locked: provider '" + p.name + "' is not in '" +
                                   lock.file.string() + "'" + remedy + " to add it");
      if (!stale.empty())
        throw sdk::ConfigError(lock.file.string(), entry->line,
                               "--locked: the entry of provider '" + p.name +
                                   "' was written for another definition: " + stale + remedy);
    }
    if (entry != nullptr && stale.empty()) policy.locked = entry->revision;
    p.resolved = resolve_provider(p, policy);
    if (entry == nullptr || !stale.empty() || policy.pin) continue;
    const std::string moved = moved_from(*entry, *p.resolved);
    if (moved.empty()) continue;
    const std::string what = "provider '" + p.name + "' moved: providers.lock records " + moved;
    if (options.locked)
      throw sdk::ConfigError(
          lock.file.string(), entry->line,
          "--locked: " + what + remedy + " to accept it, or run without --locked");
    if (options.notice && !options.accept_moved)
      options.notice(what + " (`vtrun providers update " + p.name +
                     "` records it; --locked would refuse)");
  }
}

}  // namespace vt::core
