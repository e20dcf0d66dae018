#include <unistd.h>

#include <nlohmann/json.hpp>

#include "vt/core/atomic_file.h"
#include "vt/core/core_host.h"
#include "vt/core/ledger_sweep.h"

namespace vt::core {

namespace fs = std::filesystem;

FileLedger::FileLedger(fs::path dir) : dir_(std::move(dir)) {}

std::string FileLedger::record(const sdk::LedgerEntry& entry) {
  std::string token;
  {
    std::lock_guard lock(mutex_);
    token = std::to_string(getpid()) + "-" + std::to_string(next_++);
  }
  nlohmann::json doc = {{"kind", entry.kind},
                        {"name", entry.name},
                        {"cleanup", entry.cleanup_argv},
                        {"owner_pid", getpid()},
                        {"created", std::time(nullptr)}};
  // With the start times a recycled pid is not taken for the owner (or the process) it was.
  const auto own_start = process_start_time(getpid());
  if (own_start) doc["owner_start"] = *own_start;
  if (entry.pid) {
    doc["pid"] = *entry.pid;
    if (const auto start = process_start_time(*entry.pid)) doc["pid_start"] = *start;
  }
  write_file_atomic(dir_ / (token + ".json"), doc.dump(2) + "\n");
  return token;
}

void FileLedger::release(const std::string& token) {
  std::error_code ec;
  fs::remove(dir_ / (token + ".json"), ec);
}

}  // namespace vt::core
