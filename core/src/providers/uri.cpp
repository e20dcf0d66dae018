#include "providers/uri.h"

#include <array>
#include <optional>
#include <system_error>

#include "vt/sdk/error.h"

namespace vt::core {
namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

bool is_alpha(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

// RFC 3986: scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ), followed here by "://".
std::optional<std::string> scheme_of(std::string_view text) {
  const auto sep = text.find("://");
  if (sep == std::string_view::npos || sep == 0 || !is_alpha(text[0])) return std::nullopt;
  for (const char c : text.substr(0, sep)) {
    if (!is_alpha(c) && !is_digit(c) && c != '+' && c != '-' && c != '.') return std::nullopt;
  }
  return lower(text.substr(0, sep));
}

// git's scp-like syntax `user@host:path`: a colon before any slash, after `user@host`.
bool is_scp_like(std::string_view text) {
  const auto at = text.find('@');
  const auto colon = text.find(':');
  const auto slash = text.find('/');
  if (at == std::string_view::npos || at == 0 || colon == std::string_view::npos) return false;
  if (colon < at + 2 || (slash != std::string_view::npos && slash < colon)) return false;
  for (const char c : text.substr(0, colon)) {
    if (c == ' ' || c == '\t') return false;
  }
  return text.find('@', at + 1) > colon;
}

std::filesystem::path normalised(const std::filesystem::path& p) {
  std::filesystem::path out = p.lexically_normal();
  if (!out.has_filename() && out.has_relative_path()) out = out.parent_path();
  return out;
}

// A working tree has `.git` (a directory, or a file for worktrees); a bare repository has
// HEAD and objects/ at its top.
bool is_git_repository(const std::filesystem::path& dir) {
  std::error_code ec;
  if (std::filesystem::exists(dir / ".git", ec)) return true;
  return std::filesystem::is_regular_file(dir / "HEAD", ec) &&
         std::filesystem::is_directory(dir / "objects", ec);
}

std::string_view without_query(std::string_view url) {
  return url.substr(0, url.find_first_of("?#"));
}

}  // namespace

std::string archive_suffix(std::string_view path) {
  static constexpr std::array<std::string_view, 7> suffixes = {
      ".tar", ".tar.gz", ".tgz", ".tar.xz", ".txz", ".tar.zst", ".zip"};
  const std::string lowered = lower(path);
  for (const std::string_view suffix : suffixes) {
    if (lowered.size() > suffix.size() && lowered.ends_with(suffix)) return std::string(suffix);
  }
  return {};
}

bool has_archive_suffix(std::string_view path) {
  return !archive_suffix(path).empty();
}

ProviderUri classify_uri(const std::string& text, const std::filesystem::path& definition,
                         int line) {
  auto fail = [&](const std::string& message) {
    throw sdk::ConfigError(definition.string(), line, message);
  };
  ProviderUri uri;
  uri.text = text;
  if (text.empty()) {
    fail(
        "expected a uri (git, https, ssh, file:// or a path), got '' — set uri to where the "
        "tests are");
  }
  const std::optional<std::string> scheme = scheme_of(text);
  if (!scheme) {
    if (is_scp_like(text)) {
      uri.kind = UriKind::git;
      uri.scheme = "ssh";
      return uri;
    }
    uri.kind = UriKind::path;
    uri.local = normalised(definition.parent_path() / text);
    return uri;
  }
  uri.scheme = *scheme;
  if (uri.scheme == "git" || uri.scheme == "ssh") {
    uri.kind = UriKind::git;
  } else if (uri.scheme == "http" || uri.scheme == "https") {
    uri.kind = has_archive_suffix(without_query(text)) ? UriKind::archive : UriKind::git;
  } else if (uri.scheme == "file") {
    const std::string_view rest = std::string_view(text).substr(7);
    if (rest.empty() || rest.front() != '/') {
      fail("expected an absolute path after 'file://', got '" + text +
           "' — file:// needs an absolute path (file:///dir); use a plain relative path "
           "instead");
    }
    uri.local = normalised(std::filesystem::path(rest));
    if (has_archive_suffix(rest)) {
      uri.kind = UriKind::archive;
    } else {
      uri.kind = is_git_repository(uri.local) ? UriKind::git : UriKind::file_url;
    }
  } else {
    fail("expected a uri scheme among git, https, http, ssh, file, got '" + uri.scheme +
         "://' — use one of them, or a plain path");
  }
  return uri;
}

}  // namespace vt::core
