// `vtrun check`, providers part: the tools fetching and verifying the providers of providers.d
// need on this host.
#include <algorithm>

#include "vt/core/process.h"
#include "vt/core/provider_fetch.h"
#include "vt/sdk/error.h"

namespace vt::core {

namespace {

sdk::HostCheck tool_check(const std::string& tool, const std::string& package,
                          const std::string& needed_by) {
  sdk::HostCheck check;
  check.what = tool + " (for " + needed_by + ")";
  sdk::ExecRequest request;
  request.argv = {tool, "--version"};
  request.timeout = std::chrono::seconds(20);
  try {
    const sdk::ExecResult r = run_process(request, nullptr);
    check.ok = r.exit_status == 0;
    check.found = r.stdout_data.substr(0, r.stdout_data.find('\n'));
    if (!check.ok) check.found = "'" + tool + " --version' failed: " + r.stderr_data;
  } catch (const sdk::Error&) {
    check.found = "not found in PATH";
  }
  if (!check.ok) check.remedy = "apt-get install " + package;
  return check;
}

std::string names(const std::vector<std::string>& list) {
  std::string out;
  for (const auto& n : list) out += (out.empty() ? "provider " : ", ") + n;
  return out;
}

}  // namespace

std::vector<sdk::HostCheck> provider_host_checks(const std::vector<Provider>& providers) {
  std::vector<std::string> git, signed_;
  for (const auto& p : providers) {
    if (p.uri.kind == UriKind::git) git.push_back(p.name);
    if (!p.pubkey.empty()) signed_.push_back(p.name);
  }
  std::vector<sdk::HostCheck> checks;
  if (!git.empty()) checks.push_back(tool_check("git", "git", names(git)));
  if (!signed_.empty()) checks.push_back(tool_check("gpg", "gnupg", names(signed_) + "'s pubkey"));
  return checks;
}

}  // namespace vt::core
