// `vtrun providers list|update|verify|show`: what providers.d defines, what each resolved to,
// and providers.lock.
#include <iostream>
#include <set>

#include "cli/commands.h"
#include "vt/core/file_lock.h"
#include "vt/core/plan.h"
#include "vt/core/utc_time.h"
#include "vt/sdk/error.h"

namespace vt::core::cli {

namespace {

std::string short_id(const std::string& id) {
  return id.empty() ? "-" : short_revision(id);
}

std::string revision_id(const ProviderRevision& r) {
  return short_id(!r.commit.empty() ? r.commit : r.sha256);
}

std::string revision_id(const LockedRevision& r) {
  return short_id(!r.commit.empty() ? r.commit : r.sha256);
}

// The providers NAMES selects (all when empty); an unknown name is an error listing the known.
std::vector<Provider> chosen(Context& ctx, const std::vector<std::string>& names) {
  std::vector<Provider> out;
  std::set<std::string> known;
  for (const auto& p : ctx.providers()) {
    known.insert(p.name);
    if (names.empty() || std::find(names.begin(), names.end(), p.name) != names.end())
      out.push_back(p);
  }
  for (const auto& name : names)
    if (known.count(name) == 0) {
      std::string all;
      for (const auto& k : known) all += (all.empty() ? "" : ", ") + k;
      throw sdk::ConfigError("expected a provider of " + ctx.providers_dir().string() + ", got '" +
                             name + "' (providers: " + (all.empty() ? "none" : all) + ")");
    }
  return out;
}

ResolveOptions options_for(Context& ctx) {
  ResolveOptions options;
  options.offline = ctx.options().offline;
  options.notice = [&ctx](const std::string& m) {
    ctx.host().log(sdk::LogLevel::warn, "providers", m);
  };
  return options;
}

// `list` never touches the network: it shows what the cache and the lock say.
std::string list_status(const Provider& p, const ProvidersLock& lock, std::string& commit) {
  FetchPolicy policy;
  policy.offline = true;
  const LockEntry* entry = lock.find(p);
  const std::string stale = entry ? ProvidersLock::stale_because(*entry, p) : "";
  if (entry && stale.empty()) policy.locked = entry->revision;
  try {
    const ProviderRevision r = resolve_provider(p, policy);
    commit = revision_id(r);
    if (!p.is_fetched()) return "ok";
    if (entry == nullptr) return "cached";
    if (!stale.empty()) return "lock-stale";
    return same_revision(entry->revision, r) ? "locked" : "moved";
  } catch (const sdk::UnavailableError&) {
    commit = entry ? revision_id(entry->revision) : "-";
    return "not-fetched";
  } catch (const sdk::Error& e) {
    std::cerr << "vtrun: " << p.name << ": " << e.what() << '\n';
    return "error";
  }
}

int list(Context& ctx) {
  std::cout << "# " << ctx.providers_dir().string() << '\n';
  for (const auto& p : ctx.providers()) {
    const std::string ref = !p.ref.empty() ? p.ref : (!p.branch.empty() ? p.branch : "-");
    std::string commit = "-";
    const std::string status = list_status(p, ctx.providers_lock(), commit);
    std::cout << p.name << '\t' << p.uri.text << '\t' << to_string(p.uri.kind) << '\t' << ref
              << '\t' << commit << '\t' << status << '\n';
  }
  return 0;
}

std::string describe(const ProviderRevision& r) {
  std::string out = r.resolved_from + " -> " + revision_id(r);
  if (!r.signer.empty()) out += ", signed by " + r.signer;
  if (r.from_cache) out += " (from the cache)";
  return out;
}

int update(Context& ctx, const std::vector<std::string>& names) {
  // Two updates at once must not lose each other's entries: the read-modify-write of
  // providers.lock holds a lock on its directory (the file itself is replaced by a rename).
  const FileLock guard(providers_lock_path(ctx.providers_dir()).parent_path());
  // Read under the guard: another update may have written it since this command started.
  ProvidersLock lock = read_providers_lock(providers_lock_path(ctx.providers_dir()));
  if (names.empty())  // a full update forgets the providers no longer defined, or no longer fetched
    std::erase_if(lock.providers, [&](const auto& e) {
      const auto& all = ctx.providers();
      return std::none_of(all.begin(), all.end(),
                          [&](const Provider& p) { return p.name == e.first && p.is_fetched(); });
    });
  ResolveOptions options = options_for(ctx);
  options.accept_moved = true;
  int status = 0;
  for (Provider& p : chosen(ctx, names)) {
    if (!p.is_fetched()) {
      std::cout << p.name << ": " << to_string(p.uri.kind) << ", used in place (not locked)\n";
      continue;
    }
    std::vector<Provider> one{p};
    try {
      resolve_providers(one, lock, options);
    } catch (const sdk::Error& e) {
      std::cerr << "vtrun: error: " << e.what() << '\n';
      status = exit_usage;
      continue;
    }
    LockEntry entry = ProvidersLock::entry_for(p, *one.front().resolved);
    entry.updated = utc_iso8601();
    std::string change = " (new)";
    if (const LockEntry* old = lock.find(p)) {
      const bool same = same_revision(old->revision, *one.front().resolved);
      change = same ? " (unchanged)" : " (was " + revision_id(old->revision) + ")";
      if (same) entry.updated = old->updated;
    }
    lock.providers[p.name] = entry;
    std::cout << p.name << ": " << describe(*one.front().resolved) << change << '\n';
  }
  std::error_code ec;
  if (lock.providers.empty() && !std::filesystem::exists(lock.file, ec)) {
    std::cout << "# no fetched providers: nothing to lock\n";
    return status;
  }
  write_providers_lock(lock);
  std::cout << "# wrote " << lock.file.string() << '\n';
  return status;
}

int verify(Context& ctx, const std::vector<std::string>& names) {
  ResolveOptions options = options_for(ctx);
  options.locked = true;
  int failed = 0;
  for (Provider& p : chosen(ctx, names)) {
    if (!p.is_fetched()) continue;
    std::vector<Provider> one{p};
    try {
      resolve_providers(one, ctx.providers_lock(), options);
      std::cout << p.name << ": ok — " << describe(*one.front().resolved) << '\n';
    } catch (const sdk::Error& e) {
      std::cout << p.name << ": FAILED — " << e.what() << '\n';
      ++failed;
    }
  }
  return failed == 0 ? 0 : 1;
}

int show(Context& ctx, const std::string& name) {
  std::vector<Provider> one = chosen(ctx, {name});
  const Provider& p = one.front();
  std::cout << "name:       " << p.name << "\ndefinition: " << p.definition.string() << ':'
            << p.uri_line << "\nuri:        " << p.uri.text << " (" << to_string(p.uri.kind)
            << ")\n";
  if (!p.branch.empty()) std::cout << "branch:     " << p.branch << '\n';
  if (!p.ref.empty()) std::cout << "ref:        " << p.ref << '\n';
  if (!p.pubkey.empty()) std::cout << "pubkey:     " << p.pubkey << '\n';
  if (const LockEntry* e = ctx.providers_lock().find(p)) {
    const std::string stale = ProvidersLock::stale_because(*e, p);
    std::cout << "locked:     " << revision_id(e->revision) << " on " << e->updated
              << (stale.empty() ? "" : " (stale: " + stale + ")") << '\n';
  }
  resolve_providers(one, ctx.providers_lock(), options_for(ctx));
  std::cout << "resolved:   " << describe(*one.front().resolved)
            << "\nroot:       " << one.front().resolved->root.string() << '\n';
  std::vector<std::string> backends;
  for (const auto& [section, _] : p.backends) backends.push_back(section);
  if (backends.empty()) backends.push_back(ctx.options().backend);
  std::cout << "backends:\n";
  for (const auto& backend : backends) {
    const auto section = p.section_for(backend);
    std::cout << "  " << backend << "\tsubdir "
              << (section && !section->subdir.empty() ? section->subdir : ".") << '\t';
    try {
      std::cout << discover_tests(one, backend).size() << " tests\n";
    } catch (const sdk::Error& e) {
      std::cout << "error: " << e.what() << '\n';
    }
  }
  return 0;
}

}  // namespace

Command add_providers_command(CLI::App& app) {
  auto* sub =
      app.add_subcommand("providers", "inspect, fetch and lock the test providers of providers.d");
  sub->require_subcommand(1);
  auto* list_cmd = sub->add_subcommand(
      "list",
      "one provider per line: NAME URI KIND REF COMMIT STATUS, from the cache and "
      "providers.lock (no network); STATUS: ok (a directory), cached, locked, moved "
      "(the cache is not at the locked revision), lock-stale, not-fetched, error");
  auto names = std::make_shared<std::vector<std::string>>();
  auto* update_cmd = sub->add_subcommand(
      "update", "fetch the providers (all, or NAME…), verify them and write providers.lock");
  update_cmd->add_option("names", *names, "providers to update (default: all)");
  auto* verify_cmd = sub->add_subcommand(
      "verify",
      "check that each fetched provider (or NAME…) still resolves to its providers.lock entry "
      "and its signature is valid; exit 1 when one does not");
  verify_cmd->add_option("names", *names, "providers to verify (default: all)");
  auto name = std::make_shared<std::string>();
  auto* show_cmd = sub->add_subcommand(
      "show",
      "one provider: definition, lock entry, resolved revision, and the backends and "
      "subdirs it offers with their test counts");
  show_cmd->add_option("name", *name, "the provider")->required();
  return {sub, [=](Context& ctx) {
            if (list_cmd->parsed()) return list(ctx);
            if (update_cmd->parsed()) return update(ctx, *names);
            if (verify_cmd->parsed()) return verify(ctx, *names);
            if (show_cmd->parsed()) return show(ctx, *name);
            return exit_usage;
          }};
}

}  // namespace vt::core::cli
