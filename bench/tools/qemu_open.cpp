// Times the qemu backend through the real loader: open → first command cold (with and without
// saving the state), open from the saved state, and revert. Prints one "name seconds" line each,
// the median of ROUNDS runs.
//   vt_bench_qemu_open PLUGIN_DIR [ROUNDS]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "vt/core/core_host.h"
#include "vt/core/plugin_registry.h"

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

namespace {

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

void first_command(vt::sdk::Testbed& tb) {
  vt::sdk::ExecRequest req;
  req.argv = {"true"};
  req.timeout = std::chrono::seconds(60);
  const auto r = tb.exec(req, nullptr);
  if (r.exit_status != 0)
    throw std::runtime_error("`true` exited " + std::to_string(r.exit_status));
}

void report(const char* name, std::vector<double> samples) {
  std::sort(samples.begin(), samples.end());
  std::printf("%-40s %.3f s (median of %zu; min %.3f, max %.3f)\n", name,
              samples[samples.size() / 2], samples.size(), samples.front(), samples.back());
  std::fflush(stdout);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s PLUGIN_DIR [ROUNDS]\n", argv[0]);
    return 2;
  }
  const int rounds = argc > 2 ? std::stoi(argv[2]) : 3;
  const fs::path work =
      fs::temp_directory_path() / ("vtrun-bench-qemu-" + std::to_string(getpid()));
  fs::create_directories(work / "log");
  vt::core::PluginRegistry registry;
  registry.load_directories({argv[1]});
  try {
    std::vector<double> cold_nosave, cold_save, restored, reverted, revert_only, command;
    for (int i = 0; i < rounds; ++i) {
      // A host per round: its saved states go with it, so each round starts cold.
      vt::core::CoreHost host(work / "ledger", 0);
      {
        auto tb =
            registry.make_testbed("qemu", host, {"vm1", {{"qemu_save_state", "no"}}, work / "log"});
        const auto t = Clock::now();
        tb->open();
        first_command(*tb);
        cold_nosave.push_back(seconds_since(t));
        tb->close();
      }
      auto tb = registry.make_testbed("qemu", host, {"vm1", {}, work / "log"});
      auto t = Clock::now();
      tb->open();
      first_command(*tb);
      cold_save.push_back(seconds_since(t));
      tb->close();
      t = Clock::now();
      tb->open();
      first_command(*tb);
      restored.push_back(seconds_since(t));
      t = Clock::now();
      tb->revert();
      first_command(*tb);
      reverted.push_back(seconds_since(t));
      t = Clock::now();
      tb->revert();
      revert_only.push_back(seconds_since(t));
      for (int k = 0; k < 5; ++k) {
        t = Clock::now();
        first_command(*tb);
        command.push_back(seconds_since(t));
      }
      tb->close();
    }
    report("open -> first command, cold", cold_nosave);
    report("open -> first command, cold + save state", cold_save);
    report("open -> first command, from saved state", restored);
    report("revert -> first command", reverted);
    report("revert (until the agent answers)", revert_only);
    report("exec `true` on an open testbed", command);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "vt_bench_qemu_open: %s\n", e.what());
    fs::remove_all(work);
    return 1;
  }
  fs::remove_all(work);
  return 0;
}
