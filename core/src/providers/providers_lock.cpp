#include "vt/core/providers_lock.h"

#include <sstream>

#include "providers/toml_util.h"
#include "vt/sdk/error.h"
#include "vt/sdk/files.h"

namespace vt::core {

namespace fs = std::filesystem;

namespace {

constexpr std::int64_t lock_version = 1;

const char* const header =
    "# providers.lock: the revision of each provider when `vtrun providers update` last ran.\n"
    "# `vtrun run --locked` refuses to run when a provider no longer resolves to it.\n"
    "# Written by vtrun; commit it next to providers.d.\n";

LockEntry read_entry(const std::string& file, const std::string& name, const toml::table& t) {
  const toml_util::Reader reader(file, t, "[provider." + name + "]");
  reader.check_keys(
      {"uri", "branch", "ref", "pubkey", "commit", "tag_object", "sha256", "signer", "updated"});
  LockEntry entry;
  entry.uri = reader.string("uri", "uri = \"https://example.org/tests.git\"");
  entry.branch = reader.string("branch", "branch = \"main\"");
  entry.ref = reader.string("ref", "ref = \"v1.0\"");
  entry.pubkey = reader.string("pubkey", "pubkey = \"keys/org.asc\"");
  entry.revision.commit = reader.string("commit", "commit = \"<40 hex digits>\"");
  entry.revision.tag_object = reader.string("tag_object", "tag_object = \"<40 hex digits>\"");
  entry.revision.sha256 = reader.string("sha256", "sha256 = \"<64 hex digits>\"");
  entry.revision.signer = reader.string("signer", "signer = \"<fingerprint> <uid>\"");
  entry.updated = reader.string("updated", "updated = \"2026-01-01T00:00:00Z\"");
  entry.line = toml_util::line_of(t);
  if (entry.uri.empty())
    reader.fail(entry.line, "expected 'uri' in [provider." + name +
                                "], got none — run `vtrun providers update " + name + "`");
  return entry;
}

}  // namespace

const LockEntry* ProvidersLock::find(const Provider& provider) const {
  const auto it = providers.find(provider.name);
  return it == providers.end() ? nullptr : &it->second;
}

std::string ProvidersLock::stale_because(const LockEntry& entry, const Provider& provider) {
  const auto differs = [](const char* key, const std::string& now, const std::string& locked) {
    return "'" + std::string(key) + "' is now '" + now + "', the lock has '" + locked + "'";
  };
  if (entry.uri != provider.uri.text) return differs("uri", provider.uri.text, entry.uri);
  if (entry.branch != provider.branch) return differs("branch", provider.branch, entry.branch);
  if (entry.ref != provider.ref) return differs("ref", provider.ref, entry.ref);
  if (entry.pubkey != provider.pubkey) return differs("pubkey", provider.pubkey, entry.pubkey);
  return {};
}

LockEntry ProvidersLock::entry_for(const Provider& provider, const ProviderRevision& revision) {
  LockEntry entry;
  entry.uri = provider.uri.text;
  entry.branch = provider.branch;
  entry.ref = provider.ref;
  entry.pubkey = provider.pubkey;
  entry.revision = {revision.commit, revision.tag_object, revision.sha256, revision.signer};
  return entry;
}

fs::path providers_lock_path(const fs::path& providers_dir) {
  fs::path dir = providers_dir.lexically_normal();
  if (!dir.has_filename()) dir = dir.parent_path();
  return dir.parent_path() / "providers.lock";
}

ProvidersLock read_providers_lock(const fs::path& file) {
  ProvidersLock lock;
  lock.file = file;
  std::error_code ec;
  if (!fs::exists(file, ec)) return lock;
  const std::string name = file.string();
  const toml::table root = toml_util::parse_file(file);
  const toml_util::Reader top(name, root, "the top level");
  top.check_keys({"version", "provider"});
  const std::int64_t version = top.integer("version", "version = 1");
  if (version != lock_version)
    top.fail(top.line_of("version"),
             "expected version = " + std::to_string(lock_version) + ", got " +
                 std::to_string(version) +
                 " — this vtrun cannot read it; run `vtrun providers update` to rewrite it");
  const toml::node* providers = root.get("provider");
  if (providers == nullptr) return lock;
  const toml::table* table = providers->as_table();
  if (table == nullptr)
    top.fail_type("provider", "a table", *providers, "[provider.tests] commit = \"...\"");
  for (auto&& [key, node] : *table) {
    const std::string provider(key.str());
    const toml::table* entry = node.as_table();
    if (entry == nullptr)
      top.fail_type(provider, "a table", node, "[provider." + provider + "] commit = \"...\"");
    lock.providers.emplace(provider, read_entry(name, provider, *entry));
  }
  return lock;
}

void write_providers_lock(const ProvidersLock& lock) {
  toml::table providers;
  for (const auto& [name, e] : lock.providers) {
    toml::table t;
    t.insert("uri", e.uri);
    t.insert("branch", e.branch);
    t.insert("ref", e.ref);
    t.insert("pubkey", e.pubkey);
    t.insert("commit", e.revision.commit);
    t.insert("tag_object", e.revision.tag_object);
    t.insert("sha256", e.revision.sha256);
    t.insert("signer", e.revision.signer);
    t.insert("updated", e.updated);
    providers.insert(name, std::move(t));
  }
  toml::table root;
  root.insert("version", lock_version);
  root.insert("provider", std::move(providers));
  std::ostringstream out;
  out << header << root << '\n';
  sdk::write_file_atomic(lock.file, out.str());
}

}  // namespace vt::core
