// The job loop: asks the scheduler what to start, runs tests on worker threads, records each
// result on disk as soon as it exists, and ends with the summary files and the exit bitmask.
#include <unistd.h>

#include <atomic>
#include <condition_variable>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>

#include "runner/reporter_fanout.h"
#include "runner/test_execution.h"
#include "vt/core/atomic_file.h"
#include "vt/core/job_dir.h"
#include "vt/core/process.h"
#include "vt/core/runner.h"
#include "vt/sdk/error.h"

namespace vt::core {

namespace fs = std::filesystem;
using Clock = std::chrono::system_clock;

namespace {

std::atomic<bool> interrupted{false};

sdk::TestInfo info_for(const TestCase& t) {
  return {t.id, t.provider, t.tags, t.priority, t.depends, t.params};
}

int exit_code_for(const std::vector<sdk::TestResult>& results, bool job_interrupted) {
  int code = job_interrupted ? exit_bits::interrupted : 0;
  for (const auto& r : results) {
    if (r.status == sdk::Status::fail || r.status == sdk::Status::error)
      code |= exit_bits::tests_failed;
    if (r.status == sdk::Status::interrupted) code |= exit_bits::interrupted;
  }
  return code;
}

std::string run_log_line(const sdk::TestResult& r) {
  char duration[32];
  std::snprintf(duration, sizeof duration, "%8.2f s", r.duration.count());
  std::string line = std::string(sdk::to_string(r.status));
  line.resize(12, ' ');
  return line + duration + "  " + r.id + (r.reason.empty() ? "" : "  (" + r.reason + ")") + "\n";
}

nlohmann::json job_document(const RunOptions& options, const JobDir& job,
                            const std::vector<Provider>& providers, const PluginRegistry& registry,
                            const sdk::JobSummary* summary) {
  nlohmann::json plugins = nlohmann::json::array();
  for (const auto& f : registry.factories())
    plugins.push_back({{"kind", sdk::to_string(f.kind)},
                       {"name", f.name},
                       {"plugin", f.plugin},
                       {"version", f.version},
                       {"path", f.path.string()}});
  nlohmann::json provs = nlohmann::json::array();
  for (const auto& p : providers)
    provs.push_back({{"name", p.name},
                     {"definition", p.definition.string()},
                     {"uri", p.uri.text},
                     {"kind", to_string(p.uri.kind)},
                     {"branch", p.branch},
                     {"ref", p.ref},
                     {"commit", nullptr}});
  char cwd[4096];
  nlohmann::json doc = {
      {"id", job.id()},
      {"vtrun_version", VTRUN_VERSION},
      {"command", options.command},
      {"cwd", getcwd(cwd, sizeof cwd) != nullptr ? cwd : ""},
      {"config",
       {{"backend", options.backend},
        {"scheduler", options.scheduler},
        {"jobs", options.jobs},
        {"default_timeout", options.default_timeout.count()},
        {"timeout_override",
         options.timeout_override ? nlohmann::json(options.timeout_override->count()) : nullptr},
        {"providers_dir", options.providers_dir.string()},
        {"results_dir", options.results_dir.string()}}},
      {"plugins", plugins},
      {"providers", provs}};
  if (summary != nullptr) {
    doc["exit_code"] = summary->exit_code;
    if (!summary->error.empty()) doc["error"] = summary->error;
  }
  return doc;
}

void reap_strays(sdk::Host& host) {
  if (const int n = kill_stray_children(); n > 0)
    host.log(sdk::LogLevel::warn, "runner",
             "killed " + std::to_string(n) + " process(es) a test left running after it ended");
}

// The result of a test that never ran.
sdk::TestResult not_run(const TestCase& t, sdk::Status status, std::string reason) {
  sdk::TestResult r;
  r.id = t.id;
  r.provider = t.provider;
  r.tags = t.tags;
  r.status = status;
  r.reason = std::move(reason);
  r.started = Clock::now();
  r.logdir = JobDir::test_logdir(t.id);
  return r;
}

}  // namespace

void request_interrupt() noexcept {
  interrupted.store(true);
}
bool interrupt_requested() noexcept {
  return interrupted.load();
}

JobOutcome run_job(const std::vector<TestCase>& plan, const std::vector<Provider>& providers,
                   const RunOptions& options, const PluginRegistry& registry, CoreHost& host) {
  // Check every named plugin before anything is created on disk.
  RunOptions opts = options;
  if (opts.scheduler.empty()) opts.scheduler = opts.jobs == 1 ? "sequential" : "parallel";
  if (opts.reporters.empty()) opts.reporters.push_back({"console", {}});
  registry.require(sdk::PluginKind::backend, opts.backend);
  registry.require(sdk::PluginKind::scheduler, opts.scheduler);
  for (const auto& r : opts.reporters) registry.require(sdk::PluginKind::reporter, r.name);

  const auto started = Clock::now();
  const JobDir job = JobDir::create(opts.results_dir, started);
  host.attach_log_file(job.debug_log());

  ReporterFanout reporters(host);
  for (const auto& r : opts.reporters)
    reporters.add(r.name,
                  registry.make_reporter(r.name, host, {r.output, job.path(), opts.terminal}));
  auto scheduler = registry.make_scheduler(
      opts.scheduler, host,
      {opts.jobs, static_cast<std::uint64_t>(started.time_since_epoch().count())});

  write_file_atomic(job.job_json(),
                    job_document(opts, job, providers, registry, nullptr).dump(2) + "\n");

  std::vector<sdk::TestInfo> infos;
  for (const auto& t : plan) infos.push_back(info_for(t));
  sdk::JobSummary summary;
  summary.job = {job.id(), job.path(), opts.command, opts.backend, started, plan.size()};
  reporters.job_start(summary.job);
  host.log(sdk::LogLevel::info, "runner",
           "job " + job.id() + ": " + std::to_string(plan.size()) + " tests on backend '" +
               opts.backend + "', scheduler '" + opts.scheduler + "'");

  std::vector<std::optional<sdk::TestResult>> results(plan.size());
  std::map<std::string, std::size_t> index_of;
  for (std::size_t i = 0; i < plan.size(); ++i) index_of.emplace(plan[i].id, i);
  std::string run_log = "vtrun job " + job.id() + " — backend " + opts.backend + "\n";
  const fs::path control_dir = host.make_scratch_dir("control");

  std::mutex mutex;
  std::condition_variable cv;
  std::vector<std::size_t> finished;  // indices completed but not yet told to the scheduler
  std::map<std::size_t, std::thread> workers;

  // Rewrites run.log and results.json with every result so far, so a crash loses at most the
  // last half second. Rewriting after every test would make long plans quadratic.
  auto last_flush = std::chrono::steady_clock::time_point{};
  auto flush_summary = [&](bool force) {
    const auto now = std::chrono::steady_clock::now();
    if (!force && now - last_flush < std::chrono::milliseconds(500)) return;
    last_flush = now;
    summary.tests.clear();
    for (const auto& res : results)
      if (res) summary.tests.push_back(*res);
    summary.finished = Clock::now();
    summary.exit_code = exit_code_for(summary.tests, interrupt_requested());
    try {
      write_file_atomic(job.run_log(), run_log);
      write_file_atomic(job.results_json(), sdk::render_results_json(summary));
    } catch (const std::exception& e) {
      host.log(sdk::LogLevel::error, "runner", e.what());
    }
  };
  auto record = [&](std::size_t i, sdk::TestResult r) {
    reporters.test_end(r);
    run_log += run_log_line(r);
    results[i] = std::move(r);
    flush_summary(false);
  };

  // A dependency that did not PASS makes its dependents SKIP instead of running.
  auto unmet_dependency = [&](std::size_t i) -> std::string {
    for (const auto& dep : plan[i].depends) {
      auto it = index_of.find(dep);
      if (it == index_of.end()) return "dependency '" + dep + "' is not in the plan";
      const auto& r = results[it->second];
      if (!r) return "dependency '" + dep + "' has not run";
      if (r->status != sdk::Status::pass)
        return "dependency '" + dep + "' did not pass (" + std::string(sdk::to_string(r->status)) +
               ")";
    }
    return {};
  };

  const unsigned slots = std::max(1u, scheduler->slots());
  scheduler->begin(infos);
  std::size_t running = 0;
  bool interrupt_handled = false;
  // The lock guards results, `finished` and the summary; it is released only to wait and join.
  std::unique_lock lock(mutex);
  for (;;) {
    std::vector<std::size_t> done_now;
    done_now.swap(finished);
    if (!done_now.empty()) {
      lock.unlock();
      for (std::size_t i : done_now) workers[i].join();
      lock.lock();
      for (std::size_t i : done_now) {
        workers.erase(i);
        --running;
        scheduler->completed(i, results[i]->status);
      }
      // With no test running, any child we did not start is an orphan a test left behind.
      if (running == 0) reap_strays(host);
    }
    if (interrupt_requested() && !interrupt_handled) {
      interrupt_handled = true;
      host.log(sdk::LogLevel::warn, "runner", "interrupted: stopping running tests");
      kill_all_processes();
    }
    bool started_any = false;
    if (!interrupt_requested() && running < slots) {
      for (std::size_t i : scheduler->next(slots - running)) {
        if (i >= plan.size() || results[i] || workers.count(i)) continue;
        started_any = true;
        if (std::string why = unmet_dependency(i); !why.empty()) {
          record(i, not_run(plan[i], sdk::Status::skip, why));
          scheduler->completed(i, sdk::Status::skip);
          continue;
        }
        ++running;
        const fs::path socket = control_dir / (std::to_string(i) + ".sock");
        workers.emplace(i, std::thread([&, i, socket] {
                          TestContext ctx{plan[i], infos[i],  opts, registry,
                                          host,    reporters, job,  socket};
                          sdk::TestResult r = execute_test(ctx);
                          std::lock_guard worker_lock(mutex);
                          record(i, std::move(r));
                          finished.push_back(i);
                          cv.notify_all();
                        }));
      }
    }
    if (running == 0 && !started_any) break;
    if (started_any) continue;  // skipped tests may have unblocked others
    cv.wait_for(lock, std::chrono::milliseconds(200), [&] { return !finished.empty(); });
  }

  for (std::size_t i = 0; i < plan.size(); ++i) {
    if (results[i]) continue;
    if (interrupt_requested())
      record(i, not_run(plan[i], sdk::Status::cancel, "job interrupted before the test started"));
    else
      record(i, not_run(plan[i], sdk::Status::skip,
                        "not scheduled (its dependencies never finished: a dependency cycle?)"));
  }
  flush_summary(true);
  lock.unlock();

  write_file_atomic(job.job_json(),
                    job_document(opts, job, providers, registry, &summary).dump(2) + "\n");
  reporters.job_end(summary);
  return {job.path(), summary};
}

}  // namespace vt::core
