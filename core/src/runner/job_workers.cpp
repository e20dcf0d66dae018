// The job's worker threads: they live as long as the job, so what a testbed spawns for a test
// may outlive the test (a VM kept for the next one) but never the job.
#include "runner/job_results.h"
#include "runner/job_run.h"
#include "runner/test_execution.h"
#include "vt/sdk/types.h"

namespace vt::core {

namespace fs = std::filesystem;

namespace {

bool retryable(sdk::Status s, bool retry_errors) {
  return s == sdk::Status::fail ||
         (retry_errors && (s == sdk::Status::error || s == sdk::Status::interrupted));
}

// One job: the state the scheduling thread and the workers share, under one mutex.

}  // namespace

void JobRun::start_workers() {
  for (unsigned i = 0; i < budget_.total().slots; ++i)
    workers_.emplace_back([this] { worker_loop(); });
}

void JobRun::stop_workers() {
  if (workers_.empty()) return;
  {
    std::lock_guard lock(mutex_);
    workers_quit_ = true;
  }
  cv_.notify_all();
  for (auto& w : workers_) w.join();
  workers_.clear();
}

void JobRun::worker_loop() {
  std::unique_lock lock(mutex_);
  for (;;) {
    cv_.wait(lock, [this] { return workers_quit_ || !tasks_.empty(); });
    if (tasks_.empty()) return;
    const Task task = tasks_.front();
    tasks_.pop_front();
    lock.unlock();
    sdk::TestResult r = run_attempts(task);
    lock.lock();
    if (task.round == round_) {
      record(task.index, std::move(r));
      finished_.push_back(task.index);
    }
    cv_.notify_all();
  }
}

sdk::TestResult JobRun::run_attempts(const Task& task) {
  const std::size_t i = task.index;
  TestStopper* stopper = nullptr;
  {
    std::lock_guard lock(mutex_);
    stopper = running_.at(i).get();
  }
  reporters_.test_start(infos_[i]);
  const fs::path socket = control_dir_ / (std::to_string(i) + ".sock");
  std::string history;
  sdk::TestResult r;
  for (int attempt = 0;; ++attempt) {
    TestContext ctx{plan_[i],  infos_[i], opts_,
                    registry_, host_,     reporters_,
                    job_,      socket,    logdir_for(plan_[i].id, attempt, task.round),
                    pool_,     *stopper,  kept_};
    r = execute_test(ctx);
    r.attempts = attempt + 1;
    if (!retryable(r.status, opts_.retry_errors) || attempt >= opts_.retries || stop_requested())
      break;
    if (opts_.pvtest_compat) log_attempt(r, attempt);
    history += (history.empty() ? "" : ", ") + std::string(sdk::to_string(r.status)) +
               (r.reason.empty() ? "" : " (" + r.reason + ")");
    host_.log(sdk::LogLevel::info, "runner",
              "retrying '" + plan_[i].id + "': attempt " + std::to_string(attempt + 2) + " of " +
                  std::to_string(opts_.retries + 1) + " after " +
                  std::string(sdk::to_string(r.status)));
  }
  if (r.attempts > 1) {
    const std::string earlier = "earlier attempts: " + history;
    r.reason = r.status == sdk::Status::pass
                   ? "passed on attempt " + std::to_string(r.attempts) + " (flaky); " + earlier
                   : r.reason + "; " + earlier;
  }
  return r;
}

}  // namespace vt::core
