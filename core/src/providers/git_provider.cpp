#include "providers/git_provider.h"

#include <map>
#include <nlohmann/json.hpp>

#include "providers/cache_pruning.h"
#include "providers/git_repo.h"
#include "providers/signature_check.h"
#include "vt/core/file_lock.h"
#include "vt/core/utc_time.h"
#include "vt/sdk/error.h"
#include "vt/sdk/files.h"

namespace vt::core {

namespace fs = std::filesystem;

namespace {

struct SeenTag {
  std::string object;  // the annotated tag object, empty for a lightweight tag
  std::string commit;
};

// What the cache remembers about a provider between commands (<cache>/providers/<name>/
// state.json): which uri its refs mirror, when they were fetched, and every tag as first seen,
// so that a tag moved on the remote is noticed even without a providers.lock.
struct CacheState {
  std::string uri;
  std::string fetched;  // UTC, ISO 8601
  std::map<std::string, SeenTag> tags;
};

CacheState read_state(const fs::path& file) {
  CacheState state;
  std::error_code ec;
  if (!fs::exists(file, ec)) return state;
  try {
    const auto doc = nlohmann::json::parse(sdk::read_file(file));
    state.uri = doc.value("uri", "");
    state.fetched = doc.value("fetched", "");
    const nlohmann::json tags = doc.value("tags", nlohmann::json::object());
    for (const auto& [name, tag] : tags.items())
      state.tags[name] = {tag.value("object", ""), tag.value("commit", "")};
  } catch (const std::exception&) {
    // A damaged state file only costs the memory of first-seen tags; the refs are intact.
  }
  return state;
}

void write_state(const fs::path& file, const CacheState& state) {
  nlohmann::json tags = nlohmann::json::object();
  for (const auto& [name, tag] : state.tags)
    tags[name] = {{"object", tag.object}, {"commit", tag.commit}};
  const nlohmann::json doc = {{"uri", state.uri}, {"fetched", state.fetched}, {"tags", tags}};
  sdk::write_file_atomic(file, doc.dump(2) + "\n");
}

std::string joined(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& item : items) out += (out.empty() ? "" : ", ") + item;
  return out.empty() ? "none" : out;
}

// What the definition's ref, branch or default branch names, resolved in the cache.
struct Target {
  std::string commit;
  std::string tag;         // the tag's name when the ref is a tag
  std::string tag_object;  // its object when it is an annotated tag
  std::string resolved_from;
};

// One resolution of one provider: fetch (or not), resolve, check tags and signatures, check out.
class GitResolution {
 public:
  GitResolution(const Provider& provider, const FetchPolicy& policy)
      : provider_(provider),
        policy_(policy),
        dir_(sdk::cache_dir() / "providers" / provider.name) {}

  ProviderRevision run() {
    std::error_code ec;
    fs::create_directories(dir_, ec);
    if (ec)
      throw sdk::Error("cannot create the provider cache '" + dir_.string() + "': " + ec.message());
    const FileLock lock(dir_ / ".lock", [&] {
      notice("waiting for another vtrun that is updating this provider");
    });
    const GitRepo repo(dir_ / "git");
    state_ = read_state(dir_ / "state.json");
    ProviderRevision revision;
    revision.from_cache = !update(repo);
    const Target target = policy_.pin ? pinned(repo) : resolve(repo);
    check_tag(target);
    revision.commit = target.commit;
    revision.tag_object = target.tag_object;
    revision.resolved_from = target.resolved_from;
    revision.signer = signer(repo, target);
    write_state(dir_ / "state.json", state_);
    revision.root = dir_ / "trees" / target.commit;
    if (!fs::is_directory(revision.root, ec)) {
      fs::create_directories(revision.root.parent_path(), ec);
      repo.check_out(target.commit, revision.root);
    }
    touch_cache_entry(revision.root);
    prune_cache_entries(revision.root.parent_path(), revision.root,
                        [](const std::string& name) { return looks_like_commit_id(name, 40); });
    return revision;
  }

 private:
  const Provider& provider_;
  const FetchPolicy& policy_;
  fs::path dir_;
  CacheState state_;

