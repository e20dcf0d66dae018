// The backend interface: a testbed a test runs on, following autopkgtest's virt-server
// contract. One Testbed object is one machine (a VM, a container, the host).
//
// Threading: the core calls open/revert/reboot/close from one thread at a time, but `exec`,
// `copy_in` and `copy_out` may be called concurrently from several threads while open (a test
// and its helpers driving the machine at once) — implementations must allow that. `close` may
// be called while such calls are still running (a test timed out): it must make them return
// promptly, so nothing the test started outlives it.
// Errors: a broken testbed or channel throws InfrastructureError; a missing host facility throws
// UnavailableError; bad params throw ConfigError.
#pragma once

#include <chrono>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "vt/sdk/types.h"

namespace vt::sdk {

/// What the core asks a backend to make.
struct TestbedSpec {
  std::string machine;            ///< the machine's name in the test's params ("vm1", "host")
  Params params;                  ///< the test's params, object suffixes already resolved
  std::filesystem::path log_dir;  ///< host directory for console.log and backend logs
};

class Testbed {
 public:
  virtual ~Testbed();

  /// Capability names (see `cap::`). Valid before open().
  virtual Capabilities capabilities() const = 0;

  /// Two testbeds of one backend with the same non-empty identity are interchangeable: the
  /// core keeps an open testbed after a test and hands it to the next test whose params give
  /// the same identity, instead of opening a new one (Avocado-VT keeps a VM alive while its
  /// params do not change). Empty: never reused. Valid before open().
  virtual std::string identity() const = 0;

  /// Reserves and starts the testbed. Returns the scratch directory on the testbed, which
  /// stays the same path across revert() and is empty after open().
  virtual std::string open() = 0;

  /// Undoes every change since open() (requires `revert`). Returns the scratch directory.
  virtual std::string revert() = 0;

  /// Reboots without reverting (requires `reboot`); returns when commands work again.
  virtual void reboot() = 0;

  /// Runs a command on the testbed. Exit status 255 means the channel failed (the command's
  /// own 255 is reported as 254). Streams output to `sink` when given.
  virtual ExecResult exec(const ExecRequest& request, OutputSink* sink) = 0;

  /// Copies host → testbed. If `host_path` ends in '/', it is a directory and `testbed_path`
  /// must end in '/' too: the directory's contents are copied into it (created if needed).
  /// Otherwise both are files. Throws ConfigError when only one side ends in '/'.
  virtual void copy_in(const std::string& host_path, const std::string& testbed_path) = 0;

  /// Copies testbed → host with the same trailing-slash rule.
  virtual void copy_out(const std::string& testbed_path, const std::string& host_path) = 0;

  /// Path of a host file that holds the testbed's console log so far; empty if it has none.
  /// The file only grows while the testbed is open (the core copies each test's part).
  virtual std::filesystem::path console() const = 0;

  /// A host command giving an interactive shell on the open testbed (autopkgtest's
  /// `shell`), e.g. {"ssh", "-t", "-p", "2222", "root@127.0.0.1"}. Empty: there is none, and the
  /// core offers a line-by-line shell through exec(). Must not throw.
  virtual std::vector<std::string> shell_command() const = 0;

  /// Stops the testbed the gentle way (a guest power-off), waiting at most `timeout` for it,
  /// then as close(). Backends without a gentler way just close(). Must not throw.
  virtual void shutdown(std::chrono::seconds timeout) noexcept = 0;

  /// Stops the testbed and releases everything open() took. Idempotent; must not throw.
  virtual void close() noexcept = 0;
};

}  // namespace vt::sdk
