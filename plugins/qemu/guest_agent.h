// The qemu-guest-agent protocol over the virtio-serial port's host socket: a synchronised
// request/reply channel (guest-sync-delimited first, so a reply left over from a previous
// connection or a restored VM is never taken for ours). Thread-safe: requests are serialised,
// which is what the agent does anyway.
#pragma once

#include <atomic>
#include <filesystem>
#include <mutex>
#include <string>
#include <vector>

#include "json_channel.h"

namespace vt::qemu {

class GuestAgent {
 public:
  /// Connects to the agent's socket (QEMU's end of the port).
  void connect(const std::filesystem::path& socket, Clock::time_point deadline,
               bool (*alive)(void*), void* context);

  /// Resynchronises until the agent answers or `deadline` passes (it may still be starting:
  /// requests sent before it opened the port are resent). Throws sdk::InfrastructureError.
  void sync(Clock::time_point deadline, bool (*alive)(void*), void* context);

  /// One request; returns its "return" value. An agent error throws sdk::Error with its text
  /// (the command's problem); a broken channel throws sdk::InfrastructureError and every later
  /// call fails at once.
  nlohmann::json call(const std::string& command, const nlohmann::json& arguments,
                      std::chrono::milliseconds timeout = std::chrono::seconds(60));

  /// Makes running and future calls fail promptly (close(), or QEMU went away).
  void shutdown() noexcept;
  bool broken() const noexcept { return broken_; }
  bool connected() const noexcept { return channel_.connected(); }

  // The guest-file-* calls, with base64 handled here.
  std::int64_t open_file(const std::string& path, const std::string& mode);
  /// Reads up to `count` bytes; appends them to `out`; returns true at end of file.
  bool read_file(std::int64_t handle, std::size_t count, std::string& out);
  void write_file(std::int64_t handle, std::string_view data);
  void close_file(std::int64_t handle) noexcept;

 private:
  std::mutex mutex_;
  JsonChannel channel_;
  std::atomic<bool> broken_{false};
  unsigned long next_sync_ = 0;
};

std::string base64_encode(std::string_view data);
std::string base64_decode(std::string_view text);

}  // namespace vt::qemu
