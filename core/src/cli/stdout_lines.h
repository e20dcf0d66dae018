// Line output for listings that may be millions of lines long and read by `head`: written in
// large blocks, but the first line at once and then at least every 100 ms, so a reader never
// waits for a buffer to fill; a write error (a closed pipe: vtrun ignores SIGPIPE) is
// reported so the producer can stop.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

namespace vt::core::cli {

class StdoutLines {
 public:
  StdoutLines();
  ~StdoutLines();  // flushes; errors are then only remembered
  StdoutLines(const StdoutLines&) = delete;
  StdoutLines& operator=(const StdoutLines&) = delete;

  /// Adds `line` and a newline. False once stdout failed: stop producing.
  bool write(std::string_view line);
  /// False when stdout failed.
  bool flush();
  /// errno of the first failed write; 0 when none failed.
  int error() const noexcept { return error_; }

 private:
  std::string buffer_;
  std::chrono::steady_clock::time_point last_flush_;
  bool flushed_once_ = false;
  int error_ = 0;
};

/// Exit status of a listing command: 0 when stdout took everything or its reader left (EPIPE,
/// as `vtrun list | head` does); throws sdk::Error for any other write error.
int listing_status(StdoutLines& out);

}  // namespace vt::core::cli
