#include "vt/sdk/files.h"

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>

#include "vt/sdk/error.h"

namespace vt::sdk {

namespace fs = std::filesystem;

namespace {
std::string temp_name_for(const fs::path& path) {
  static std::atomic<unsigned> counter{0};
  return path.string() + ".tmp." + std::to_string(getpid()) + "." + std::to_string(counter++);
}
}  // namespace

void write_file_atomic(const fs::path& path, std::string_view content) {
  std::error_code ec;
  if (path.has_parent_path()) fs::create_directories(path.parent_path(), ec);
  if (ec)
    throw Error("cannot create directory '" + path.parent_path().string() + "': " + ec.message());
  const std::string tmp = temp_name_for(path);
  const int fd = open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) throw Error("cannot write '" + path.string() + "': " + std::strerror(errno));
  std::size_t done = 0;
  while (done < content.size()) {
    const ssize_t n = write(fd, content.data() + done, content.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      const int err = errno;
      close(fd);
      unlink(tmp.c_str());
      throw Error("cannot write '" + path.string() + "': " + std::strerror(err));
    }
    done += static_cast<std::size_t>(n);
  }
  if (fsync(fd) != 0 || close(fd) != 0) {
    const int err = errno;
    unlink(tmp.c_str());
    throw Error("cannot write '" + path.string() + "': " + std::strerror(err));
  }
  if (rename(tmp.c_str(), path.c_str()) != 0) {
    const int err = errno;
    unlink(tmp.c_str());
    throw Error("cannot rename '" + tmp + "' to '" + path.string() + "': " + std::strerror(err));
  }
}

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error("cannot read '" + path.string() + "': " + std::strerror(errno));
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

}  // namespace vt::sdk

namespace vt::sdk {

bool check_copy_paths(const std::string& from, const std::string& to) {
  const bool from_dir = !from.empty() && from.back() == '/';
  const bool to_dir = !to.empty() && to.back() == '/';
  if (from_dir != to_dir)
    throw ConfigError("copy from '" + from + "' to '" + to +
                      "': both paths must end in '/' (directory) or neither (file)");
  return from_dir;
}

fs::path cache_dir() {
  if (const char* v = std::getenv("VTRUN_CACHE_DIR"); v != nullptr && *v != '\0') return v;
  if (const char* v = std::getenv("XDG_CACHE_HOME"); v != nullptr && *v == '/')
    return fs::path(v) / "vtrun";
  const char* home = std::getenv("HOME");
  return fs::path(home != nullptr && *home != '\0' ? home : "/tmp") / ".cache" / "vtrun";
}

}  // namespace vt::sdk
