#include "cli/stdout_lines.h"

#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <iostream>

#include "vt/sdk/error.h"

namespace vt::core::cli {

namespace {
constexpr std::size_t block = 64 * 1024;
constexpr auto latency = std::chrono::milliseconds(100);
}  // namespace

StdoutLines::StdoutLines() {
  std::cout.flush();  // whatever iostreams hold goes first
  buffer_.reserve(block);
}

StdoutLines::~StdoutLines() {
  flush();
}

bool StdoutLines::write(std::string_view line) {
  if (error_ != 0) return false;
  buffer_.append(line);
  buffer_.push_back('\n');
  if (!flushed_once_ || buffer_.size() >= block ||
      std::chrono::steady_clock::now() - last_flush_ >= latency)
    return flush();
  return true;
}

bool StdoutLines::flush() {
  if (error_ != 0) return false;
  flushed_once_ = true;
  last_flush_ = std::chrono::steady_clock::now();
  std::size_t done = 0;
  while (done < buffer_.size()) {
    const ssize_t n = ::write(STDOUT_FILENO, buffer_.data() + done, buffer_.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      error_ = errno;
      buffer_.clear();
      return false;
    }
    done += static_cast<std::size_t>(n);
  }
  buffer_.clear();
  return true;
}

int listing_status(StdoutLines& out) {
  out.flush();
  if (out.error() == 0 || out.error() == EPIPE) return 0;
  throw sdk::Error(
      "cannot write the listing to stdout: " + std::string(std::strerror(out.error())) +
      " — check where stdout goes (a full disk?)");
}

}  // namespace vt::core::cli
