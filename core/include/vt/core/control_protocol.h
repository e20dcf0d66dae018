// The wire protocol between a test's `vtctl` and the runner, over a unix socket
// ($VT_CONTROL_SOCKET). Binary frames, so command output passes through byte for byte:
//   1 byte type | 4 bytes big-endian payload length | payload
// The client sends a Request frame (JSON) followed by one Stdin frame (possibly empty); the
// server answers with any number of Stdout/Stderr frames and ends with one Result frame (JSON):
// {"exit": N} for exec, {"ok": true} for the others, or {"error": "message"}.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace vt::core::control {

enum class FrameType : char {
  request = 'Q',
  stdin_data = 'I',
  stdout_data = 'O',
  stderr_data = 'E',
  result = 'R',
};

struct Frame {
  FrameType type;
  std::string payload;
};

/// Writes one frame; false when the peer is gone.
bool write_frame(int fd, FrameType type, std::string_view payload);

/// Reads one frame; nullopt on EOF or a malformed frame. Payloads over 256 MiB are refused.
std::optional<Frame> read_frame(int fd);

/// Connects to the unix socket at `path`; -1 (errno set) on failure.
int connect_unix(const std::string& path);

/// Listens on a new unix socket at `path` (mode 0600); -1 (errno set) on failure.
int listen_unix(const std::string& path);

}  // namespace vt::core::control
