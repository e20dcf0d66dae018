// `external`: asks a program which ready tests to start, by the `vtrun-scheduler/1` protocol
// (external_protocol.h, docs/scheduling.md). For sites whose policy lives outside vtrun.
#pragma once

#include <chrono>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "vt/sdk/host.h"
#include "vt/sdk/scheduler.h"

namespace vt::schedulers {

class ExternalScheduler final : public sdk::Scheduler {
 public:
  /// Options: `program` (required: a path, or a name looked up in PATH), `timeout` (whole
  /// seconds per answer, default 60). Throws sdk::ConfigError when `program` is missing, names
  /// a path that is not an executable file, or for other options. `host` must outlive this.
  ExternalScheduler(sdk::Host& host, const sdk::SchedulerSpec& spec);

  /// Every test of the plan.
  std::vector<std::size_t> select(const std::vector<sdk::TestInfo>& plan) override;
  /// Runs the program once (not at all when nothing is ready) and returns what it chose.
  /// Throws sdk::Error (TimeoutError on timeout) naming the program, what it printed and what
  /// was expected, when it cannot start, exits non-zero, times out or answers wrongly.
  std::vector<std::size_t> order(const std::vector<std::size_t>& ready,
                                 const sdk::FreeCapacity& free) override;
  void completed(std::size_t index, sdk::Status status) override;

 private:
  [[noreturn]] void fail(const std::string& what, const sdk::ExecResult* result) const;

  sdk::Host& host_;  // not owned; outlives this (sdk::Host's contract)
  std::string program_;
  std::chrono::seconds timeout_;
  unsigned jobs_;
  std::uint64_t seed_;
  std::vector<sdk::TestInfo> plan_;                            // from select()
  std::set<std::size_t> started_;                              // returned, not completed yet
  std::vector<std::pair<std::string, sdk::Status>> finished_;  // in completion order
};

}  // namespace vt::schedulers
