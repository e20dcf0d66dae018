// Providers whose uri is an archive (file:// or http(s)://): extracted once per archive content
// into the cache.
#pragma once

#include <filesystem>

#include "vt/core/provider_fetch.h"

namespace vt::core {

/// The directory holding `provider`'s extracted archive: <cache>/providers/<name>/<sha256 of
/// the archive>/, extracted on first use under the provider's lock (<cache>/providers/<name>/
/// .lock), so concurrent vtrun processes extract it once. An archive whose entries all sit in
/// one top-level directory has that directory as its root (as release tarballs do).
///
/// An http(s) archive is downloaded (under the same lock) to <cache>/providers/<name>/download/
/// archive<suffix>, with a conditional request when an earlier download of the same URL is
/// there (its ETag / Last-Modified in archive.meta beside it): a 304 keeps that copy. A fresh
/// download replaces it only once it extracted. `policy.offline` uses the last download without
/// the network; an unreachable server or an HTTP error falls back to it with `policy.notice`.
/// `from_cache` is set when the server was not asked or did not answer.
///
/// `policy.pin` (a SHA-256) selects an earlier extraction of the archive (for http(s), without
/// asking the server). Throws sdk::ConfigError (file:line of the uri) for a missing, damaged or
/// malicious archive or a pin the cache no longer holds, sdk::UnavailableError when an http(s)
/// archive cannot be downloaded (offline, unreachable, HTTP >= 400) and none was before.
ProviderRevision resolve_archive_provider(const Provider& provider, const FetchPolicy& policy);

}  // namespace vt::core
