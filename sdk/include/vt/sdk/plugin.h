// The plugin manifest: what a plugin library offers. Every plugin library exports exactly one
// entry, `vt_plugin_v1` (see plugin_entry.h), which returns a PluginHeader.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "vt/sdk/host.h"
#include "vt/sdk/reporter.h"
#include "vt/sdk/scheduler.h"
#include "vt/sdk/testbed.h"

namespace vt::sdk {

enum class PluginKind { backend, reporter, scheduler };

/// "backend", "reporter", "scheduler".
const char* to_string(PluginKind kind) noexcept;

/// One finding of `vtrun check`: what was checked, whether this host passes, what was found,
/// and (when it does not pass) what to install or change.
struct HostCheck {
  std::string what;    ///< "qemu-system-x86_64", "KVM", "guest image 'tiny'"
  bool ok = false;     ///< false: tests on this backend cannot run, or run degraded
  std::string found;   ///< "QEMU 7.2.22", "present but unusable (PVM): TCG is used"
  std::string remedy;  ///< "apt-get install qemu-system-x86", empty when ok
};

/// One thing a plugin can create. Exactly the `make_*` member matching `kind` is set.
/// The functions may throw; the core re-throws with the plugin's name.
struct Factory {
  PluginKind kind = PluginKind::backend;
  std::string name;     ///< unique per kind across all loaded plugins ("qemu", "junit")
  std::string summary;  ///< one line for `vtrun plugins`
  std::unique_ptr<Testbed> (*make_testbed)(Host& host, const TestbedSpec& spec) = nullptr;
  std::unique_ptr<Reporter> (*make_reporter)(Host& host, const ReporterSpec& spec) = nullptr;
  std::unique_ptr<Scheduler> (*make_scheduler)(Host& host, const SchedulerSpec& spec) = nullptr;
  /// Backends, optional: what this host offers for them (`vtrun check`). Must not throw.
  std::vector<HostCheck> (*check_host)(Host& host) = nullptr;
};

struct Manifest {
  std::string name;     ///< the plugin's name ("local", "reporters")
  std::string version;  ///< the plugin's own version
  std::vector<Factory> factories;
};

/// Frozen layout (this is what "v1" in the entry name promises): the loader reads the ABI
/// version and fingerprint from here before it touches any C++ type, then calls `manifest`.
extern "C" struct PluginHeader {
  std::uint32_t header_size;      ///< sizeof(PluginHeader) as the plugin saw it
  std::uint32_t abi_version;      ///< vt::sdk::abi_version the plugin was built with
  const char* fingerprint;        ///< VT_SDK_BUILD_FINGERPRINT the plugin was built with
  const Manifest* (*manifest)();  ///< static manifest; called only after the checks pass
};

/// Type of the function `vt_plugin_v1` points to.
using PluginEntry = const PluginHeader* (*)();

/// Name of the exported entry.
inline constexpr const char* plugin_entry_name = "vt_plugin_v1";

}  // namespace vt::sdk
