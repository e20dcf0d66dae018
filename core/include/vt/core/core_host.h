// The core's implementation of sdk::Host: the services every plugin gets.
#pragma once

#include <filesystem>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "vt/sdk/host.h"

namespace vt::core {

/// Persists ledger entries as one JSON file each in a directory, so `vtrun gc` (or the next
/// run) can clean up after a crash: `{kind, name, cleanup, owner_pid, owner_start, created,
/// pid?, pid_start?}`, the start times as sweep_ledger reads them (ledger_sweep.h).
class FileLedger final : public sdk::ResourceLedger {
 public:
  explicit FileLedger(std::filesystem::path dir);
  std::string record(const sdk::LedgerEntry& entry) override;
  void release(const std::string& token) override;
  const std::filesystem::path& dir() const noexcept { return dir_; }

 private:
  std::filesystem::path dir_;
  std::mutex mutex_;
  unsigned next_ = 0;
};

class CoreHost final : public sdk::Host {
 public:
  /// `verbosity`: 0 warnings and errors on stderr, 1 info, 2 debug.
  CoreHost(std::filesystem::path ledger_dir, int verbosity);
  ~CoreHost() override;  // removes every scratch directory it made

  void log(sdk::LogLevel level, std::string_view component, std::string_view message) override;
  sdk::ExecResult run(const sdk::ExecRequest& request, sdk::OutputSink* sink) override;
  std::unique_ptr<sdk::Process> spawn(const sdk::ExecRequest& request,
                                      sdk::OutputSink* sink) override;
  std::filesystem::path make_scratch_dir(std::string_view purpose) override;
  sdk::ResourceLedger& ledger() override { return ledger_; }
  void at_shutdown(void (*callback)(void* context), void* context) override;

  /// Also writes every message (at debug level) to `file`, e.g. the job's debug.log.
  void attach_log_file(const std::filesystem::path& file);

  /// The default ledger directory: $XDG_STATE_HOME/vtrun/ledger (~/.local/state when unset).
  static std::filesystem::path default_ledger_dir();

 private:
  struct Logging;
  std::unique_ptr<Logging> logging_;
  FileLedger ledger_;
  std::mutex scratch_mutex_;
  std::vector<std::filesystem::path> scratch_dirs_;
  std::vector<std::pair<void (*)(void*), void*>> shutdown_callbacks_;
};

}  // namespace vt::core
