#include "providers/http_download.h"

#include <curl/curl.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <mutex>
#include <string_view>
#include <system_error>

namespace vt::core {

namespace {

namespace fs = std::filesystem;

// curl_global_init is not thread-safe and must precede every other libcurl call.
void init_curl_once() {
  static std::once_flag once;
  std::call_once(once, [] {
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
      throw sdk::Error("cannot initialise libcurl — check the installation of libcurl");
  });
}

bool starts_with_nocase(std::string_view text, std::string_view prefix) {
  if (text.size() < prefix.size()) return false;
  for (std::size_t i = 0; i < prefix.size(); ++i) {
    const auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? char(c - 'A' + 'a') : c; };
    if (lower(text[i]) != lower(prefix[i])) return false;
  }
  return true;
}

std::string_view trimmed(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() &&
         (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\n'))
    s.remove_suffix(1);
  return s;
}

struct Transfer {
  std::FILE* out = nullptr;
  int write_errno = 0;
  HttpValidators validators;
};

std::size_t on_body(char* data, std::size_t size, std::size_t count, void* user) {
  auto* transfer = static_cast<Transfer*>(user);
  const std::size_t written = std::fwrite(data, size, count, transfer->out);
  if (written != count) transfer->write_errno = errno != 0 ? errno : EIO;
  return written * size;
}

// Header lines of every response arrive here, redirects included: only the last one's count.
std::size_t on_header(char* data, std::size_t size, std::size_t count, void* user) {
  auto* transfer = static_cast<Transfer*>(user);
  const std::string_view line(data, size * count);
  if (starts_with_nocase(line, "HTTP/")) {
    transfer->validators = {};
  } else if (starts_with_nocase(line, "etag:")) {
    transfer->validators.etag = trimmed(line.substr(5));
  } else if (starts_with_nocase(line, "last-modified:")) {
    transfer->validators.last_modified = trimmed(line.substr(14));
  }
  return size * count;
}

struct CurlDeleter {
  void operator()(CURL* curl) const { curl_easy_cleanup(curl); }
  void operator()(curl_slist* list) const { curl_slist_free_all(list); }
};

// The options every download shares: robust against stalls, quiet, restricted to http(s).
void set_common_options(CURL* curl, const std::string& url, char* error_buffer) {
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, error_buffer);
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);  // no SIGALRM for DNS timeouts: threads
  curl_easy_setopt(curl, CURLOPT_NOPROGRESS, 1L);
  curl_easy_setopt(curl, CURLOPT_FAILONERROR, 1L);
  curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 1L);
  curl_easy_setopt(curl, CURLOPT_MAXREDIRS, 5L);
#if LIBCURL_VERSION_NUM >= 0x075500
  curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(curl, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
#else
  curl_easy_setopt(curl, CURLOPT_PROTOCOLS, long(CURLPROTO_HTTP | CURLPROTO_HTTPS));
  curl_easy_setopt(curl, CURLOPT_REDIR_PROTOCOLS, long(CURLPROTO_HTTP | CURLPROTO_HTTPS));
#endif
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT, 30L);
  curl_easy_setopt(curl, CURLOPT_LOW_SPEED_LIMIT, 1024L);
  curl_easy_setopt(curl, CURLOPT_LOW_SPEED_TIME, 60L);
  curl_easy_setopt(curl, CURLOPT_USERAGENT, "vtrun/" VTRUN_VERSION);
}

std::string reason_of(CURL* curl, CURLcode code, const char* error_buffer) {
  long status = 0;
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
  if (code == CURLE_HTTP_RETURNED_ERROR) return "HTTP " + std::to_string(status);
  return error_buffer[0] != '\0' ? std::string(error_buffer) : curl_easy_strerror(code);
}

}  // namespace

HttpResult http_download(const std::string& url, const fs::path& dest,
                         const HttpValidators& cached) {
  init_curl_once();
  const std::unique_ptr<CURL, CurlDeleter> curl(curl_easy_init());
  if (!curl) throw sdk::Error("cannot download '" + url + "': libcurl has no handle to spare");
  Transfer transfer;
  const std::unique_ptr<std::FILE, int (*)(std::FILE*)> out(std::fopen(dest.c_str(), "wb"),
                                                            &std::fclose);
  if (!out)
    throw sdk::Error("cannot write the download '" + dest.string() + "': " + std::strerror(errno));
  transfer.out = out.get();
  char error_buffer[CURL_ERROR_SIZE] = {};
  set_common_options(curl.get(), url, error_buffer);
  curl_easy_setopt(curl.get(), CURLOPT_WRITEFUNCTION, &on_body);
  curl_easy_setopt(curl.get(), CURLOPT_WRITEDATA, &transfer);
  curl_easy_setopt(curl.get(), CURLOPT_HEADERFUNCTION, &on_header);
  curl_easy_setopt(curl.get(), CURLOPT_HEADERDATA, &transfer);
  curl_slist* raw_headers = nullptr;
  if (!cached.etag.empty())
    raw_headers = curl_slist_append(raw_headers, ("If-None-Match: " + cached.etag).c_str());
  if (!cached.last_modified.empty())
    raw_headers =
        curl_slist_append(raw_headers, ("If-Modified-Since: " + cached.last_modified).c_str());
  const std::unique_ptr<curl_slist, CurlDeleter> headers(raw_headers);
  curl_easy_setopt(curl.get(), CURLOPT_HTTPHEADER, headers.get());

  const CURLcode code = curl_easy_perform(curl.get());
  const bool flushed = std::fflush(out.get()) == 0;
  if (!flushed && transfer.write_errno == 0) transfer.write_errno = errno;
  HttpResult result;
  curl_easy_getinfo(curl.get(), CURLINFO_RESPONSE_CODE, &result.status);
  const bool complete = code == CURLE_OK && transfer.write_errno == 0 && result.status / 100 == 2;
  std::error_code ec;
  if (!complete) fs::remove(dest, ec);
  if (transfer.write_errno != 0)
    throw sdk::Error("cannot write the download '" + dest.string() + "': " +
                     std::strerror(transfer.write_errno) + " — free some space in the cache");
  if (code != CURLE_OK) throw DownloadError(url, reason_of(curl.get(), code, error_buffer));
  // A 304 means something only as the answer to a conditional request.
  result.not_modified =
      result.status == 304 && (!cached.etag.empty() || !cached.last_modified.empty());
  if (!result.not_modified && !complete)
    throw DownloadError(url, "expected HTTP 200, got HTTP " + std::to_string(result.status));
  result.validators = transfer.validators;
  return result;
}

}  // namespace vt::core
