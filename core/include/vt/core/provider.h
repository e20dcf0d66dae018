// Test providers: where tests come from (DESIGN.md, "Test providers").
#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace vt::core {

/// How a provider's `uri` is fetched. Only `file_url` and `path` are usable without fetching.
enum class UriKind {
  git,       ///< git://, ssh://, http(s):// (not an archive), or file:// pointing into a git repo
  archive,   ///< .tar, .tar.gz, .tgz, .tar.xz, .tar.zst, .zip from file:// or http(s)://
  file_url,  ///< file:///absolute/dir (a plain directory)
  path,      ///< a plain path; relative paths are relative to the providers.d file's directory
};

const char* to_string(UriKind kind) noexcept;

struct ProviderUri {
  std::string text;  ///< as written in the file
  UriKind kind = UriKind::path;
  std::string scheme;           ///< "git", "https", "ssh", "file", "" for plain paths
  std::filesystem::path local;  ///< absolute local path for file_url / path / file:// archives
};

/// One `[<backend>]` section: where that backend's tests live inside the provider.
struct BackendSection {
  std::string backend;               ///< section name: "qemu", "generic", "local", ...
  std::string subdir;                ///< relative to the provider root ("" = root)
  std::vector<std::string> configs;  ///< Avocado-VT's optional `configs = a.cfg, b.cfg`
  int line = 0;                      ///< line of the section header
};

/// What a provider resolved to for one command: where its files are and which revision they are.
struct ProviderRevision {
  std::filesystem::path root;  ///< local directory holding the provider's files
  std::string commit;          ///< git: the full commit id checked out; else empty
  std::string tag_object;      ///< git: the annotated tag's object id when the ref is one
  std::string resolved_from;   ///< "tag v1.0", "branch main", "default branch", "commit 4f2a…",
                               ///< "archive", "directory"
  std::string sha256;          ///< archives: SHA-256 of the archive file
  std::string signer;          ///< with `pubkey`: "FINGERPRINT uid" of the valid signature
  bool from_cache = false;     ///< the remote was not contacted (offline, unreachable, cached pin)
};

/// A provider definition read from providers.d.
struct Provider {
  std::string name;                  ///< file name up to the first '.', as Avocado-VT names it
  std::filesystem::path definition;  ///< absolute path of the .ini / .toml file
  int uri_line = 0;
  ProviderUri uri;
  std::string branch;   ///< empty: follow the remote's default branch
  std::string ref;      ///< tag or commit; empty: none
  std::string pubkey;   ///< file of OpenPGP public keys; empty: no signature required
  int branch_line = 0;  ///< lines of `branch`, `ref` and `pubkey` (0: not given)
  int ref_line = 0;
  int pubkey_line = 0;
  std::string format;             ///< "" (detect), "native", "cartesian", "pvtest" (TOML only)
  std::vector<std::string> tags;  ///< TOML only: tags added to every test of the provider
  std::map<std::string, BackendSection> backends;  ///< by section name
  /// Set by resolve_providers() (vt/core/provider_fetch.h); provider_root() returns its root.
  std::optional<ProviderRevision> resolved;

  /// True for git and archive providers, which are fetched into the cache and locked; local
  /// directories are used in place.
  bool is_fetched() const noexcept {
    return uri.kind == UriKind::git || uri.kind == UriKind::archive;
  }

  /// The section for `backend`: its own, else "generic", else nullopt.
  std::optional<BackendSection> section_for(const std::string& backend) const;
};

/// Directories searched for providers.d, in order: `--providers DIR` (only it, when given),
/// ./providers.d, $XDG_CONFIG_HOME/vtrun/providers.d (~/.config when unset),
/// /etc/vtrun/providers.d.
std::vector<std::filesystem::path> providers_search_path(
    const std::optional<std::filesystem::path>& cli_dir);

/// The first directory of the search path that exists. Throws sdk::ConfigError naming every
/// place searched when none does, or when `cli_dir` is given but missing.
std::filesystem::path find_providers_dir(const std::optional<std::filesystem::path>& cli_dir);

/// Reads every *.ini and *.toml in `dir`, sorted by file name. Throws sdk::ConfigError with
/// file and line on the first bad file; two files with the same provider name are an error.
std::vector<Provider> read_providers_dir(const std::filesystem::path& dir);

/// Reads one definition. `.ini` is parsed as Python's configparser does (Avocado-VT's reader).
Provider read_provider_file(const std::filesystem::path& file);

/// The provider's local root directory: `resolved->root`, else resolved now with the default
/// FetchPolicy (vt/core/provider_fetch.h), which fetches git and remote archives when needed.
std::filesystem::path provider_root(const Provider& provider);

}  // namespace vt::core
