#include "runner/test_machines.h"

#include <fstream>

#include "runner/machine_params.h"
#include "runner/vm_lifecycle.h"
#include "vt/sdk/error.h"

namespace vt::core {

namespace fs = std::filesystem;

namespace {

std::uintmax_t size_of(const fs::path& file) {
  std::error_code ec;
  const auto size = file.empty() ? 0 : fs::file_size(file, ec);
  return ec ? 0 : size;
}

std::string join(const sdk::Capabilities& caps) {
  std::string out;
  for (const auto& c : caps) out += (out.empty() ? "" : ", ") + c;
  return out;
}

}  // namespace

TestMachines::TestMachines(const PluginRegistry& registry, CoreHost& host, TestbedPool& pool,
                           std::string backend, std::string test_id, Note note)
    : registry_(registry),
      host_(host),
      pool_(pool),
      backend_(std::move(backend)),
      test_id_(std::move(test_id)),
      note_(std::move(note)) {}

TestMachines::~TestMachines() {
  close_all();
}

void TestMachines::make(const sdk::Params& params, const fs::path& logdir) {
  for (const auto& name : machine_names(params)) {
    Machine m;
    m.name = name;
    m.params = object_params(params, name);
    try {
      m.testbed = registry_.make_testbed(backend_, host_, {name, m.params, logdir});
    } catch (const std::exception& e) {
      throw sdk::ConfigError("testbed '" + name + "': " + e.what());
    }
    m.identity = m.testbed->identity();
    machines_.push_back(std::move(m));
  }
}

std::string TestMachines::missing_capability(const std::vector<std::string>& required) const {
  for (const auto& m : machines_) {
    const sdk::Capabilities caps = m.testbed->capabilities();
    for (const auto& need : required)
      if (caps.count(need) == 0)
        return "backend '" + backend_ + "' lacks capability '" + need + "' (it has: " + join(caps) +
               ")";
  }
  return {};
}

void TestMachines::open_one(Machine& m) {
  m.scratch = m.testbed->open();
  m.opened = true;
  m.console = m.testbed->console();
  m.console_start = size_of(m.console);
  note_("OPEN " + m.name + " scratch " + m.scratch);
}

void TestMachines::open_all() {
  std::lock_guard lock(mutex_);
  for (auto& m : machines_) {
    const MachineStart rules = start_rules(m.params);
    auto idle = pool_.take(m.identity);
    if (idle && rules.restart) {
      note_("RESTART " + m.name + " (restart_vm = yes): not reusing the one " + idle->last_test +
            " left");
      idle->testbed->close();
      idle.reset();
    }
    if (idle && idle->needs_revert) {
      try {
        idle->scratch = idle->testbed->revert();
        note_("REVERT " + m.name + " (" + idle->last_test + " declared breaks_testbed)");
      } catch (const std::exception& e) {
        note_("revert of " + m.name + " failed (" + e.what() + "): starting a new one");
        idle->testbed->close();
        idle.reset();
      }
    }
    if (idle) {
      m.testbed = std::move(idle->testbed);  // the fresh object was never opened
      m.scratch = idle->scratch;
      m.opened = true;
      m.reused = true;
      m.console = m.testbed->console();
      m.console_start = size_of(m.console);
      note_("REUSE " + m.name + " (kept after " + idle->last_test + "; params unchanged)");
      continue;
    }
    if (!rules.start) {
      note_("NOT STARTED " + m.name + " (start_vm = no): starts on the test's first vtctl use");
      continue;
    }
    try {
      open_one(m);
    } catch (const std::exception& e) {
      throw sdk::InfrastructureError("opening testbed '" + m.name + "' failed: " + e.what());
    }
  }
}

void TestMachines::start(const std::string& name) {
  std::lock_guard lock(mutex_);
  for (auto& m : machines_)
    if (m.name == name && !m.opened) open_one(m);
}

std::string TestMachines::console_since_start(const Machine& m) const {
  if (m.console.empty()) return {};
  std::ifstream in(m.console, std::ios::binary);
  if (!in) return {};
  in.seekg(static_cast<std::streamoff>(m.console_start));
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void TestMachines::save_consoles(const fs::path& logdir) const {
  for (std::size_t i = 0; i < machines_.size(); ++i) {
    const Machine& m = machines_[i];
    if (!m.opened || m.console.empty() || m.console.parent_path() == logdir) continue;
    const fs::path to = logdir / (i == 0 ? "console.log" : "console-" + m.name + ".log");
    std::ofstream(to, std::ios::binary) << console_since_start(m);
  }
}

void TestMachines::release(bool test_failed, bool broken) {
  std::lock_guard lock(mutex_);
  for (auto& m : machines_) {
    if (!m.opened) continue;
    m.opened = false;
    const MachineStop rules = stop_rules(after_test_params(m.params, test_failed));
    const bool revertible = m.testbed->capabilities().count(sdk::cap::revert) > 0;
    if (!broken && !rules.kill && !m.identity.empty() && (!rules.breaks_testbed || revertible)) {
      note_("KEEP " + m.name + (rules.breaks_testbed ? " (reverted before its next use)" : "") +
            " for the next test with the same params");
      pool_.put({m.identity, std::move(m.testbed), m.scratch, test_id_, rules.breaks_testbed});
      continue;
    }
    if (rules.kill && rules.gracefully && !broken) {
      note_("SHUTDOWN " + m.name + " (kill_vm_gracefully, up to " +
            std::to_string(rules.timeout.count()) + " s)");
      m.testbed->shutdown(rules.timeout);
    } else {
      note_("CLOSE " + m.name);
      m.testbed->close();
    }
  }
}

void TestMachines::close_all() noexcept {
  // No lock: close() is thread-safe by the SDK contract and must interrupt running calls.
  for (auto& m : machines_)
    if (m.testbed) m.testbed->close();
}

std::vector<TestMachines::Machine> TestMachines::take_all() {
  std::lock_guard lock(mutex_);
  std::vector<Machine> out;
  out.swap(machines_);
  return out;
}

}  // namespace vt::core
