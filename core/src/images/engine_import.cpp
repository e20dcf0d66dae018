// Loading a built container image into docker or podman (`vtrun image build appengine-standin`).
#include <sys/stat.h>

#include <nlohmann/json.hpp>
#include <sstream>

#include "vt/core/images.h"
#include "vt/sdk/files.h"

namespace vt::core {

namespace fs = std::filesystem;

namespace {

std::vector<std::string> words(const std::string& line) {
  std::vector<std::string> out;
  std::istringstream in(line);
  for (std::string word; in >> word;) out.push_back(word);
  return out;
}

std::string trimmed(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ')) s.pop_back();
  return s;
}

sdk::ExecResult run(sdk::Host& host, std::vector<std::string> argv,
                    const std::vector<std::string>& args, std::chrono::seconds timeout) {
  argv.insert(argv.end(), args.begin(), args.end());
  return host.run({argv, {}, "", "", timeout, false}, nullptr);
}

// The engine's command line: the first of docker and podman whose `info` works, for "auto".
std::vector<std::string> engine_command(const std::string& engine, sdk::Host& host) {
  std::vector<std::vector<std::string>> candidates;
  if (engine.empty() || engine == "auto")
    candidates = {{"docker"}, {"podman"}};
  else
    candidates = {words(engine)};
  std::string tried;
  for (const auto& argv : candidates) {
    try {
      const auto r = run(host, argv, {"info"}, std::chrono::seconds(20));
      if (r.exit_status == 0) return argv;
      const std::string err = trimmed(r.stderr_data);
      tried += (tried.empty() ? "" : "; ") + argv[0] + ": " + err.substr(err.rfind('\n') + 1);
    } catch (const std::exception& e) {
      tried += (tried.empty() ? "" : "; ") + argv[0] + ": " + e.what();
    }
  }
  throw sdk::UnavailableError("no container engine answers (" + tried +
                              ") — start dockerd or install podman, or name one with --engine");
}

}  // namespace

std::optional<std::string> import_into_engine(const fs::path& image_dir, const std::string& engine,
                                              sdk::Host& host) {
  const fs::path manifest_path = image_dir / "image.json";
  const auto manifest = nlohmann::json::parse(sdk::read_file(manifest_path), nullptr, false);
  if (!manifest.is_object() || !manifest.contains("import_as")) return std::nullopt;
  if (!manifest["import_as"].is_string() || !manifest.value("rootfs", nlohmann::json()).is_string())
    throw sdk::Error(manifest_path.string() +
                     ": expected \"import_as\" and \"rootfs\" to be strings");
  const std::string name = manifest["import_as"].get<std::string>();
  const fs::path rootfs = image_dir / manifest["rootfs"].get<std::string>();
  struct stat st {};
  if (::stat(rootfs.c_str(), &st) != 0)
    throw sdk::Error(manifest_path.string() + ": its rootfs '" + rootfs.string() +
                     "' does not exist — rebuild with `vtrun image build -f`");
  // The same key as the appengine backend's: path, size and mtime, no need to read 25 MB.
  const std::string key = fs::absolute(rootfs).string() + ":" + std::to_string(st.st_size) + ":" +
                          std::to_string(st.st_mtim.tv_sec) + "." +
                          std::to_string(st.st_mtim.tv_nsec);
  const std::vector<std::string> argv = engine_command(engine, host);
  const auto have = run(
      host, argv,
      {"image", "inspect", "--format", "{{index .Config.Labels \"vtrun.imported-from\"}}", name},
      std::chrono::seconds(60));
  if (have.exit_status == 0 && trimmed(have.stdout_data) == key) return name;
  const std::string entrypoint =
      manifest.contains("entrypoint") ? manifest["entrypoint"].dump() : std::string("[]");
  const auto r = run(host, argv,
                     {"import", "--change", "ENTRYPOINT " + entrypoint, "--change",
                      "LABEL vtrun.imported-from=" + key, rootfs.string(), name},
                     std::chrono::seconds(600));
  if (r.exit_status != 0)
    throw sdk::Error(argv[0] + " import of '" + rootfs.string() + "' as '" + name +
                     "' failed: " + trimmed(r.stderr_data));
  return name;
}

}  // namespace vt::core
