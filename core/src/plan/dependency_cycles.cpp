// Dependency cycles are an error before anything runs: a cycle would otherwise leave its tests
// waiting for each other forever.
#include <map>

#include "vt/core/plan.h"
#include "vt/sdk/error.h"

namespace vt::core {

void check_dependency_cycles(const std::vector<TestCase>& plan) {
  std::map<std::string, std::size_t> index_of;
  for (std::size_t i = 0; i < plan.size(); ++i) index_of.emplace(plan[i].id, i);
  enum class Mark { none, on_path, done };
  std::vector<Mark> mark(plan.size(), Mark::none);
  // Iterative depth-first search: a plan may hold long chains.
  struct Frame {
    std::size_t test;
    std::size_t next_dep;
  };
  for (std::size_t root = 0; root < plan.size(); ++root) {
    if (mark[root] != Mark::none) continue;
    std::vector<Frame> path{{root, 0}};
    mark[root] = Mark::on_path;
    while (!path.empty()) {
      Frame& top = path.back();
      const auto& deps = plan[top.test].depends;
      if (top.next_dep == deps.size()) {
        mark[top.test] = Mark::done;
        path.pop_back();
        continue;
      }
      const auto it = index_of.find(deps[top.next_dep++]);
      if (it == index_of.end()) continue;
      const std::size_t dep = it->second;
      if (mark[dep] == Mark::on_path) {
        std::string cycle;
        bool in = false;
        for (const Frame& f : path) {
          in = in || f.test == dep;
          if (in) cycle += plan[f.test].id + " -> ";
        }
        cycle += plan[dep].id;
        const TestCase& first = plan[dep];
        throw sdk::ConfigError(first.source.string(), first.line,
                               "dependency cycle: " + cycle +
                                   " — a test cannot wait for itself; remove one `depends`");
      }
      if (mark[dep] == Mark::none) {
        mark[dep] = Mark::on_path;
        path.push_back({dep, 0});
      }
    }
  }
}

}  // namespace vt::core
