#include "options.h"

#include <charconv>
#include <limits>

#include "vt/sdk/error.h"

namespace vt::schedulers {

namespace {
std::string in_quotes(std::string_view s) {
  return "'" + std::string(s) + "'";
}
}  // namespace

void check_options(std::string_view scheduler, const sdk::Params& options,
                   std::initializer_list<std::string_view> known) {
  for (const auto& [key, value] : options) {
    bool ok = false;
    for (std::string_view k : known) ok = ok || key == k;
    if (ok) continue;
    std::string takes;
    for (std::string_view k : known) takes += (takes.empty() ? "" : ", ") + std::string(k);
    std::string message = "scheduler " + in_quotes(scheduler) + ": unknown option " +
                          in_quotes(key) +
                          (takes.empty() ? " — it takes none" : " — it takes: " + takes);
    // The core sets these two for dedicated flags: say which scheduler the flag belongs to.
    if (key == "slow") message += " (--slow is an option of --scheduler priority)";
    if (key == "shard") message += " (--shard i/N is an option of --scheduler shard)";
    throw sdk::ConfigError(message);
  }
}

std::optional<std::string> option(const sdk::Params& options, std::string_view key) {
  auto it = options.find(std::string(key));
  if (it == options.end()) return std::nullopt;
  return it->second;
}

bool yes_no_option(std::string_view scheduler, const sdk::Params& options, std::string_view key,
                   bool fallback) {
  auto value = option(options, key);
  if (!value) return fallback;
  if (*value == "yes" || *value == "true" || *value == "on" || *value == "1") return true;
  if (*value == "no" || *value == "false" || *value == "off" || *value == "0") return false;
  throw sdk::ConfigError("scheduler " + in_quotes(scheduler) + ": option " + in_quotes(key) +
                         " is " + in_quotes(*value) +
                         ", expected yes or no — e.g. --scheduler-option " + std::string(key) +
                         "=yes");
}

std::chrono::seconds seconds_option(std::string_view scheduler, const sdk::Params& options,
                                    std::string_view key, std::chrono::seconds fallback) {
  auto value = option(options, key);
  if (!value) return fallback;
  if (auto n = parse_positive(*value)) return std::chrono::seconds(*n);
  throw sdk::ConfigError("scheduler " + in_quotes(scheduler) + ": option " + in_quotes(key) +
                         " is " + in_quotes(*value) +
                         ", expected a whole number of seconds > 0 — e.g. " +
                         "--scheduler-option " + std::string(key) + "=60");
}

std::optional<unsigned> parse_positive(std::string_view text) {
  if (text.empty() || text.front() < '0' || text.front() > '9') return std::nullopt;
  unsigned value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || value == 0) return std::nullopt;
  return value;
}

}  // namespace vt::schedulers
