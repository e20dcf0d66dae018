#include "runner/guest_status.h"

#include <algorithm>
#include <charconv>
#include <thread>

#include "vt/sdk/error.h"

namespace vt::core {

namespace {

using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

constexpr auto poll_interval = 100ms;
constexpr long long max_wait_s = 7 * 24 * 3600;  // a week: far past any test's timeout
constexpr std::size_t max_status_digits = 9;     // longer runs of digits are not a status

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f';
}

// The param `key` as an integer in [min, max], or `fallback` when it is unset.
long long int_param(const sdk::Params& params, const std::string& key, long long fallback,
                    long long min, long long max, const std::string& unit) {
  const auto it = params.find(key);
  if (it == params.end()) return fallback;
  const std::string& text = it->second;
  long long n = 0;
  const char* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, n);
  if (text.empty() || ec != std::errc() || ptr != end || n < min || n > max)
    throw sdk::ConfigError("param '" + key + "': expected " + unit + ", got '" + text +
                           "' — e.g. " + key + " = " + std::to_string(fallback));
  return n;
}

}  // namespace

std::optional<int> last_guest_status(std::string_view console, std::string_view marker,
                                     bool at_end) {
  std::optional<int> status;
  if (marker.empty()) return status;
  for (std::size_t at = console.find(marker); at != std::string_view::npos;
       at = console.find(marker, at + 1)) {
    const std::size_t digits = at + marker.size();
    std::size_t end = digits;
    while (end < console.size() && console[end] >= '0' && console[end] <= '9') ++end;
    if (end == digits || end - digits > max_status_digits) continue;
    if (end == console.size() ? !at_end : !is_space(console[end])) continue;
    int code = 0;
    std::from_chars(console.data() + digits, console.data() + end, code);
    status = code;
  }
  return status;
}

GuestStatusPolicy::GuestStatusPolicy(const sdk::Params& params) {
  const auto marker = params.find("guest_status_marker");
  marker_ = marker == params.end() ? "EXIT_STATUS=" : marker->second;
  if (marker_.empty())
    throw sdk::ConfigError(
        "param 'guest_status_marker': expected the text before the status, got an empty value "
        "— leave it unset for 'EXIT_STATUS='");
  success_code_ = static_cast<int>(
      int_param(params, "guest_success_code", 0, 0, 255, "an exit status from 0 to 255"));
  wait_ = std::chrono::seconds(
      int_param(params, "guest_status_timeout", 30, 0, max_wait_s,
                "a whole number of seconds from 0 to " + std::to_string(max_wait_s)));
}

Verdict GuestStatusPolicy::judge(int code) const {
  if (code == success_code_) return {sdk::Status::pass, ""};
  if (code == 77) return {sdk::Status::skip, "guest reported 77 (skip)"};
  return {sdk::Status::fail, "guest reported exit status " + std::to_string(code) + ", expected " +
                                 std::to_string(success_code_)};
}

Verdict GuestStatusPolicy::decide(const VerdictInput& input) const {
  if (auto verdict = infrastructure_verdict(input)) return *verdict;
  if (!input.console)
    return {sdk::Status::error,
            "the backend has no console, so the guest cannot report a status — use verdict "
            "'exit-code', or a backend with a console"};
  try {
    // The guest may still be printing when the command ends: keep looking until the deadline,
    // then take one last look that also accepts a status at the very end of the console.
    const auto deadline = Clock::now() + wait_;
    for (;;) {
      const bool last = Clock::now() >= deadline;
      if (auto code = last_guest_status(input.console(), marker_, last)) return judge(*code);
      if (last) break;
      std::this_thread::sleep_for(
          std::min<Clock::duration>(poll_interval, deadline - Clock::now()));
    }
  } catch (const std::exception& e) {
    return {sdk::Status::error, std::string("cannot read the console: ") + e.what()};
  }
  return {sdk::Status::error, "the guest reported no status: no '" + marker_ +
                                  "<n>' line on the console within " +
                                  std::to_string(wait_.count()) +
                                  " s — print it from the "
                                  "guest, or raise guest_status_timeout"};
}

}  // namespace vt::core