  void notice(const std::string& message) const {
    if (policy_.notice) policy_.notice("provider '" + provider_.name + "': " + message);
  }
  // Errors cite the line of the key they are about (`ref`, `branch`, `pubkey`), else `uri`'s.
  sdk::ConfigError config(const std::string& message, int line = 0) const {
    return sdk::ConfigError(provider_.definition.string(), line > 0 ? line : provider_.uri_line,
                            "provider '" + provider_.name + "': " + message);
  }
  sdk::UnavailableError unavailable(const std::string& message) const {
    return sdk::UnavailableError("provider '" + provider_.name + "' (" +
                                 provider_.definition.string() + ":" +
                                 std::to_string(provider_.uri_line) + "): " + message);
  }
  const std::string& uri() const { return provider_.uri.text; }
  bool cache_mirrors_uri() const { return !state_.fetched.empty() && state_.uri == uri(); }

  // A full commit id already in the cache needs no network: commits never change.
  bool have_commit(const GitRepo& repo) const {
    const std::string& id = policy_.pin ? *policy_.pin : provider_.ref;
    return (id.size() == 40 || id.size() == 64) && looks_like_commit_id(id) &&
           repo.object_type(id) == "commit";
  }

  // Fetches when needed and allowed. Returns whether the remote was reached.
  bool update(const GitRepo& repo) {
    if (have_commit(repo)) return false;
    if (policy_.offline) {
      if (!cache_mirrors_uri())
        throw unavailable("offline, and '" + uri() +
                          "' was never fetched — run `vtrun providers update " + provider_.name +
                          "` once without --offline");
      return false;
    }
    const bool follow_head = provider_.ref.empty() && provider_.branch.empty();
    if (const auto why = repo.fetch_all(uri(), follow_head)) {
      // The remote answered, and what it said is final: no cache can make up for it.
      if (why->find("couldn't find remote ref HEAD") != std::string::npos)
        throw config("expected '" + uri() +
                     "' to have a default branch, got a HEAD that names "
                     "no branch — set 'branch' or 'ref'");
      if (!cache_mirrors_uri())
        throw unavailable("cannot fetch '" + uri() + "': " + *why +
                          " — nothing is cached yet; check the uri and the network");
      notice("cannot fetch '" + uri() + "' (" + *why + "); using the cache fetched " +
             state_.fetched);
      return false;
    }
    // Tags first seen at another uri say nothing about this one's.
    if (state_.uri != uri()) state_.tags.clear();
    state_.uri = uri();
    state_.fetched = utc_iso8601();
    write_state(dir_ / "state.json", state_);
    return true;
  }

  Target pinned(const GitRepo& repo) const {
    const std::string& id = *policy_.pin;
    if (repo.object_type(id) != "commit" && !policy_.offline) repo.fetch_commit(uri(), id);
    if (repo.object_type(id) != "commit")
      throw unavailable("the job used commit " + id + ", which is neither in the cache nor on '" +
                        uri() + "' — it may have been force-pushed away");
    return {id, {}, {}, "commit " + short_revision(id) + " (recorded by the job)"};
  }

  Target resolve(const GitRepo& repo) const {
    const std::string& ref = provider_.ref;
    if (!ref.empty()) return resolve_ref(repo, ref);
    if (!provider_.branch.empty()) {
      if (const auto head = repo.resolve("refs/vtrun/heads/" + provider_.branch))
        return {*head, {}, {}, "branch " + provider_.branch};
      throw config("expected a branch '" + provider_.branch + "' in '" + uri() +
                       "', got none (branches: " + joined(repo.names("heads")) + ") — fix 'branch'",
                   provider_.branch_line);
    }
    if (const auto head = repo.resolve("refs/vtrun/HEAD^{commit}"))
      return {*head, {}, {}, "default branch"};
    throw config("expected '" + uri() +
                 "' to have a default branch (HEAD), got none — set "
                 "'branch' or 'ref'");
  }

