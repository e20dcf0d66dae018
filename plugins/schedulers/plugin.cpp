#include <thread>

#include "ready_queue_scheduler.h"
#include "vt/sdk/plugin_entry.h"

namespace vt::schedulers {
namespace {

std::unique_ptr<sdk::Scheduler> make_sequential(sdk::Host&, const sdk::SchedulerSpec&) {
  return std::make_unique<ReadyQueueScheduler>(1);
}

std::unique_ptr<sdk::Scheduler> make_parallel(sdk::Host&, const sdk::SchedulerSpec& spec) {
  unsigned jobs = spec.jobs;
  if (jobs == 0) jobs = std::max(1u, std::thread::hardware_concurrency());
  return std::make_unique<ReadyQueueScheduler>(jobs);
}

const sdk::Manifest* manifest() {
  static const sdk::Manifest m{
      "schedulers",
      "0.1.0",
      {{sdk::PluginKind::scheduler, "sequential", "one test at a time, in plan order", nullptr,
        nullptr, &make_sequential},
       {sdk::PluginKind::scheduler, "parallel", "up to -j N tests at once, in plan order", nullptr,
        nullptr, &make_parallel}}};
  return &m;
}

}  // namespace
}  // namespace vt::schedulers

VT_PLUGIN_ENTRY(vt::schedulers::manifest)
