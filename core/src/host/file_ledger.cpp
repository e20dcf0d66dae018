#include <unistd.h>

#include <nlohmann/json.hpp>

#include "vt/core/atomic_file.h"
#include "vt/core/core_host.h"

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
  if (entry.pid) doc["pid"] = *entry.pid;
  write_file_atomic(dir_ / (token + ".json"), doc.dump(2) + "\n");
  return token;
}

void FileLedger::release(const std::string& token) {
  std::error_code ec;
  fs::remove(dir_ / (token + ".json"), ec);
}

}  // namespace vt::core
