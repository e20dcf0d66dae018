// Downloading one http(s) URL to a file with libcurl, for archive providers: redirects,
// timeouts against stalled servers, the usual proxy variables, conditional requests.
#pragma once

#include <filesystem>
#include <string>

#include "vt/sdk/error.h"

namespace vt::core {

/// What the server said identifies a download (empty when it sent none); sent back as
/// If-None-Match / If-Modified-Since, so an unchanged file is not downloaded again.
struct HttpValidators {
  std::string etag;
  std::string last_modified;
};

struct HttpResult {
  bool not_modified = false;  ///< 304: the server holds what `validators` describe; nothing written
  long status = 0;            ///< the final HTTP status
  HttpValidators validators;  ///< of the downloaded file (when not not_modified)
};

/// The server could not be reached or answered with an error. `reason()` is the short cause
/// ("HTTP 503", "Could not connect to server: Connection refused") for messages that add
/// their own context.
class DownloadError : public sdk::Error {
 public:
  DownloadError(const std::string& url, const std::string& reason)
      : sdk::Error("cannot download '" + url + "': " + reason), reason_(reason) {}
  const std::string& reason() const noexcept { return reason_; }

 private:
  std::string reason_;
};

/// GETs `url` into `dest` (created or truncated; removed again unless a 2xx body was written
/// completely), sending `cached` as conditional headers when set. Follows up to 5 redirects
/// (http and https only), gives up connecting after 30 s and when slower than 1 KB/s for 60 s.
/// Thread-safe (one curl handle per call; the global init runs once). Throws DownloadError for
/// network failures and HTTP >= 400, sdk::Error when `dest` cannot be written.
HttpResult http_download(const std::string& url, const std::filesystem::path& dest,
                         const HttpValidators& cached = {});

}  // namespace vt::core
