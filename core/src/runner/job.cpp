// The job loop: asks the scheduler what to start, starts what the budget and the locks allow
// on persistent worker threads (testbeds they spawn live as long as the job), retries, records
// each result on disk as soon as it exists, handles interrupts, and ends with the summary
// files and the exit bitmask.
#include <algorithm>
#include <condition_variable>
#include <deque>
#include <iostream>
#include <map>
#include <mutex>
#include <thread>

#include "runner/job_document.h"
#include "runner/job_plan.h"
#include "runner/job_results.h"
#include "runner/job_run.h"
#include "runner/named_locks.h"
#include "runner/pvtest_run_log.h"
#include "runner/resource_budget.h"
#include "runner/test_execution.h"
#include "vt/core/atomic_file.h"
#include "vt/core/plan.h"
#include "vt/core/process.h"
#include "vt/sdk/error.h"

namespace vt::core {

namespace fs = std::filesystem;
using Clock = std::chrono::system_clock;

namespace {

void reap_strays(sdk::Host& host) {
  if (const int n = kill_stray_children(); n > 0)
    host.log(sdk::LogLevel::warn, "runner",
             "killed " + std::to_string(n) + " process(es) a test left running after it ended");
}

}  // namespace

void JobRun::record(std::size_t i, sdk::TestResult r) {
  reporters_.test_end(r);
  if (opts_.pvtest_compat)
    run_log_ += pvtest_attempt_lines(
        r, r.id + (r.attempts > 1 ? "." + std::to_string(r.attempts - 1) : ""), job_.path());
  else
    run_log_ += run_log_line(r);
  results_[i] = std::move(r);
  flush_summary(false);
}

void JobRun::log_attempt(const sdk::TestResult& r, int attempt) {
  std::lock_guard lock(mutex_);
  const std::string id = r.id + (attempt > 0 ? "." + std::to_string(attempt) : "");
  run_log_ += pvtest_attempt_lines(r, id, job_.path()) +
              pvtest_retry_line(r.id, attempt + 1, opts_.retries);
  flush_summary(false);
}

// Rewrites run.log and results.json with every result so far, so a crash loses at most the
// last half second. Rewriting after every test would make long plans quadratic.
void JobRun::flush_summary(bool force) {
  const auto now = std::chrono::steady_clock::now();
  if (!force && now - last_flush_ < std::chrono::milliseconds(500)) return;
  last_flush_ = now;
  summary_.tests = earlier_rounds_;
  for (std::size_t i : selected_)
    if (results_[i]) summary_.tests.push_back(*results_[i]);
  summary_.finished = Clock::now();
  summary_.exit_code = exit_code_for(summary_.tests, interrupt_requested());
  if (opts_.pvtest_compat) summary_.exit_code = pvtest_failed(summary_.tests) ? 1 : 0;
  try {
    write_file_atomic(job_.run_log(), run_log_);
    write_file_atomic(job_.results_json(), sdk::render_results_json(summary_));
  } catch (const std::exception& e) {
    host_.log(sdk::LogLevel::error, "runner", e.what());
  }
}

// A dependency that did not PASS makes its dependents SKIP instead of running.
std::string JobRun::unmet_dependency(std::size_t i) const {
  for (const auto& dep : plan_[i].depends) {
    auto it = index_of_.find(dep);
    if (it == index_of_.end()) return "dependency '" + dep + "' is not in the plan";
    const auto& r = results_[it->second];
    if (!r) return "dependency '" + dep + "' is not part of this job";
    if (r->status != sdk::Status::pass)
      return "dependency '" + dep + "' did not pass (" + std::string(sdk::to_string(r->status)) +
             (r->reason.empty() ? "" : ": " + r->reason) + ")";
  }
  return {};
}

// Asks the scheduler and starts what fits. Returns true when it changed anything.
bool JobRun::schedule() {
  std::vector<std::size_t> ready;
  for (std::size_t i : selected_) {
    if (started_now_[i]) continue;
    bool deps_done = true;
    for (const auto& dep : plan_[i].depends) {
      auto it = index_of_.find(dep);
      // A dependency outside the job never finishes: unmet_dependency() says why.
      if (it != index_of_.end() && in_job_[it->second] && !results_[it->second]) deps_done = false;
    }
    if (deps_done) ready.push_back(i);
  }
  if (ready.empty()) return false;
  const bool locks_due = std::chrono::steady_clock::now() >= retry_locks_at_;
  if (!need_order_ && !locks_due) return false;
  need_order_ = false;
  const auto picks = scheduler_->order(ready, budget_.free());
  bool changed = false;
  bool lock_busy = false;
  for (std::size_t i : picks) {
    if (i >= plan_.size() || started_now_[i] ||
        std::find(ready.begin(), ready.end(), i) == ready.end())
      continue;
    if (std::string why = unmet_dependency(i); !why.empty()) {
      started_now_[i] = true;
      record(i, not_run(plan_[i], sdk::Status::skip, why, round_));
      scheduler_->completed(i, sdk::Status::skip);
      changed = need_order_ = true;
      continue;
    }
    // No overtaking on the budget: a big test waits at the head until enough is free, so it
    // never starves behind small ones.
    if (!budget_.fits(infos_[i].cost)) break;
    std::optional<NamedLocks::Held> held;
    if (!plan_[i].locks.empty()) {
      std::string busy;
      held = locks_.try_acquire(plan_[i].locks, &busy);
      if (!held) {
        // Held by a running test here, or by another vtrun: others may go first.
        host_.log(sdk::LogLevel::debug, "runner",
                  "'" + plan_[i].id + "' waits for lock '" + busy + "'");
        lock_busy = true;
        continue;
      }
      held_locks_.emplace(i, std::move(*held));
    }
    if (budget_.exceeds_total(infos_[i].cost))
      host_.log(sdk::LogLevel::warn, "runner",
                "'" + plan_[i].id + "' needs more than the whole budget (" + budget_.describe() +
                    "): it runs alone");
    started_now_[i] = true;
    budget_.take(infos_[i].cost);
    running_.emplace(i, std::make_unique<TestStopper>());
    tasks_.push_back({i, round_});
    changed = true;
  }
  if (lock_busy)
    retry_locks_at_ = std::chrono::steady_clock::now() + std::chrono::seconds(1);
  else
    retry_locks_at_ = std::chrono::steady_clock::time_point::max();
  if (changed) cv_.notify_all();
  return changed;
}

void JobRun::handle_interrupts() {
  const int n = interrupt_count();
  if (n == interrupts_seen_) return;
  interrupts_seen_ = n;
  if (n == 1) {
    host_.log(sdk::LogLevel::warn, "runner",
              "interrupted: no more tests start; running tests get SIGTERM and clean up "
              "(interrupt again to kill them now)");
    for (auto& [i, stopper] : running_) stopper->stop_gently();
  } else {
    host_.log(sdk::LogLevel::warn, "runner", "interrupted again: killing the running tests");
    for (auto& [i, stopper] : running_) stopper->stop_now();
    kill_all_processes();
  }
}

// --loop: the round's results stay, the next round starts from scratch.
void JobRun::finish_round() {
  for (std::size_t i : selected_)
    if (results_[i]) earlier_rounds_.push_back(std::move(*results_[i]));
  results_.assign(plan_.size(), std::nullopt);
  started_now_.assign(plan_.size(), false);
  ++round_;
  round_started_ = std::chrono::steady_clock::now();
  need_order_ = true;
  host_.log(sdk::LogLevel::info, "runner", "--loop: round " + std::to_string(round_));
}

JobOutcome JobRun::run() {
  host_.attach_log_file(job_.debug_log());
  for (const auto& r : opts_.reporters)
    reporters_.add(r.name,
                   registry_.make_reporter(r.name, host_, {r.output, job_.path(), opts_.terminal}));
  sdk::SchedulerSpec spec{budget_.total().slots, seed_, opts_.scheduler_options};
  scheduler_ = registry_.make_scheduler(opts_.scheduler, host_, spec);

  for (const auto& t : plan_) infos_.push_back(test_info(t));
  for (std::size_t i = 0; i < plan_.size(); ++i) index_of_.emplace(plan_[i].id, i);
  selected_ = selected_indices(*scheduler_, infos_);
  in_job_.assign(plan_.size(), false);
  for (std::size_t i : selected_) in_job_[i] = true;
  std::vector<std::string> ids;
  for (std::size_t i : selected_) ids.push_back(plan_[i].id);

  write_file_atomic(
      job_.job_json(),
      job_document(opts_, seed_, job_, providers_, registry_, ids, nullptr).dump(2) + "\n");
  summary_.job = {job_.id(), job_.path(), opts_.command, opts_.backend, started_, ids.size()};
  reporters_.job_start(summary_.job);
  host_.log(sdk::LogLevel::info, "runner",
            "job " + job_.id() + ": " + std::to_string(ids.size()) + " tests on backend '" +
                opts_.backend + "', scheduler '" + opts_.scheduler + "', seed " +
                std::to_string(seed_) + ", budget " + budget_.describe());
  if (opts_.pvtest_compat)
    run_log_ = pvtest_log_line("DEBUG", "workspace=" + job_.path().string()) +
               pvtest_log_line("DEBUG", "run.log=" + job_.run_log().string());
  else
    run_log_ = "vtrun job " + job_.id() + " — backend " + opts_.backend + "\n";
  control_dir_ = host_.make_scratch_dir("control");
  results_.assign(plan_.size(), std::nullopt);
  started_now_.assign(plan_.size(), false);

  start_workers();
  std::unique_lock lock(mutex_);
  for (;;) {
    std::vector<std::size_t> done_now;
    done_now.swap(finished_);
    for (std::size_t i : done_now) {
      budget_.give_back(infos_[i].cost);
      held_locks_.erase(i);
      running_.erase(i);
      scheduler_->completed(i, results_[i]->status);
      need_order_ = true;
    }
    // With no test running, any child we did not start is an orphan a test left behind.
    if (!done_now.empty() && running_.empty()) reap_strays(host_);
    handle_interrupts();
    bool changed = false;
    if (!stop_requested() && scheduler_error_.empty()) {
      try {
        changed = schedule();
      } catch (const std::exception& e) {
        // The running tests finish; nothing else starts. The job fails, its results stay.
        scheduler_error_ = "scheduler '" + opts_.scheduler + "' failed: " + e.what();
        host_.log(sdk::LogLevel::error, "runner", scheduler_error_);
      }
    }
    if (running_.empty() && !changed) {
      const bool round_over = std::all_of(selected_.begin(), selected_.end(),
                                          [&](std::size_t i) { return results_[i].has_value(); });
      const bool locks_pending = retry_locks_at_ != std::chrono::steady_clock::time_point::max();
      if (stop_requested() || !scheduler_error_.empty()) break;
      if (!round_over && locks_pending) {
        // Everything left waits for a lock another vtrun holds: poll.
      } else if (opts_.loop && !selected_.empty() &&
                 std::chrono::steady_clock::now() - round_started_ < std::chrono::seconds(1)) {
        // A round of tests that all SKIP at once must not spin: a second per round at least.
        cv_.wait_for(lock, std::chrono::milliseconds(100));
        continue;
      } else if (opts_.loop && !selected_.empty()) {
        // Tests the scheduler never picked count as not scheduled in every round.
        for (std::size_t i : selected_)
          if (!results_[i])
            record(i, not_run(plan_[i], sdk::Status::skip,
                              "not scheduled (the scheduler did not pick it)", round_));
        finish_round();
        continue;
      } else {
        break;
      }
    }
    if (changed) continue;  // skipped tests may have unblocked others
    cv_.wait_for(lock, std::chrono::milliseconds(200), [&] { return !finished_.empty(); });
  }

  for (std::size_t i : selected_) {
    if (results_[i]) continue;
    if (interrupt_requested())
      record(i, not_run(plan_[i], sdk::Status::cancel, "job interrupted before the test started",
                        round_));
    else if (!scheduler_error_.empty())
      record(i, not_run(plan_[i], sdk::Status::cancel, "not started: " + scheduler_error_, round_));
    else if (opts_.loop && stop_requested())
      continue;  // the round was cut short on purpose
    else if (stop_requested())
      record(i,
             not_run(plan_[i], sdk::Status::cancel, "job stopped before the test started", round_));
    else
      record(i, not_run(plan_[i], sdk::Status::skip,
                        "not scheduled (the scheduler did not pick it, or its dependencies never "
                        "finished)",
                        round_));
  }
  if (opts_.pvtest_compat) run_log_ += pvtest_summary(run_log_);
  flush_summary(true);
  lock.unlock();
  pool_.close_all();
  // Ctrl-C or `vtrun stop` ends the hold of kept testbeds: the tests were over by then. The
  // workers stay until after it: what a testbed spawned dies with the thread that spawned it.
  const bool interrupted = interrupt_requested();
  if (!kept_.empty() && !interrupted) kept_.hold(std::cerr, &stop_requested);
  kept_.close_all();
  stop_workers();

  // A stopped --loop is its normal end; an interrupt is not.
  summary_.exit_code = exit_code_for(summary_.tests, interrupted);
  if (!scheduler_error_.empty()) {
    summary_.error = scheduler_error_;
    summary_.exit_code |= exit_bits::job_error;
  }
  // Pantavisor's runner: 1 when a test FAILED or was ABORTED, else 0 (an interrupted job
  // ABORTs its running tests; one that failed to schedule is FAILED as a whole).
  if (opts_.pvtest_compat)
    summary_.exit_code =
        pvtest_failed(summary_.tests) || interrupted || !scheduler_error_.empty() ? 1 : 0;
  write_file_atomic(job_.results_json(), sdk::render_results_json(summary_));
  write_file_atomic(
      job_.job_json(),
      job_document(opts_, seed_, job_, providers_, registry_, ids, &summary_).dump(2) + "\n");
  reporters_.job_end(summary_);
  return {job_.path(), summary_};
}

JobOutcome run_job(const std::vector<TestCase>& plan, const std::vector<Provider>& providers,
                   const RunOptions& options, const PluginRegistry& registry, CoreHost& host) {
  // Check every named plugin and lock before anything is created on disk.
  RunOptions opts = options;
  if (opts.scheduler.empty()) opts.scheduler = "parallel";
  if (opts.reporters.empty()) opts.reporters.push_back({"console", {}});
  registry.require(sdk::PluginKind::backend, opts.backend);
  registry.require(sdk::PluginKind::scheduler, opts.scheduler);
  for (const auto& r : opts.reporters) registry.require(sdk::PluginKind::reporter, r.name);
  for (const auto& t : plan)
    for (const auto& name : t.locks) {
      try {
        NamedLocks::check_name(name);
      } catch (const sdk::ConfigError& e) {
        throw sdk::ConfigError(t.source.string(), t.line, "test '" + t.id + "': " + e.what());
      }
    }
  check_dependency_cycles(plan);
  // --loop interleaves providers in the plan itself, so every scheduler's plan order is
  // round-robin (each provider's own order kept).
  std::vector<TestCase> interleaved;
  if (opts.loop) {
    std::vector<std::size_t> all(plan.size());
    for (std::size_t i = 0; i < plan.size(); ++i) all[i] = i;
    for (std::size_t i : round_robin_by_provider(plan, all)) interleaved.push_back(plan[i]);
  }
  JobRun job(opts.loop ? interleaved : plan, providers, opts, registry, host);
  set_loop_mode(opts.loop);
  JobOutcome outcome = job.run();
  set_loop_mode(false);
  return outcome;
}

}  // namespace vt::core
