#include "providers/archive_signature.h"

#include "providers/http_download.h"
#include "providers/signature_check.h"
#include "vt/sdk/error.h"

namespace vt::core {

namespace fs = std::filesystem;

std::vector<fs::path> signature_candidates(const fs::path& archive) {
  return {fs::path(archive.string() + ".asc"), fs::path(archive.string() + ".sig")};
}

void download_signature(const std::string& url, const fs::path& dest) {
  std::string reasons;
  for (const char* suffix : {".asc", ".sig"}) {
    try {
      http_download(url + suffix, dest);
      return;
    } catch (const DownloadError& e) {
      reasons += (reasons.empty() ? "" : "; ") + std::string(suffix) + ": " + e.reason();
    }
  }
  throw DownloadError(url + ".asc' nor '" + url + ".sig", reasons);
}

std::string verified_signer(const Provider& provider, const fs::path& archive,
                            const fs::path& signature, const fs::path& cache_dir,
                            const std::string& source) {
  const int line = provider.pubkey_line > 0 ? provider.pubkey_line : provider.uri_line;
  const auto refuse = [&](const std::string& why) {
    return sdk::ConfigError(provider.definition.string(), line,
                            "provider '" + provider.name + "': " + why);
  };
  fs::path key = provider.pubkey;
  if (key.is_relative()) key = provider.definition.parent_path() / key;
  Keyring keyring;
  try {
    keyring = prepare_keyring(key, cache_dir);
  } catch (const sdk::Error& e) {
    throw refuse(std::string("cannot read 'pubkey': ") + e.what());
  }
  const SignatureCheck check = verify_detached_signature(archive, signature, keyring);
  if (check.valid) return check.fingerprint + " " + check.uid;
  throw refuse("archive '" + source + "' " + check.problem + " — 'pubkey' (" + key.string() +
               ") requires a detached signature ('" + source +
               ".asc' or '.sig') by one of its "
               "keys (" +
               describe_keys(keyring) +
               "), so nothing from this provider runs; sign it with `gpg --detach-sign --armor` "
               "and publish the .asc beside it");
}

}  // namespace vt::core
