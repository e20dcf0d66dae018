// Helpers for end-to-end tests: run the built vtrun binary as a user would.
#pragma once

#include <filesystem>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "support/test_support.h"
#include "vt/core/process.h"
#include "vt/sdk/files.h"

namespace vt::e2e {

namespace fs = std::filesystem;

inline fs::path vtrun_binary() {
  return fs::path(VTRUN_BIN_DIR) / "vtrun";
}
inline fs::path example_providers() {
  return fs::path(VTRUN_SOURCE_DIR) / "examples/providers.d";
}

/// A fresh directory for one test, removed at the end.
class TempDir : public test_support::TempDir {
 public:
  TempDir() : test_support::TempDir("vtrun-e2e-") {}
};

/// The request that runs vtrun with `args` in `cwd`; plugins come from this build only, the
/// ledger goes under `cwd`.
inline sdk::ExecRequest vtrun_request(const std::vector<std::string>& args, const fs::path& cwd,
                                      std::chrono::seconds timeout) {
  sdk::ExecRequest req;
  req.argv = {vtrun_binary().string()};
  req.argv.insert(req.argv.end(), args.begin(), args.end());
  req.cwd = cwd.string();
  req.timeout = timeout;
  req.env = {{"VTRUN_PLUGIN_PATH", ""}, {"XDG_STATE_HOME", (cwd / "state").string()}};
  return req;
}

/// Runs vtrun with `args` in `cwd` on the `local` backend unless `args` choose another
/// (`-b qemu`): the default, qemu, boots VMs.
inline sdk::ExecResult run_vtrun(const std::vector<std::string>& args, const fs::path& cwd,
                                 std::chrono::seconds timeout = std::chrono::seconds(120)) {
  sdk::ExecRequest req = vtrun_request(args, cwd, timeout);
  req.env["VTRUN_BACKEND"] = "local";
  return core::run_process(req, nullptr);
}

/// The last non-empty line of `text`.
inline std::string last_line(const std::string& text) {
  auto end = text.find_last_not_of('\n');
  if (end == std::string::npos) return {};
  auto start = text.rfind('\n', end);
  return text.substr(start == std::string::npos ? 0 : start + 1,
                     end - (start == std::string::npos ? 0 : start + 1) + 1);
}

inline nlohmann::json read_json(const fs::path& p) {
  return nlohmann::json::parse(sdk::read_file(p));
}

/// status by test id from a results.json document.
inline std::map<std::string, std::string> statuses(const nlohmann::json& results) {
  std::map<std::string, std::string> out;
  for (const auto& t : results.at("tests")) out[t.at("id")] = t.at("status");
  return out;
}

/// Writes a provider with the given vtrun.toml into `root`, and its providers.d; returns
/// the providers.d directory.
inline fs::path make_provider(const fs::path& root, const std::string& vtrun_toml,
                              const std::map<std::string, std::string>& scripts = {}) {
  sdk::write_file_atomic(root / "provider/vtrun.toml", vtrun_toml);
  for (const auto& [name, body] : scripts) {
    sdk::write_file_atomic(root / "provider" / name, body);
    fs::permissions(root / "provider" / name, fs::perms::owner_all | fs::perms::group_read |
                                                  fs::perms::group_exec | fs::perms::others_read |
                                                  fs::perms::others_exec);
  }
  sdk::write_file_atomic(root / "providers.d/test.toml", "[provider]\nuri = \"../provider\"\n");
  return root / "providers.d";
}

// examples/expected-statuses.txt: a header "# test local qemu ..." names the columns.
inline std::map<std::string, std::string> expected_statuses_on(const std::string& backend) {
  std::istringstream in(
      sdk::read_file(fs::path(VTRUN_SOURCE_DIR) / "examples/expected-statuses.txt"));
  std::map<std::string, std::string> out;
  std::size_t column = 0;
  for (std::string line; std::getline(in, line);) {
    std::istringstream words(line);
    std::vector<std::string> w{std::istream_iterator<std::string>(words), {}};
    if (w.size() > 2 && w[0] == "#" && w[1] == "test") {
      for (std::size_t i = 2; i < w.size(); ++i)
        if (w[i] == backend) column = i - 1;
    } else if (!w.empty() && w[0][0] != '#' && column > 0 && column < w.size()) {
      out[w[0]] = w[column];
    }
  }
  return out;
}

}  // namespace vt::e2e
