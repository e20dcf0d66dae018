// Helpers shared by the unit, integration and end-to-end tests: a temporary directory, the
// message of an expected exception, writing a fixture file, and a scoped working directory.
#pragma once

#include <stdlib.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>

#include "vt/sdk/error.h"

namespace vt::test_support {

/// A fresh directory `<temp_directory_path()>/<prefix>XXXXXX`, removed with all it holds when
/// this object goes. `path()` is canonical, so it compares equal to paths the code resolves.
class TempDir {
 public:
  explicit TempDir(std::string_view prefix) {
    std::string pattern =
        (std::filesystem::temp_directory_path() / (std::string(prefix) + "XXXXXX")).string();
    if (mkdtemp(pattern.data()) == nullptr)
      throw std::runtime_error("cannot create the temporary directory '" + pattern +
                               "': " + std::strerror(errno));
    path_ = std::filesystem::canonical(pattern);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }

  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

/// The `what()` of the E that `f()` throws, or "<no exception>" when it returns normally.
/// Any other exception propagates, so the test fails on it.
template <class E = vt::sdk::Error, class F>
std::string error_message(F&& f) {
  try {
    std::forward<F>(f)();
  } catch (const E& e) {
    return e.what();
  }
  return "<no exception>";
}

/// Writes `text` to `path` as is (binary), creating its parent directories; returns `path`.
inline std::filesystem::path write_file(const std::filesystem::path& path, std::string_view text) {
  if (path.has_parent_path()) std::filesystem::create_directories(path.parent_path());
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(text.data(), static_cast<std::streamsize>(text.size()));
  if (!out) throw std::runtime_error("cannot write the test file '" + path.string() + "'");
  return path;
}

/// Makes `dir` the working directory until this object goes, then returns to the previous one;
/// for code whose output depends on the paths it is given (relative file names in messages).
class ScopedCurrentPath {
 public:
  explicit ScopedCurrentPath(const std::filesystem::path& dir)
      : previous_(std::filesystem::current_path()) {
    std::filesystem::current_path(dir);
  }
  ScopedCurrentPath(const ScopedCurrentPath&) = delete;
  ScopedCurrentPath& operator=(const ScopedCurrentPath&) = delete;
  ~ScopedCurrentPath() {
    std::error_code ec;
    std::filesystem::current_path(previous_, ec);
  }

 private:
  std::filesystem::path previous_;
};

}  // namespace vt::test_support
