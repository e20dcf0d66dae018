#include "providers/archive_provider.h"

#include <array>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <optional>
#include <string_view>
#include <system_error>

#include "providers/archive_extract.h"
#include "providers/archive_signature.h"
#include "providers/cache_pruning.h"
#include "providers/http_download.h"
#include "providers/uri.h"
#include "vt/core/file_lock.h"
#include "vt/core/sha256.h"
#include "vt/sdk/error.h"
#include "vt/sdk/files.h"

namespace vt::core {

namespace fs = std::filesystem;

namespace {

std::string place_of(const Provider& provider) {
  return provider.definition.string() + ":" + std::to_string(provider.uri_line);
}

sdk::ConfigError config_error(const Provider& provider, const std::string& why) {
  return sdk::ConfigError(provider.definition.string(), provider.uri_line,
                          "provider '" + provider.name + "': " + why);
}

void notify(const FetchPolicy& policy, const std::string& message) {
  if (policy.notice) policy.notice(message);
}

// <cache>/providers/<name>/: the provider's lock, its extractions and its download.
fs::path provider_cache(const Provider& provider) {
  const fs::path dir = sdk::cache_dir() / "providers" / provider.name;
  std::error_code ec;
  fs::create_directories(dir / "download", ec);
  if (ec)
    throw sdk::Error("cannot create the provider cache '" + dir.string() + "': " + ec.message() +
                     " — check the permissions of the cache (VTRUN_CACHE_DIR moves it)");
  return dir;
}

// Release tarballs wrap everything in one directory (`tests-1.2/`): that is the root then.
fs::path root_of(const fs::path& extracted) {
  std::error_code ec;
  fs::path only;
  int count = 0;
  for (const auto& entry : fs::directory_iterator(extracted, ec)) {
    only = entry.path();
    ++count;
  }
  return count == 1 && fs::is_directory(only, ec) && !fs::is_symlink(only, ec) ? only : extracted;
}

// Replaying a job: an earlier extraction of the archive is as good as the archive was.
std::optional<ProviderRevision> pinned_extraction(const fs::path& dir, const FetchPolicy& policy) {
  std::error_code ec;
  if (!policy.pin || !fs::is_directory(dir / *policy.pin, ec)) return std::nullopt;
  touch_cache_entry(dir / *policy.pin);
  return ProviderRevision{root_of(dir / *policy.pin), {}, {}, "archive", *policy.pin, {}, true};
}

std::string digest_of(const Provider& provider, const fs::path& archive) {
  try {
    return sha256_of_file(archive);
  } catch (const sdk::Error& e) {
    throw config_error(provider, e.what());
  }
}

void extract_into(const Provider& provider, const fs::path& archive, const fs::path& extracted) {
  try {
    extract_archive(archive, extracted);
  } catch (const sdk::Error& e) {
    throw config_error(provider, e.what());
  }
}

// The one path from an archive file (file:// or downloaded) to a revision: `policy.pin`, then
// extraction into <dir>/<digest>/ unless it is there. The caller holds the provider's lock
// whenever the extraction may be missing. `source` names the archive in messages.
ProviderRevision extracted_revision(const Provider& provider, const fs::path& archive,
                                    const std::string& digest, const fs::path& dir,
                                    const FetchPolicy& policy, const std::string& source) {
  if (policy.pin && *policy.pin != digest) {
    if (auto pinned = pinned_extraction(dir, policy)) return *pinned;
    throw config_error(provider, "expected the archive with SHA-256 " + *policy.pin +
                                     " (recorded by the job), got " + digest + " at '" + source +
                                     "', and the cache no longer holds the recorded one — "
                                     "restore that archive");
  }
  const fs::path extracted = dir / digest;
  std::error_code ec;
  if (!fs::is_directory(extracted, ec)) {
    extract_into(provider, archive, extracted);
    // A new extraction (under the lock) is when older ones may have had their day.
    prune_cache_entries(dir, extracted, [](const std::string& name) {
      return name.size() == 64 && name.find_first_not_of("0123456789abcdef") == std::string::npos;
    });
  }
  touch_cache_entry(extracted);
  return {root_of(extracted), {}, {}, "archive", digest, {}, false};
}

ProviderRevision resolve_file_archive(const Provider& provider, const FetchPolicy& policy) {
  const fs::path& archive = provider.uri.local;
  std::error_code ec;
  if (!fs::is_regular_file(archive, ec))
    throw config_error(
        provider, "expected an archive at '" + archive.string() + "' (uri '" + provider.uri.text +
                      "'), got " + (fs::exists(archive, ec) ? "something else" : "nothing there") +
                      " — fix the uri");
  const std::string digest = digest_of(provider, archive);
  const fs::path dir = provider_cache(provider);
  // Checked before anything is extracted; a replayed earlier extraction was checked then.
  std::string signer;
  if (!provider.pubkey.empty() && !(policy.pin && *policy.pin != digest)) {
    const auto candidates = signature_candidates(archive);
    fs::path signature = candidates.front();
    for (const auto& c : candidates)
      if (fs::exists(c, ec)) {
        signature = c;
        break;
      }
    signer = verified_signer(provider, archive, signature, dir, archive.string());
  }
  // Locked only to extract, so that concurrent processes extract once and wait for it.
  std::optional<FileLock> lock;
  if (!fs::is_directory(dir / digest, ec)) lock.emplace(dir / ".lock");
  ProviderRevision revision =
      extracted_revision(provider, archive, digest, dir, policy, archive.string());
  revision.signer = signer;
  return revision;
}

// --- http(s) -----------------------------------------------------------------------------

// The URL's archive suffix, kept by the download so that it reads as the archive it is.
std::string download_suffix(std::string_view url) {
  const std::string suffix = archive_suffix(url.substr(0, url.find_first_of("?#")));
  return suffix.empty() ? ".archive" : suffix;  // classify_uri admits no such URL anyway
}

// The last good download of a provider's archive, and what identifies it: only a download of
// the provider's current URL counts.
struct Download {
  fs::path file;       // <cache>/providers/<name>/download/archive<suffix>
  fs::path meta;       // archive.meta next to it: "key value" lines
  fs::path partial;    // file + ".partial", renamed to file once it proved a good archive
  fs::path signature;  // its detached signature, with `pubkey`
};

struct DownloadMeta {
  std::string url;
  HttpValidators validators;
  std::time_t downloaded = 0;
};

Download download_of(const fs::path& dir, const std::string& url) {
  const fs::path file = dir / "download" / ("archive" + download_suffix(url));
  return {file, dir / "download" / "archive.meta", fs::path(file.string() + ".partial"),
          dir / "download" / "signature"};
}

std::optional<DownloadMeta> last_download(const Download& download, const std::string& url) {
  std::error_code ec;
  if (!fs::is_regular_file(download.file, ec)) return std::nullopt;
  std::ifstream in(download.meta);
  DownloadMeta meta;
  for (std::string line; std::getline(in, line);) {
    const auto space = line.find(' ');
    const std::string key = line.substr(0, space);
    const std::string value = space == std::string::npos ? "" : line.substr(space + 1);
    if (key == "url") meta.url = value;
    if (key == "etag") meta.validators.etag = value;
    if (key == "last-modified") meta.validators.last_modified = value;
    if (key == "downloaded") meta.downloaded = std::atoll(value.c_str());
  }
  if (meta.url != url) return std::nullopt;
  return meta;
}

std::string date_of(std::time_t when) {
  std::tm tm{};
  gmtime_r(&when, &tm);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%d %H:%M UTC", &tm);
  return text;
}

// The partial download becomes the last good one. The old meta goes first, so that a crash
// in between leaves no validators describing another file.
void keep_download(const Download& download, const DownloadMeta& meta) {
  std::error_code ec;
  fs::remove(download.meta, ec);
  for (const auto& entry : fs::directory_iterator(download.file.parent_path(), ec))
    if (entry.path() != download.partial && entry.path() != download.file &&
        !entry.path().filename().string().starts_with("signature"))
      fs::remove(entry.path(), ec);  // an earlier URL's download, a stale temporary
  fs::rename(download.partial, download.file, ec);
  if (ec)
    throw sdk::Error("cannot keep the download '" + download.file.string() + "': " + ec.message() +
                     " — check the permissions of the cache");
  const fs::path tmp = download.meta.string() + ".partial";
  std::ofstream(tmp) << "url " << meta.url << "\netag " << meta.validators.etag
                     << "\nlast-modified " << meta.validators.last_modified << "\ndownloaded "
                     << meta.downloaded << "\n";
  fs::rename(tmp, download.meta, ec);
}

struct Fetched {
  fs::path file;
  std::string digest;
  bool from_cache = false;
  std::string signer;  // with `pubkey`
};

// With `pubkey`, a fresh download is checked against its freshly downloaded signature before it
// is extracted or kept; a missing signature on the server is a refusal, not a network error.
std::string check_fresh(const Provider& provider, const Download& download, const fs::path& dir) {
  if (provider.pubkey.empty()) return {};
  const fs::path signature = download.signature.string() + ".partial";
  std::error_code ec;
  try {
    download_signature(provider.uri.text, signature);
  } catch (const DownloadError& e) {
    fs::remove(download.partial, ec);
    throw config_error(provider, "archive '" + provider.uri.text +
                                     "' has no signature to check: " + e.what() +
                                     " — 'pubkey' requires one; publish the .asc beside it");
  }
  try {
    const std::string signer =
        verified_signer(provider, download.partial, signature, dir, provider.uri.text);
    fs::rename(signature, download.signature, ec);
    return signer;
  } catch (...) {
    fs::remove(download.partial, ec);
    fs::remove(signature, ec);
    throw;
  }
}

// With `pubkey`, a kept download is checked against the signature kept with it.
std::string check_kept(const Provider& provider, const Download& download, const fs::path& dir) {
  if (provider.pubkey.empty()) return {};
  return verified_signer(provider, download.file, download.signature, dir, provider.uri.text);
}

// A fresh download counts only once it extracted: a bad one is removed and the last good
// copy stays.
Fetched adopt_download(const Provider& provider, const Download& download, const fs::path& dir,
                       const HttpResult& result) {
  std::error_code ec;
  try {
    const std::string digest = digest_of(provider, download.partial);
    if (!fs::is_directory(dir / digest, ec)) extract_into(provider, download.partial, dir / digest);
    keep_download(download, {provider.uri.text, result.validators, std::time(nullptr)});
    return {download.file, digest, false, {}};
  } catch (...) {
    fs::remove(download.partial, ec);
    throw;
  }
}

// Under the provider's lock: the archive to use, from the server or the last good download.
Fetched fetch_archive(const Provider& provider, const fs::path& dir, const FetchPolicy& policy) {
  const std::string& url = provider.uri.text;
  const Download download = download_of(dir, url);
  const std::optional<DownloadMeta> last = last_download(download, url);
  const auto cached = [&] {
    return Fetched{download.file, digest_of(provider, download.file), true,
                   check_kept(provider, download, dir)};
  };
  if (policy.offline) {
    if (!last)
      throw sdk::UnavailableError("provider '" + provider.name + "' (" + place_of(provider) +
                                  "): offline, and the archive '" + url +
                                  "' was never downloaded — run once without --offline");
    notify(policy, "provider '" + provider.name + "': offline — using the archive downloaded on " +
                       date_of(last->downloaded));
    return cached();
  }
  HttpResult result;
  try {
    result = http_download(url, download.partial, last ? last->validators : HttpValidators{});
  } catch (const DownloadError& e) {
    if (!last)
      throw sdk::UnavailableError(
          "provider '" + provider.name + "' (" + place_of(provider) +
          "): cannot download the archive '" + url + "': " + e.reason() +
          ", and no earlier download is cached — check the uri, the network and the proxy "
          "variables (https_proxy, no_proxy), or download it and use a file:// uri");
    notify(policy, "provider '" + provider.name + "': cannot download '" + url + "' (" +
                       e.reason() + "); using the copy downloaded on " + date_of(last->downloaded));
    return cached();
  }
  if (result.not_modified) {
    std::error_code ec;
    if (!provider.pubkey.empty() && !fs::exists(download.signature, ec))
      try {  // `pubkey` was added since the archive was downloaded
        download_signature(url, download.signature);
      } catch (const DownloadError&) {
      }
    return {download.file, digest_of(provider, download.file), false,
            check_kept(provider, download, dir)};
  }
  const std::string signer = check_fresh(provider, download, dir);
  Fetched fetched = adopt_download(provider, download, dir, result);
  fetched.signer = signer;
  return fetched;
}

ProviderRevision resolve_http_archive(const Provider& provider, const FetchPolicy& policy) {
  const fs::path dir = provider_cache(provider);
  // A recorded archive still in the cache needs no server: it is what the job had.
  if (auto pinned = pinned_extraction(dir, policy)) return *pinned;
  const FileLock lock(dir / ".lock");
  const Fetched fetched = fetch_archive(provider, dir, policy);
  ProviderRevision revision =
      extracted_revision(provider, fetched.file, fetched.digest, dir, policy, provider.uri.text);
  revision.from_cache = fetched.from_cache;
  revision.signer = fetched.signer;
  return revision;
}

}  // namespace

ProviderRevision resolve_archive_provider(const Provider& provider, const FetchPolicy& policy) {
  if (provider.uri.scheme == "http" || provider.uri.scheme == "https")
    return resolve_http_archive(provider, policy);
  return resolve_file_archive(provider, policy);
}

}  // namespace vt::core
