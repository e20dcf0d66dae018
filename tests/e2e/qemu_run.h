// Running vtrun on the qemu backend from a test, and looking for what it left behind.
#pragma once

#include <algorithm>
#include <string>
#include <vector>

#include "vtrun_cli.h"

namespace vt::e2e {

// vtrun on qemu with its own TMPDIR (VM runtime directories, sockets, saved states) and state
// directory (the ledger), so leftovers are this test's alone.
inline sdk::ExecRequest qemu_request(const fs::path& dir, std::vector<std::string> args) {
  fs::create_directories(dir / "tmp");
  args.insert(args.begin(), {"--backend", "qemu"});
  sdk::ExecRequest req = vtrun_request(args, dir, std::chrono::seconds(900));
  req.env["TMPDIR"] = (dir / "tmp").string();
  return req;
}

// Processes whose command line mentions `needle` (QEMU's mentions its runtime directory).
inline std::vector<std::string> processes_mentioning(const std::string& needle) {
  std::vector<std::string> found;
  for (const auto& e : fs::directory_iterator("/proc")) {
    const std::string pid = e.path().filename().string();
    if (pid.find_first_not_of("0123456789") != std::string::npos) continue;
    std::string cmdline;
    try {
      cmdline = sdk::read_file(e.path() / "cmdline");
    } catch (const std::exception&) {
      continue;
    }
    std::replace(cmdline.begin(), cmdline.end(), '\0', ' ');
    if (cmdline.find(needle) != std::string::npos &&
        cmdline.find("vtrun-e2e-") != std::string::npos &&
        cmdline.find("qemu-system") != std::string::npos)
      found.push_back(pid + ": " + cmdline.substr(0, 200));
  }
  return found;
}

// Files and directories under `dir`, but not dot files (the ledger's lock file stays).
inline std::vector<std::string> files_under(const fs::path& dir) {
  std::vector<std::string> out;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(dir, ec); !ec && it != fs::end(it);
       it.increment(ec))
    if (it->path().filename().string().rfind('.', 0) != 0) out.push_back(it->path().string());
  return out;
}

}  // namespace vt::e2e
