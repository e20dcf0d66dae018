// The schedulers plugin: one library, one factory per scheduler (docs/scheduling.md).
#include "external_scheduler.h"
#include "parallel_scheduler.h"
#include "priority_scheduler.h"
#include "sequential_scheduler.h"
#include "shard_scheduler.h"
#include "shuffle_scheduler.h"
#include "vt/sdk/plugin_entry.h"

namespace vt::schedulers {
namespace {

template <class S>
std::unique_ptr<sdk::Scheduler> make(sdk::Host&, const sdk::SchedulerSpec& spec) {
  return std::make_unique<S>(spec);
}

std::unique_ptr<sdk::Scheduler> make_external(sdk::Host& host, const sdk::SchedulerSpec& spec) {
  return std::make_unique<ExternalScheduler>(host, spec);
}

sdk::Factory scheduler(const char* name, const char* summary,
                       std::unique_ptr<sdk::Scheduler> (*make)(sdk::Host&,
                                                               const sdk::SchedulerSpec&)) {
  sdk::Factory factory;
  factory.kind = sdk::PluginKind::scheduler;
  factory.name = name;
  factory.summary = summary;
  factory.make_scheduler = make;
  return factory;
}

const sdk::Manifest* manifest() {
  static const sdk::Manifest m{
      "schedulers",
      "0.2.0",
      {scheduler("sequential", "one test at a time, in plan order", &make<SequentialScheduler>),
       scheduler("parallel", "every ready test in plan order, up to -j N at once",
                 &make<ParallelScheduler>),
       scheduler("priority", "higher priority first; slow tests only with --slow",
                 &make<PriorityScheduler>),
       scheduler("shuffle", "ready tests in an order fixed by --seed", &make<ShuffleScheduler>),
       scheduler("shard", "part i of N of the plan (--shard i/N), for CI matrices",
                 &make<ShardScheduler>),
       scheduler("external", "asks a program (--scheduler-option program=PATH)", &make_external)}};
  return &m;
}

}  // namespace
}  // namespace vt::schedulers

VT_PLUGIN_ENTRY(vt::schedulers::manifest)
