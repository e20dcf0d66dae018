#include "container_engine.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <filesystem>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>

#include "text.h"
#include "vt/sdk/error.h"
#include "vt/sdk/files.h"

namespace vt::appengine {

namespace fs = std::filesystem;

namespace {

// Whether `argv` answers `info`: the CLI exists and reaches its daemon (or, for podman, works).
bool answers(sdk::Host& host, std::vector<std::string> argv, std::string* why) {
  argv.insert(argv.end(), {"info", "--format", "{{.ServerVersion}}"});
  if (argv[0] == "podman" || fs::path(argv[0]).filename() == "podman")
    argv.back() = "{{.Version.Version}}";
  try {
    const auto r = host.run({argv, {}, "", "", std::chrono::seconds(20), false}, nullptr);
    if (r.exit_status == 0) return true;
    *why = last_line(r.stderr_data.empty() ? r.stdout_data : r.stderr_data);
  } catch (const std::exception& e) {
    *why = e.what();
  }
  return false;
}

// Content key of a file without reading it: loading an image per test would cost seconds.
std::string file_key(const fs::path& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0)
    throw sdk::UnavailableError("appengine image tarball '" + path.string() +
                                "' does not exist — build it, or set appengine_image to an "
                                "image name the engine has");
  return fs::absolute(path).string() + ":" + std::to_string(st.st_size) + ":" +
         std::to_string(st.st_mtim.tv_sec) + "." + std::to_string(st.st_mtim.tv_nsec);
}

}  // namespace

ContainerEngine::ContainerEngine(sdk::Host& host, const std::string& spec) : host_(host) {
  std::vector<std::string> argv = words(spec);
  if (argv.empty() || argv[0] == "auto") {
    std::string tried;
    for (const char* candidate : {"docker", "podman"}) {
      std::vector<std::string> cand{candidate};
      cand.insert(cand.end(), argv.empty() ? argv.end() : argv.begin() + 1, argv.end());
      std::string why;
      if (answers(host, cand, &why)) {
        command_ = cand;
        break;
      }
      tried += std::string(tried.empty() ? "" : "; ") + candidate + ": " + why;
    }
    if (command_.empty())
      throw sdk::UnavailableError(
          "appengine: no container engine answers (" + tried +
          ") — start dockerd (or install podman), or name one with appengine_engine");
  } else {
    std::string why;
    if (!answers(host, argv, &why))
      throw sdk::UnavailableError("appengine: container engine '" + spec + "' does not answer: " +
                                  why + " — start its daemon, or choose another appengine_engine");
    command_ = argv;
  }
  name_ = fs::path(command_[0]).filename() == "podman" ? "podman" : "docker";
}

sdk::ExecResult ContainerEngine::run(const std::vector<std::string>& args,
                                     std::chrono::seconds timeout,
                                     const std::string& stdin_data) const {
  std::vector<std::string> argv = command_;
  argv.insert(argv.end(), args.begin(), args.end());
  return host_.run({argv, {}, "", stdin_data, timeout, false}, nullptr);
}

std::string ContainerEngine::check(const std::vector<std::string>& args, const std::string& what,
                                   std::chrono::seconds timeout) const {
  const auto r = run(args, timeout);
  if (r.exit_status != 0)
    throw sdk::InfrastructureError(
        "appengine: cannot " + what + ": " + name_ + " " + (args.empty() ? "" : args[0]) +
        (r.timed_out ? " timed out after " + std::to_string(timeout.count()) + " s"
                     : " exited " + std::to_string(r.exit_status)) +
        (r.stderr_data.empty() ? "" : ": " + last_line(r.stderr_data)));
  return r.stdout_data;
}

sdk::ExecResult ContainerEngine::shell(const std::string& container, const std::string& script,
                                       const std::vector<std::string>& env,
                                       std::chrono::seconds timeout) const {
  std::vector<std::string> args{"exec"};
  for (const std::string& pair : env) args.insert(args.end(), {"-e", pair});
  args.insert(args.end(), {container, "sh", "-c", script});
  return run(args, timeout);
}

