// A provider's bare git repository in the cache, driven through the `git` program (the user's
// git configuration, credentials and proxies apply, as they do for `git clone`).
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace vt::core {

class GitRepo {
 public:
  /// Opens the bare repository at `dir`, creating it when missing.
  explicit GitRepo(std::filesystem::path dir);

  const std::filesystem::path& dir() const noexcept { return dir_; }

  /// Fetches the remote's branches and tags (and HEAD when `head`) into refs/vtrun/ (forced and
  /// pruned, so they mirror `uri` as it is now). Returns why it failed (git's last words), or
  /// nullopt.
  std::optional<std::string> fetch_all(const std::string& uri, bool head) const;
  /// Fetches one commit by id (servers allow that for commits reachable from their refs).
  std::optional<std::string> fetch_commit(const std::string& uri, const std::string& id) const;

  /// The full id `spec` names (`refs/vtrun/tags/v1`, `4f2a1c0^{commit}`), or nullopt.
  std::optional<std::string> resolve(const std::string& spec) const;
  /// "commit", "tag", ... for an object id; empty when it does not exist.
  std::string object_type(const std::string& id) const;
  /// Names under refs/vtrun/<kind>/ (kind "heads" or "tags"), sorted.
  std::vector<std::string> names(const std::string& kind) const;

  /// Writes the tree of `commit` into `dest` (which must not exist) through the safe archive
  /// extractor, so a repository cannot plant links that lead out of its checkout.
  void check_out(const std::string& commit, const std::filesystem::path& dest) const;

 private:
  std::filesystem::path dir_;
};

/// True for a full or abbreviated (>= 7) hexadecimal commit id.
bool looks_like_commit_id(const std::string& text, std::size_t min_length = 7);

}  // namespace vt::core
