// OpenPGP signatures of providers (DESIGN.md "Test providers", `pubkey = keys/org.asc`): a
// provider's git tag or commit, or a downloaded archive's detached signature, must be signed by
// one of the keys of its pubkey file. GnuPG checks them in a keyring made for that file alone,
// never the user's ~/.gnupg, so neither the user's keys nor their trust settings count: being
// in the file is the trust.
#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace vt::core {

/// A GnuPG home holding only the keys of one pubkey file.
struct Keyring {
  std::filesystem::path home;               ///< absolute; GNUPGHOME for gpg and git
  std::filesystem::path source;             ///< the pubkey file, as given (for messages)
  std::vector<std::string> fingerprints;    ///< primary key fingerprints, upper-case hex
  std::map<std::string, std::string> uids;  ///< primary fingerprint -> its first user id
};

/// Imports `pubkey_file` (armored or binary public keys) into
/// `<cache_parent>/gnupg-<first 16 hex of the SHA-256 of its content>/`, or reuses that
/// directory when a previous call completed it. The directory is built in a temporary sibling
/// and renamed into place, so it is complete or absent even after a crash, and processes
/// racing to build it agree on one. Starts no gpg-agent, dirmngr or keyboxd. Thread-safe.
/// Throws sdk::ConfigError naming the file, with what gpg said and a remedy, when the file is
/// missing, unreadable, or holds no public key (or anything gpg refuses, such as a secret key);
/// sdk::Error when the cache directory cannot be written or gpg cannot be run.
Keyring prepare_keyring(const std::filesystem::path& pubkey_file,
                        const std::filesystem::path& cache_parent);

/// "FPR uid, FPR uid" for the keys of `keyring`, for messages.
std::string describe_keys(const Keyring& keyring);

enum class SignedObject { tag, commit };

/// What a signature check found.
struct SignatureCheck {
  bool valid = false;
  std::string fingerprint;  ///< primary key fingerprint of the signer, when known
  std::string uid;          ///< the signer's user id, when known
  /// When !valid: a phrase completing "tag 'v1' ..." / "archive 'x.tar.gz' ...", such as
  /// "carries no signature" or "is signed by key … which is not among the keys in '…' (…)".
  std::string problem;
};

/// Checks the signature of `object` (an annotated tag's object id, or a commit id) in the git
/// repository `git_dir` (a work tree or a bare repository) against `keyring`, with
/// `git verify-tag --raw` / `git verify-commit --raw` running the `gpg` of PATH whatever the
/// user's git config says. Valid only when gpg reports a good signature whose primary key is
/// in the keyring and nothing bad, expired, revoked or unverifiable beside it; the key's trust
/// level is ignored. Throws sdk::Error only when git or gpg cannot be run (sdk::TimeoutError
/// after 60 s); every verdict about the signature, including an object git cannot find, is a
/// SignatureCheck. Thread-safe.
SignatureCheck verify_git_signature(const std::filesystem::path& git_dir, const std::string& object,
                                    SignedObject kind, const Keyring& keyring);

/// Checks the detached signature `signature` (`x.asc` armored or `x.sig` binary) of `file`
/// against `keyring`, with the same rules and result as verify_git_signature. A missing
/// signature file is a problem ("has no signature: '…' does not exist"), not an exception.
SignatureCheck verify_detached_signature(const std::filesystem::path& file,
                                         const std::filesystem::path& signature,
                                         const Keyring& keyring);

}  // namespace vt::core