  Target resolve_ref(const GitRepo& repo, const std::string& ref) const {
    if (const auto tag = repo.resolve("refs/vtrun/tags/" + ref)) {
      const auto commit = repo.resolve(*tag + "^{commit}");
      if (!commit)
        throw config("expected tag '" + ref + "' to name a commit, got a " +
                         repo.object_type(*tag) + " — point 'ref' at a tag of a commit",
                     provider_.ref_line);
      return {*commit, ref, repo.object_type(*tag) == "tag" ? *tag : "", "tag " + ref};
    }
    if (const auto head = repo.resolve("refs/vtrun/heads/" + ref))
      return {*head, {}, {}, "branch " + ref};
    if (looks_like_commit_id(ref, 4)) {
      if (repo.object_type(ref) != "commit" && ref.size() >= 40 && !policy_.offline)
        repo.fetch_commit(uri(), ref);
      if (const auto commit = repo.resolve(ref + "^{commit}"))
        return {*commit, {}, {}, "commit " + short_revision(*commit)};
    }
    throw config("expected 'ref' to name a tag, branch or commit of '" + uri() + "', got '" + ref +
                     "' (tags: " + joined(repo.names("tags")) + ") — fix 'ref'",
                 provider_.ref_line);
  }

  // A published tag must not move. What it named before comes from providers.lock, else from
  // the cache's memory of when it was first fetched.
  void check_tag(const Target& target) {
    if (target.tag.empty()) return;
    std::optional<SeenTag> known;
    std::string where;
    if (policy_.locked && !policy_.locked->commit.empty()) {
      known = SeenTag{policy_.locked->tag_object, policy_.locked->commit};
      where = "providers.lock records";
    } else if (const auto it = state_.tags.find(target.tag); it != state_.tags.end()) {
      known = it->second;
      where = "it was first fetched as";
    }
    const bool moved = known && (known->commit != target.commit ||
                                 (!known->object.empty() && known->object != target.tag_object));
    if (moved) {
      const std::string what = "tag '" + target.tag + "' moved: " + where + " commit " +
                               short_revision(known->commit) + ", '" + uri() + "' now has commit " +
                               short_revision(target.commit);
      if (!policy_.accept_moved)
        throw config(what +
                         " — a published tag should not move, so nothing from this provider runs; "
                         "if the move is intended, accept it with `vtrun providers update " +
                         provider_.name + "`",
                     provider_.ref_line);
      notice(what + " (accepted by update)");
    }
    state_.tags[target.tag] = {target.tag_object, target.commit};
  }

  std::string signer(const GitRepo& repo, const Target& target) const {
    if (provider_.pubkey.empty()) return {};
    if (policy_.pin) {
      notice("commit " + short_revision(target.commit) +
             " is replayed as the job recorded it; its signature was checked then");
      return {};
    }
    fs::path key = provider_.pubkey;
    if (key.is_relative()) key = provider_.definition.parent_path() / key;
    Keyring keyring;
    try {
      keyring = prepare_keyring(key, dir_);
    } catch (const sdk::Error& e) {
      throw config(std::string("cannot read 'pubkey': ") + e.what(), provider_.pubkey_line);
    }
    SignatureCheck check;
    // "tag 'v1' carries no signature, and its commit …" or "branch main: commit … is signed …"
    std::string what = target.tag_object.empty() ? target.resolved_from + ": " : "";
    if (!target.tag_object.empty()) {
      check = verify_git_signature(repo.dir(), target.tag_object, SignedObject::tag, keyring);
      what = "tag '" + target.tag + "' " + check.problem;
    }
    if (!check.valid) {
      const SignatureCheck commit =
          verify_git_signature(repo.dir(), target.commit, SignedObject::commit, keyring);
      if (commit.valid) {
        check = commit;
      } else {
        what += (target.tag_object.empty() ? "" : ", and its ") + std::string("commit ") +
                short_revision(target.commit) + " " + commit.problem;
      }
    }
    if (!check.valid)
      throw config(what + " — 'pubkey' (" + key.string() +
                       ") requires a valid signature by one of its keys (" +
                       describe_keys(keyring) +
                       "), so nothing from this provider runs; sign the tag (git tag -s) or the "
                       "commit with one of them, or point 'ref' at one that is",
                   provider_.ref_line > 0 ? provider_.ref_line : provider_.pubkey_line);
    return check.fingerprint + " " + check.uid;
  }
};

}  // namespace

ProviderRevision resolve_git_provider(const Provider& provider, const FetchPolicy& policy) {
  return GitResolution(provider, policy).run();
}

}  // namespace vt::core
