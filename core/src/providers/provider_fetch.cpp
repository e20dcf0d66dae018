// From a provider definition to the directory its tests are in, by the kind of its uri.
#include "vt/core/provider_fetch.h"

#include <system_error>

#include "providers/archive_provider.h"
#include "providers/git_provider.h"
#include "providers/uri.h"
#include "vt/sdk/error.h"

namespace vt::core {

namespace {

// Plain directories are used in place: there is nothing to fetch, pin or verify.
ProviderRevision local_directory(const Provider& provider) {
  const std::filesystem::path& local = provider.uri.local;
  std::error_code ec;
  if (std::filesystem::is_directory(local, ec)) return {local, {}, {}, "directory", {}, {}, false};
  const bool exists = std::filesystem::exists(local, ec);
  std::string remedy = " — create the directory or fix the uri";
  if (exists && has_archive_suffix(local.string()))
    remedy = " — an archive needs a file:// uri, e.g. 'file://" + local.string() + "'";
  throw sdk::ConfigError(provider.definition.string(), provider.uri_line,
                         "expected the tests of provider '" + provider.name + "' in '" +
                             local.string() + "' (uri '" + provider.uri.text + "'), got " +
                             (exists ? "a file" : "nothing there") + remedy);
}

}  // namespace

ProviderRevision resolve_provider(const Provider& provider, const FetchPolicy& policy) {
  switch (provider.uri.kind) {
    case UriKind::git:
      return resolve_git_provider(provider, policy);
    case UriKind::archive:
      return resolve_archive_provider(provider, policy);
    case UriKind::file_url:
    case UriKind::path:
      break;
  }
  return local_directory(provider);
}

}  // namespace vt::core
