// One job's run (runner.h, run_job): the state the scheduling thread and the workers share,
// under one mutex. The loop is in job.cpp, the workers in job_workers.cpp.
#pragma once

#include <chrono>
#include <condition_variable>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "runner/kept_testbeds.h"
#include "runner/named_locks.h"
#include "runner/reporter_fanout.h"
#include "runner/resource_budget.h"
#include "runner/test_stopper.h"
#include "runner/testbed_pool.h"
#include "vt/core/job_dir.h"
#include "vt/core/runner.h"

namespace vt::core {

class JobRun {
 public:
  using Clock = std::chrono::system_clock;

  JobRun(const std::vector<TestCase>& plan, const std::vector<Provider>& providers,
         const RunOptions& opts, const PluginRegistry& registry, CoreHost& host)
      : plan_(plan),
        providers_(providers),
        opts_(opts),
        registry_(registry),
        host_(host),
        started_(Clock::now()),
        seed_(opts.seed.value_or(static_cast<std::uint64_t>(started_.time_since_epoch().count()))),
        budget_(opts),
        locks_(opts.lock_dir.empty() ? default_lock_dir() : opts.lock_dir),
        job_(opts.workspace.empty() ? JobDir::create(opts.results_dir, started_)
                                    : JobDir::create_at(opts.workspace)),
        reporters_(host),
        pool_(budget_.total().slots),
        kept_(host) {}

  ~JobRun() { stop_workers(); }  // also when the scheduler threw
  JobRun(const JobRun&) = delete;
  JobRun& operator=(const JobRun&) = delete;

  JobOutcome run();

 private:
  struct Task {
    std::size_t index;
    int round;
  };

  void start_workers();
  void stop_workers();
  void worker_loop();
  sdk::TestResult run_attempts(const Task& task);
  void record(std::size_t i, sdk::TestResult r);
  void log_attempt(const sdk::TestResult& r, int attempt);  // compat mode: an earlier attempt
  void flush_summary(bool force);
  std::string unmet_dependency(std::size_t i) const;
  bool schedule();
  void finish_round();
  void handle_interrupts();

  const std::vector<TestCase>& plan_;
  const std::vector<Provider>& providers_;
  RunOptions opts_;
  const PluginRegistry& registry_;
  CoreHost& host_;
  const Clock::time_point started_;
  const std::uint64_t seed_;
  ResourceBudget budget_;
  NamedLocks locks_;
  JobDir job_;
  ReporterFanout reporters_;
  TestbedPool pool_;
  KeptTestbeds kept_;
  PluginPtr<sdk::Scheduler> scheduler_;
  std::filesystem::path control_dir_;

  std::vector<sdk::TestInfo> infos_;
  std::vector<std::size_t> selected_;  // plan indices the scheduler chose, in round order
  std::vector<bool> in_job_;           // by plan index: selected
  std::map<std::string, std::size_t> index_of_;

  std::mutex mutex_;
  std::condition_variable cv_;
  int round_ = 1;
  std::chrono::steady_clock::time_point round_started_ = std::chrono::steady_clock::now();
  std::vector<sdk::TestResult> earlier_rounds_;
  std::vector<std::optional<sdk::TestResult>> results_;  // this round, by plan index
  std::vector<bool> started_now_;                        // this round, by plan index
  std::deque<Task> tasks_;
  std::vector<std::size_t> finished_;  // completed, not yet told to the scheduler
  std::map<std::size_t, std::unique_ptr<TestStopper>> running_;
  std::map<std::size_t, NamedLocks::Held> held_locks_;
  std::vector<std::thread> workers_;
  bool workers_quit_ = false;
  bool need_order_ = true;
  std::string scheduler_error_;
  std::chrono::steady_clock::time_point retry_locks_at_{};
  int interrupts_seen_ = 0;
  std::string run_log_;
  sdk::JobSummary summary_;
  std::chrono::steady_clock::time_point last_flush_{};
};

}  // namespace vt::core
