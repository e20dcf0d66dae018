// The Pantavisor runtime inside a device container, brought up and stopped as Pantavisor's
// in-container runner (`pvtest-run`, prior-art §1.5) does: stage the test's tarballs, trust
// keys and config; start the launcher; wait for the process, run the ready-script, wait for
// READY and the pvr endpoint; later power off, then TERM, then KILL.
#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <string>

#include "appengine_options.h"
#include "container_engine.h"
#include "vt/sdk/host.h"

namespace vt::appengine {

/// Appends to the device's console.log: the launcher's output and vtrun's own lines in
/// Pantavisor's log format (`[pvtest] <epoch> LEVEL -- [source]: message`). Thread-safe.
class ConsoleLog final : public sdk::OutputSink {
 public:
  explicit ConsoleLog(const std::filesystem::path& path);
  ~ConsoleLog() override;
  void on_output(sdk::Stream stream, std::string_view bytes) override;
  void line(const char* level, const std::string& message);
  const std::filesystem::path& path() const noexcept { return path_; }

 private:
  std::filesystem::path path_;
  std::mutex mutex_;
  std::FILE* file_ = nullptr;
};

class DeviceRuntime {
 public:
  /// All references outlive this object. `cancel` set (by close() on another thread) makes a
  /// waiting start() give up within a second.
  DeviceRuntime(sdk::Host& host, const ContainerEngine& engine, std::string container,
                const DeviceOptions& options, ConsoleLog& console, const std::atomic<bool>& cancel);
  ~DeviceRuntime();

  /// Prepares the container for the first boot. Throws sdk::InfrastructureError saying which
  /// step failed.
  void stage();
  /// Starts the launcher and waits until the device is READY. Throws
  /// sdk::InfrastructureError naming the probe that timed out and what it last saw.
  void start();
  /// Stops the runtime if it was started: poweroff, TERM, KILL, each with its time limit.
  /// `limit` caps the whole sequence (0: the options' limits). Never throws.
  void stop(std::chrono::seconds limit = std::chrono::seconds(0)) noexcept;

 private:
  void await(const Probe& probe);
  bool probe_passes(const Probe& probe, std::string* seen) const;
  void signal_runtime(const char* signal) const;

  sdk::Host& host_;
  const ContainerEngine& engine_;
  std::string container_;
  const DeviceOptions& options_;
  ConsoleLog& console_;
  const std::atomic<bool>& cancel_;
  std::unique_ptr<sdk::Process> launcher_;  // the engine's exec of the launcher
};

}  // namespace vt::appengine
