// Fetching providers: from a definition to a local, verified revision (DESIGN.md, "Test
// providers"; docs/providers.md, "Fetching").
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "vt/core/provider.h"
#include "vt/sdk/plugin.h"

namespace vt::core {

/// The revision providers.lock records for a provider.
struct LockedRevision {
  std::string commit;      ///< git: full commit id
  std::string tag_object;  ///< git: annotated tag object id, when the ref is one
  std::string sha256;      ///< archives
  std::string signer;      ///< "FINGERPRINT uid" when `pubkey` was verified
};

/// A commit id or SHA-256 as messages show it: its first 12 digits.
inline std::string short_revision(const std::string& id) {
  return id.substr(0, 12);
}

/// Whether `now` is the revision `locked` records (a commit for git, a SHA-256 for archives).
inline bool same_revision(const LockedRevision& locked, const ProviderRevision& now) {
  return locked.commit == now.commit && locked.sha256 == now.sha256;
}

/// How one provider may be resolved for one command.
struct FetchPolicy {
  bool offline = false;       ///< never touch the network: use only what the cache holds
  bool accept_moved = false;  ///< `providers update`: a moved tag is accepted (and reported)
  /// What providers.lock records for this provider (when its definition still matches): a tag
  /// that moved away from it is refused unless accept_moved.
  std::optional<LockedRevision> locked;
  /// `vtrun replay`: the commit (git) or archive SHA-256 to use instead of resolving the ref.
  std::optional<std::string> pin;
  /// Warnings for the user (the cache was used because the remote was unreachable, ...).
  std::function<void(const std::string&)> notice;
};

/// Resolves `provider` to a local directory and revision: local directories as they are,
/// archives extracted into the cache, git remotes fetched (incrementally, under a per-provider
/// lock) and checked out into the cache, signatures verified when `pubkey` is set. Throws
/// sdk::ConfigError (file:line) for what the definition gets wrong or a refused signature,
/// sdk::UnavailableError when the provider cannot be fetched and nothing usable is cached.
ProviderRevision resolve_provider(const Provider& provider, const FetchPolicy& policy = {});

struct ProvidersLock;

/// How the providers of one command are resolved.
struct ResolveOptions {
  bool offline = false;       ///< --offline
  bool locked = false;        ///< --locked: each fetched provider must resolve to its lock entry
  bool accept_moved = false;  ///< `providers update`
  std::map<std::string, std::string> pins;  ///< replay: provider name -> commit or SHA-256
  std::function<void(const std::string&)> notice;
};

/// Resolves each provider (setting `resolved`), using `lock` for the tags it records. A
/// fetched provider whose revision differs from its lock entry is a notice, or with
/// `options.locked` an sdk::ConfigError, as is a provider missing from the lock or whose
/// definition changed since. Local directories are not locked.
void resolve_providers(std::vector<Provider>& providers, const ProvidersLock& lock,
                       const ResolveOptions& options);

/// What fetching and verifying `providers` needs from this host (`vtrun check`): `git` for git
/// providers, `gpg` for those with `pubkey`. Empty when they need nothing.
std::vector<sdk::HostCheck> provider_host_checks(const std::vector<Provider>& providers);

}  // namespace vt::core
