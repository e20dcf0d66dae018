// run_vtrun with extra environment variables: the ledger, cache and image directories of the
// maintenance commands (gc, image, check) point into the test's own temporary directory.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "vtrun_cli.h"

namespace vt::e2e {

/// As run_vtrun (but on the default backend), with `env` added to (and overriding) its environment.
/// An empty value hides a variable from vtrun (CLI11 and vtrun ignore empty ones).
inline sdk::ExecResult run_vtrun_env(const std::vector<std::string>& args, const fs::path& cwd,
                                     const std::map<std::string, std::string>& env,
                                     std::chrono::seconds timeout = std::chrono::seconds(120)) {
  sdk::ExecRequest req = vtrun_request(args, cwd, timeout);
  for (const auto& [k, v] : env) req.env[k] = v;
  return core::run_process(req, nullptr);
}

/// The lines of `text`, without their '\n'.
inline std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start < text.size()) {
    auto end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    out.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

}  // namespace vt::e2e
