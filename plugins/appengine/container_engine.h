// The container engine a device runs in: docker or podman, driven through its CLI, which both
// share for everything the backend needs (run, exec, cp, rm, image inspect/load/import,
// network). The CLI honours the user's setup ($DOCKER_HOST, $CONTAINERS_CONF, contexts).
#pragma once

#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

#include "vt/sdk/host.h"

namespace vt::appengine {

class ContainerEngine {
 public:
  /// `spec` is appengine_engine: `auto` (docker if its daemon answers, else podman), `docker`,
  /// `podman`, or either's path, followed by global options (`podman --root /x`). Throws
  /// sdk::UnavailableError naming what was tried when no engine answers.
  ContainerEngine(sdk::Host& host, const std::string& spec);

  const std::string& name() const noexcept { return name_; }  ///< "docker" or "podman"
  /// The CLI and its global options: the start of every command line.
  const std::vector<std::string>& command() const noexcept { return command_; }

  /// `<engine> args…` (argv without the engine), collected. Throws sdk::Error only when it
  /// cannot start at all.
  sdk::ExecResult run(const std::vector<std::string>& args,
                      std::chrono::seconds timeout = std::chrono::seconds(120),
                      const std::string& stdin_data = {}) const;

  /// As run(), but a non-zero exit throws sdk::InfrastructureError with `what` and the
  /// engine's stderr. Returns stdout.
  std::string check(const std::vector<std::string>& args, const std::string& what,
                    std::chrono::seconds timeout = std::chrono::seconds(120)) const;

  /// `sh -c script` in the running `container`, with `env` added, collected.
  sdk::ExecResult shell(const std::string& container, const std::string& script,
                        const std::vector<std::string>& env = {},
                        std::chrono::seconds timeout = std::chrono::seconds(60)) const;

  /// Makes `image` usable and returns the name to run: a name the engine has is used as it
  /// is; a tarball is loaded (`docker save` format) or imported (a root file system with an
  /// image.json beside it giving `entrypoint` and `import_as`) once per content. Throws
  /// sdk::UnavailableError when the image is missing, with how to get it.
  std::string ensure_image(const std::string& image) const;

  /// Creates the bridge network `name` unless it exists. Concurrent runs take turns on the
  /// flock `lock_file`, as test.docker.sh does: docker creates two networks of one name when
  /// asked at once. "none", "host", "bridge" and "" are left alone.
  void ensure_network(const std::string& name, const std::filesystem::path& lock_file) const;

 private:
  sdk::Host& host_;
  std::string name_;
  std::vector<std::string> command_;
};

}  // namespace vt::appengine
