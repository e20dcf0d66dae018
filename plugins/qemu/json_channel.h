// A JSON-lines connection over a Unix socket: what QMP and qemu-guest-agent both speak.
// Not thread-safe by itself; QmpClient and GuestAgent serialise their callers.
#pragma once

#include <chrono>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

namespace vt::qemu {

using Clock = std::chrono::steady_clock;

class JsonChannel {
 public:
  JsonChannel() = default;
  ~JsonChannel();
  JsonChannel(const JsonChannel&) = delete;
  JsonChannel& operator=(const JsonChannel&) = delete;

  /// Connects to `socket`, retrying while it does not exist yet or refuses, until `deadline`
  /// or until `alive()` returns false. Throws sdk::InfrastructureError.
  void connect(const std::filesystem::path& socket, Clock::time_point deadline,
               bool (*alive)(void*), void* context);

  /// Sends bytes as they are (a JSON text plus '\n', or the agent's 0xFF resync byte).
  /// Sending to a full socket waits until `deadline`. Throws sdk::InfrastructureError.
  void send(const std::string& bytes, Clock::time_point deadline);

  /// The next JSON line, or nullopt at `deadline`. Bytes that do not parse (the agent's 0xFF
  /// delimiter, garbage after a reconnect) are skipped. Throws sdk::InfrastructureError on EOF.
  std::optional<nlohmann::json> receive(Clock::time_point deadline);

  /// Shuts the socket down so that a blocked receive returns (from any thread).
  void shutdown() noexcept;
  bool connected() const noexcept { return fd_ >= 0; }
  int fd() const noexcept { return fd_; }

 private:
  int fd_ = -1;
  std::string buffer_;
  std::string name_;
};

}  // namespace vt::qemu
