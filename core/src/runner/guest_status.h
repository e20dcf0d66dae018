// The guest-reported verdict policy (systemd's integration tests): the guest prints its own
// exit status on the console, e.g. `EXIT_STATUS=0`, and that decides, not the command's status.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "runner/verdict.h"

namespace vt::core {

/// The status of the last complete `<marker><digits>` on `console`: the marker may follow
/// other text on its line (serial consoles interleave kernel messages), the digits must be
/// followed by whitespace (CR included) or a line end. A match at the very end of the text,
/// with nothing after it, counts only when `at_end` (the console will not grow any more).
std::optional<int> last_guest_status(std::string_view console, std::string_view marker,
                                     bool at_end);

/// Params: `guest_status_marker` (default `EXIT_STATUS=`), `guest_success_code` (default 0,
/// 0..255), `guest_status_timeout` (seconds to keep polling the console for a marker after the
/// command ended; default 30).
class GuestStatusPolicy final : public VerdictPolicy {
 public:
  /// Throws sdk::ConfigError naming the param for an empty marker or a number out of range.
  explicit GuestStatusPolicy(const sdk::Params& params);
  Verdict decide(const VerdictInput& input) const override;

 private:
  Verdict judge(int code) const;

  std::string marker_;
  int success_code_ = 0;
  std::chrono::seconds wait_{30};
};

}  // namespace vt::core
