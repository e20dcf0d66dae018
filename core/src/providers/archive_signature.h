// `pubkey` for archive providers: the archive must come with a detached OpenPGP signature
// (`<archive>.asc` or `<archive>.sig`, beside a file:// archive or at the URL plus the suffix)
// made by one of the keys of the pubkey file.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "vt/core/provider.h"

namespace vt::core {

/// Where a file:// archive's detached signature may be: `<archive>.asc`, `<archive>.sig`.
std::vector<std::filesystem::path> signature_candidates(const std::filesystem::path& archive);

/// Downloads the detached signature of `url` (`url.asc`, else `url.sig`) to `dest`. Throws
/// DownloadError (http_download.h) naming both attempts when neither could be downloaded.
void download_signature(const std::string& url, const std::filesystem::path& dest);

/// Checks `archive` against the detached signature `signature` (may not exist) with the keys
/// of `provider.pubkey`, in a keyring under `cache_dir`. Returns the signer, "FINGERPRINT uid".
/// Throws sdk::ConfigError (the definition's `pubkey` line) saying which archive, which keys
/// and why, when the signature is missing, bad or by another key.
std::string verified_signer(const Provider& provider, const std::filesystem::path& archive,
                            const std::filesystem::path& signature,
                            const std::filesystem::path& cache_dir, const std::string& source);

}  // namespace vt::core
