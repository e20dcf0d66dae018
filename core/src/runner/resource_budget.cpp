#include "runner/resource_budget.h"

#include <unistd.h>

#include <algorithm>
#include <fstream>

namespace vt::core {

namespace {

unsigned machine_cpus() {
  const long n = sysconf(_SC_NPROCESSORS_ONLN);
  return n > 0 ? static_cast<unsigned>(n) : 1;
}

std::uint64_t machine_mem_mib() {
  std::ifstream in("/proc/meminfo");
  std::string key;
  std::uint64_t kib = 0;
  while (in >> key >> kib) {
    if (key == "MemTotal:") return kib / 1024;
    in.ignore(256, '\n');
  }
  return 0;
}

}  // namespace

ResourceBudget::ResourceBudget(const RunOptions& options) {
  total_.slots = options.jobs != 0 ? options.jobs : machine_cpus();
  total_.cpus = options.max_cpus != 0 ? options.max_cpus : std::max(machine_cpus(), total_.slots);
  total_.mem_mib = options.max_mem_mib != 0 ? options.max_mem_mib : machine_mem_mib();
  if (total_.mem_mib == 0) total_.mem_mib = UINT64_MAX;  // no /proc/meminfo: not counted
}

sdk::FreeCapacity ResourceBudget::free() const noexcept {
  return {total_.slots - std::min(used_.slots, total_.slots),
          total_.cpus - std::min(used_.cpus, total_.cpus),
          total_.mem_mib - std::min(used_.mem_mib, total_.mem_mib)};
}

bool ResourceBudget::exceeds_total(const sdk::TestCost& cost) const noexcept {
  return cost.cpus > total_.cpus || cost.mem_mib > total_.mem_mib;
}

bool ResourceBudget::fits(const sdk::TestCost& cost) const noexcept {
  if (used_.slots >= total_.slots) return false;
  if (exceeds_total(cost)) return used_.slots == 0;
  const sdk::FreeCapacity f = free();
  return cost.cpus <= f.cpus && cost.mem_mib <= f.mem_mib;
}

void ResourceBudget::take(const sdk::TestCost& cost) noexcept {
  used_.slots += 1;
  used_.cpus += cost.cpus;
  used_.mem_mib += cost.mem_mib;
}

void ResourceBudget::give_back(const sdk::TestCost& cost) noexcept {
  used_.slots -= std::min(used_.slots, 1u);
  used_.cpus -= std::min(used_.cpus, cost.cpus);
  used_.mem_mib -= std::min(used_.mem_mib, cost.mem_mib);
}

std::string ResourceBudget::describe() const {
  return std::to_string(total_.slots) + " slots, " + std::to_string(total_.cpus) + " CPUs, " +
         (total_.mem_mib == UINT64_MAX ? std::string("unlimited")
                                       : std::to_string(total_.mem_mib) + " MiB") +
         " memory";
}

}  // namespace vt::core
