#include "vt/core/control_protocol.h"

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace vt::core::control {

namespace {

constexpr std::uint32_t max_payload = 256u << 20;

bool write_all(int fd, const char* data, std::size_t size) {
  while (size > 0) {
    const ssize_t n = send(fd, data, size, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    data += n;
    size -= static_cast<std::size_t>(n);
  }
  return true;
}

bool read_all(int fd, char* data, std::size_t size) {
  while (size > 0) {
    const ssize_t n = read(fd, data, size);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    data += n;
    size -= static_cast<std::size_t>(n);
  }
  return true;
}

bool fill_address(const std::string& path, sockaddr_un& addr) {
  std::memset(&addr, 0, sizeof addr);
  addr.sun_family = AF_UNIX;
  if (path.size() >= sizeof addr.sun_path) {
    errno = ENAMETOOLONG;
    return false;
  }
  std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
  return true;
}

}  // namespace

bool write_frame(int fd, FrameType type, std::string_view payload) {
  const auto len = static_cast<std::uint32_t>(payload.size());
  const char header[5] = {static_cast<char>(type), static_cast<char>(len >> 24),
                          static_cast<char>(len >> 16), static_cast<char>(len >> 8),
                          static_cast<char>(len)};
  return write_all(fd, header, sizeof header) && write_all(fd, payload.data(), payload.size());
}

std::optional<Frame> read_frame(int fd) {
  unsigned char header[5];
  if (!read_all(fd, reinterpret_cast<char*>(header), sizeof header)) return std::nullopt;
  const std::uint32_t len = (std::uint32_t{header[1]} << 24) | (std::uint32_t{header[2]} << 16) |
                            (std::uint32_t{header[3]} << 8) | std::uint32_t{header[4]};
  if (len > max_payload) return std::nullopt;
  Frame frame{static_cast<FrameType>(header[0]), std::string(len, '\0')};
  if (len > 0 && !read_all(fd, frame.payload.data(), len)) return std::nullopt;
  return frame;
}

int connect_unix(const std::string& path) {
  sockaddr_un addr;
  if (!fill_address(path, addr)) return -1;
  const int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    const int err = errno;
    close(fd);
    errno = err;
    return -1;
  }
  return fd;
}

int listen_unix(const std::string& path) {
  sockaddr_un addr;
  if (!fill_address(path, addr)) return -1;
  const int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  unlink(path.c_str());
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      chmod(path.c_str(), 0600) != 0 || listen(fd, 16) != 0) {
    const int err = errno;
    close(fd);
    errno = err;
    return -1;
  }
  return fd;
}

}  // namespace vt::core::control
