#include "providers/archive_provider.h"

#include "providers/archive_extract.h"
#include "vt/core/file_lock.h"
#include "vt/core/sha256.h"
#include "vt/sdk/error.h"
#include "vt/sdk/files.h"

namespace vt::core {

namespace fs = std::filesystem;

namespace {

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

}  // namespace

fs::path archive_provider_root(const Provider& provider) {
  const auto fail = [&](const std::string& why) -> sdk::ConfigError {
    return sdk::ConfigError(provider.definition.string(), provider.uri_line,
                            "provider '" + provider.name + "': " + why);
  };
  if (provider.uri.scheme != "file" || provider.uri.local.empty())
    throw sdk::UnavailableError("provider '" + provider.name + "' (" +
                                provider.definition.string() + ":" +
                                std::to_string(provider.uri_line) +
                                "): downloading archives is not implemented yet — download it "
                                "and use a file:// URI");
  const fs::path& archive = provider.uri.local;
  std::error_code ec;
  if (!fs::is_regular_file(archive, ec))
    throw fail("expected an archive at '" + archive.string() + "' (uri '" + provider.uri.text +
               "'), got " + (fs::exists(archive, ec) ? "something else" : "nothing there") +
               " — fix the uri");
  std::string digest;
  try {
    digest = sha256_of_file(archive);
  } catch (const sdk::Error& e) {
    throw fail(e.what());
  }
  const fs::path dir = sdk::cache_dir() / "providers" / provider.name;
  fs::create_directories(dir, ec);
  if (ec)
    throw sdk::Error("cannot create the provider cache '" + dir.string() + "': " + ec.message());
  const fs::path extracted = dir / digest;
  if (fs::is_directory(extracted, ec)) return root_of(extracted);
  const FileLock lock(dir / ".lock");
  if (!fs::is_directory(extracted, ec)) {
    try {
      extract_archive(archive, extracted);
    } catch (const sdk::Error& e) {
      throw fail(e.what());
    }
  }
  return root_of(extracted);
}

}  // namespace vt::core
