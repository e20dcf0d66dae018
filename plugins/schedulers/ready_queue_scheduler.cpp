#include "ready_queue_scheduler.h"

#include <map>
#include <string>

namespace vt::schedulers {

ReadyQueueScheduler::ReadyQueueScheduler(unsigned slots) : slots_(slots == 0 ? 1 : slots) {}

void ReadyQueueScheduler::begin(const std::vector<sdk::TestInfo>& plan) {
  std::map<std::string, std::size_t> index_of;
  for (std::size_t i = 0; i < plan.size(); ++i) index_of.emplace(plan[i].id, i);
  state_.assign(plan.size(), State::waiting);
  waits_for_.assign(plan.size(), {});
  for (std::size_t i = 0; i < plan.size(); ++i)
    for (const auto& dep : plan[i].depends)
      if (auto it = index_of.find(dep); it != index_of.end() && it->second != i)
        waits_for_[i].push_back(it->second);
}

std::vector<std::size_t> ReadyQueueScheduler::next(unsigned free_slots) {
  std::vector<std::size_t> picked;
  for (std::size_t i = 0; i < state_.size() && picked.size() < free_slots; ++i) {
    if (state_[i] != State::waiting) continue;
    bool ready = true;
    for (std::size_t dep : waits_for_[i]) ready = ready && state_[dep] == State::done;
    if (!ready) continue;
    state_[i] = State::running;
    picked.push_back(i);
  }
  return picked;
}

void ReadyQueueScheduler::completed(std::size_t index, sdk::Status) {
  if (index < state_.size()) state_[index] = State::done;
}

}  // namespace vt::schedulers
