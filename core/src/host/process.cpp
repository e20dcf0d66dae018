#include "vt/core/process.h"

#include <condition_variable>
#include <mutex>
#include <thread>

#include "host/child_process.h"

namespace vt::core {

namespace {

using Clock = std::chrono::steady_clock;

// A spawned process whose output a thread of its own pumps until it exits.
class BackgroundProcess final : public sdk::Process {
 public:
  BackgroundProcess(const sdk::ExecRequest& request, sdk::OutputSink* sink)
      : child_(request, /*die_with_parent=*/true), sink_(sink), pid_(child_.pid()) {
    pump_ = std::thread([this] {
      const auto status = child_.pump(sink_, nullptr, std::nullopt);
      std::lock_guard lock(mutex_);
      status_ = status;
      done_ = true;
      cv_.notify_all();
    });
  }

  ~BackgroundProcess() override {
    kill_tree();
    if (pump_.joinable()) pump_.join();
  }

  int pid() const override { return pid_; }

  std::optional<int> wait(std::chrono::milliseconds timeout) override {
    std::unique_lock lock(mutex_);
    if (timeout.count() <= 0)
      cv_.wait(lock, [this] { return done_; });
    else if (!cv_.wait_for(lock, timeout, [this] { return done_; }))
      return std::nullopt;
    return status_;
  }

  void kill_tree() override {
    {
      // Once pump() returned, the command was reaped and what it left was killed with it;
      // scanning every process on the host again would only cost (most of a test's overhead).
      std::lock_guard lock(mutex_);
      if (done_) return;
    }
    // The pump thread owns the child; killing the tree makes its pump() return and reap.
    kill_process_tree(pid_, pid_, true);
    wait(std::chrono::milliseconds(0));
  }

 private:
  ChildProcess child_;
  sdk::OutputSink* sink_;
  const int pid_;
  std::thread pump_;
  std::mutex mutex_;
  std::condition_variable cv_;
  bool done_ = false;
  std::optional<int> status_;
};

}  // namespace

sdk::ExecResult run_process(const sdk::ExecRequest& request, sdk::OutputSink* sink) {
  ChildProcess child(request);
  sdk::ExecResult result;
  std::optional<Clock::time_point> deadline;
  if (request.timeout.count() > 0) deadline = Clock::now() + request.timeout;
  auto status = child.pump(sink, &result, deadline);
  if (!status) {
    result.timed_out = true;
    status = child.kill_and_reap(sink, &result);
  }
  result.exit_status = *status;
  return result;
}

std::unique_ptr<sdk::Process> spawn_process(const sdk::ExecRequest& request,
                                            sdk::OutputSink* sink) {
  return std::make_unique<BackgroundProcess>(request, sink);
}

}  // namespace vt::core