std::string ContainerEngine::ensure_image(const std::string& image) const {
  const fs::path path(image);
  std::error_code ec;
  const bool is_file = image.find('/') != std::string::npos && fs::exists(path, ec);
  if (!is_file) {
    if (run({"image", "inspect", "--format", "{{.Id}}", image}).exit_status == 0) return image;
    throw sdk::UnavailableError(
        "appengine: the " + name_ + " engine has no image '" + image +
        "' — load the tester image (" + name_ +
        " load -i pantavisor-appengine-tester.tar), or build the stand-in with `vtrun image "
        "build appengine-standin`, or set appengine_image to an image or a tarball");
  }
  // A directory or a tarball with image.json beside it: a root file system to import.
  const fs::path dir = fs::is_directory(path, ec) ? path : path.parent_path();
  const fs::path manifest_path = dir / "image.json";
  if (fs::exists(manifest_path, ec)) {
    const auto manifest = nlohmann::json::parse(sdk::read_file(manifest_path), nullptr, false);
    if (!manifest.is_object() || !manifest.contains("import_as") || !manifest.contains("rootfs"))
      throw sdk::ConfigError(manifest_path.string(), 0,
                             "expected an object with \"import_as\" and \"rootfs\"");
    const std::string name = manifest["import_as"].get<std::string>();
    const fs::path rootfs = dir / manifest["rootfs"].get<std::string>();
    const std::string key = file_key(rootfs);
    const auto have = run(
        {"image", "inspect", "--format", "{{index .Config.Labels \"vtrun.imported-from\"}}", name});
    if (have.exit_status == 0 && trimmed(have.stdout_data) == key) return name;
    std::string entrypoint = "[]";
    if (manifest.contains("entrypoint")) entrypoint = manifest["entrypoint"].dump();
    check({"import", "--change", "ENTRYPOINT " + entrypoint, "--change",
           "LABEL vtrun.imported-from=" + key, rootfs.string(), name},
          "import '" + rootfs.string() + "' as '" + name + "'", std::chrono::seconds(600));
    host_.log(sdk::LogLevel::info, "appengine", "imported " + rootfs.string() + " as " + name);
    return name;
  }
  // A `docker save` tarball: loaded once per content and process.
  static std::mutex mutex;
  static std::map<std::string, std::string> loaded;
  std::lock_guard lock(mutex);
  const std::string key = file_key(path);
  if (auto it = loaded.find(key); it != loaded.end()) return it->second;
  const std::string out = check({"load", "-i", path.string()}, "load '" + path.string() + "'",
                                std::chrono::seconds(600));
  // "Loaded image: NAME" (docker), "Loaded image(s): NAME" (podman), or "Loaded image ID: …".
  const auto at = out.find(": ");
  if (out.rfind("Loaded image", 0) != 0 || at == std::string::npos)
    throw sdk::InfrastructureError("appengine: " + name_ + " load '" + path.string() + "' said '" +
                                   last_line(out) + "', not which image it loaded");
  std::string name = trimmed(out.substr(at + 2));
  if (const auto comma = name.find(','); comma != std::string::npos) name.resize(comma);
  loaded[key] = name;
  return name;
}

void ContainerEngine::ensure_network(const std::string& name,
                                     const std::filesystem::path& lock_file) const {
  if (name.empty() || name == "none" || name == "host" || name == "bridge") return;
  const int fd = ::open(lock_file.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0666);
  if (fd < 0)
    throw sdk::InfrastructureError("appengine: cannot open the lock '" + lock_file.string() +
                                   "': " + std::strerror(errno));
  struct Unlock {
    int fd;
    ~Unlock() { ::close(fd); }
  } unlock{fd};
  ::flock(fd, LOCK_EX);
  if (run({"network", "inspect", name}).exit_status == 0) return;
  const auto r = run({"network", "create", name});
  if (r.exit_status != 0 && run({"network", "inspect", name}).exit_status != 0)
    throw sdk::InfrastructureError("appengine: cannot create the network '" + name +
                                   "': " + last_line(r.stderr_data) +
                                   " — create it, or set appengine_network (none: no network)");
}

}  // namespace vt::appengine
