#include "json_channel.h"

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <thread>

#include "vt/sdk/error.h"

namespace vt::qemu {

namespace {

int remaining_ms(Clock::time_point deadline) {
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
  return left.count() <= 0 ? 0 : static_cast<int>(std::min<long long>(left.count(), 1 << 30));
}

}  // namespace

JsonChannel::~JsonChannel() {
  if (fd_ >= 0) close(fd_);
}

void JsonChannel::connect(const std::filesystem::path& socket_path, Clock::time_point deadline,
                          bool (*alive)(void*), void* context) {
  name_ = socket_path.filename().string();
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  const std::string path = socket_path.string();
  if (path.size() >= sizeof addr.sun_path)
    throw sdk::InfrastructureError("socket path '" + path + "' is too long for a Unix socket");
  std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
  for (;;) {
    const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) throw sdk::InfrastructureError(std::string("socket: ") + std::strerror(errno));
    if (::connect(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) == 0) {
      fd_ = fd;
      return;
    }
    const int err = errno;
    close(fd);
    if (err != ENOENT && err != ECONNREFUSED)
      throw sdk::InfrastructureError("cannot connect to '" + path + "': " + std::strerror(err));
    if (alive != nullptr && !alive(context))
      throw sdk::InfrastructureError("QEMU exited before '" + name_ + "' accepted a connection");
    if (Clock::now() >= deadline)
      throw sdk::InfrastructureError("'" + path + "' did not accept a connection in time");
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
}

void JsonChannel::send(const std::string& bytes, Clock::time_point deadline) {
  if (fd_ < 0) throw sdk::InfrastructureError("'" + name_ + "' is not connected");
  std::size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n =
        ::send(fd_, bytes.data() + done, bytes.size() - done, MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n > 0) {
      done += static_cast<std::size_t>(n);
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      pollfd p{fd_, POLLOUT, 0};
      if (poll(&p, 1, remaining_ms(deadline)) == 0)
        throw sdk::InfrastructureError("'" + name_ + "' stopped reading (send timed out)");
      continue;
    }
    throw sdk::InfrastructureError("sending to '" + name_ + "' failed: " + std::strerror(errno));
  }
}

std::optional<nlohmann::json> JsonChannel::receive(Clock::time_point deadline) {
  if (fd_ < 0) throw sdk::InfrastructureError("'" + name_ + "' is not connected");
  for (;;) {
    for (std::size_t nl; (nl = buffer_.find('\n')) != std::string::npos;) {
      std::string line = buffer_.substr(0, nl);
      buffer_.erase(0, nl + 1);
      const std::size_t start = line.find('{');
      if (start == std::string::npos) continue;
      auto doc = nlohmann::json::parse(line.begin() + static_cast<long>(start), line.end(), nullptr,
                                       false);
      if (!doc.is_discarded() && doc.is_object()) return doc;
    }
    pollfd p{fd_, POLLIN, 0};
    const int ready = poll(&p, 1, remaining_ms(deadline));
    if (ready < 0 && errno == EINTR) continue;
    if (ready == 0) return std::nullopt;
    char chunk[65536];
    const ssize_t n = ::recv(fd_, chunk, sizeof chunk, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0)
      throw sdk::InfrastructureError("'" + name_ + "' closed the connection" +
                                     (n < 0 ? std::string(": ") + std::strerror(errno) : ""));
    buffer_.append(chunk, static_cast<std::size_t>(n));
  }
}

void JsonChannel::shutdown() noexcept {
  if (fd_ >= 0) ::shutdown(fd_, SHUT_RDWR);
}

}  // namespace vt::qemu
