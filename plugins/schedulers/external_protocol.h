// The `vtrun-scheduler/1` protocol between the `external` scheduler and its program
// (docs/scheduling.md): one JSON document on the program's stdin per decision, one on its
// stdout in answer.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "vt/sdk/scheduler.h"

namespace vt::schedulers {

inline constexpr const char* external_protocol = "vtrun-scheduler/1";

/// What the program is told: the candidates and the state of the job.
struct ExternalRequest {
  unsigned jobs = 1;
  std::uint64_t seed = 0;
  std::vector<std::pair<std::size_t, const sdk::TestInfo*>> ready;  ///< plan index, test
  std::vector<std::string> running;                                 ///< ids
  std::vector<std::pair<std::string, sdk::Status>> finished;        ///< id, status
  sdk::FreeCapacity free;
};

/// The stdin document: {"protocol", "phase": "order", "jobs", "seed", "ready": [...],
/// "running": [...], "finished": [...], "free": {...}}, one line.
std::string render_request(const ExternalRequest& request);

/// Reads `{"run": ["id", ...]}` (other keys ignored) and returns the plan indices of those ids,
/// in the program's order. Throws sdk::Error with a one-line reason ("names 'x', which is not
/// ready") for anything else: invalid JSON, a missing or mistyped "run", an id that is not
/// among `ready`, an id named twice.
std::vector<std::size_t> parse_answer(const std::string& stdout_data,
                                      const ExternalRequest& request);

}  // namespace vt::schedulers
