// Timestamps vtrun writes into files users read (providers.lock, the provider cache's state).
#pragma once

#include <ctime>
#include <string>

namespace vt::core {

/// `when` as UTC ISO 8601, "2026-12-01T15:55:05Z".
inline std::string utc_iso8601(std::time_t when = std::time(nullptr)) {
  std::tm tm{};
  gmtime_r(&when, &tm);
  char stamp[32];
  std::strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return stamp;
}

}  // namespace vt::core
