// Providers whose uri is a git repository: fetched into the cache and checked out per commit.
#pragma once

#include "vt/core/provider_fetch.h"

namespace vt::core {

/// Fetches `provider` (incrementally, into <cache>/providers/<name>/git, under the provider's
/// lock), resolves its ref, branch or default branch to a commit, verifies the signature when
/// `pubkey` is set, and checks the commit out into <cache>/providers/<name>/trees/<commit>/.
ProviderRevision resolve_git_provider(const Provider& provider, const FetchPolicy& policy);

}  // namespace vt::core
