#include <filesystem>

#include "dom0.h"
#include "dom0_scripts.h"
#include "vt/sdk/error.h"
#include "vt/sdk/files.h"
#include "vt/sdk/plugin_entry.h"
#include "xen_options.h"
#include "xen_testbed.h"

namespace vt::xen {
namespace {

namespace fs = std::filesystem;

std::unique_ptr<sdk::Testbed> make_xen(sdk::Host& host, const sdk::TestbedSpec& spec) {
  return std::make_unique<XenTestbed>(host, spec);
}

std::string first_lines(const std::string& text, int n) {
  std::string out;
  size_t pos = 0;
  for (int i = 0; i < n && pos < text.size(); ++i) {
    size_t end = text.find('\n', pos);
    if (end == std::string::npos) end = text.size();
    out += (out.empty() ? "" : "; ") + text.substr(pos, end - pos);
    pos = end + 1;
  }
  return out;
}

// Whether `xl` answers where the backend would run it: VTRUN_XEN_HOST's dom0, else here.
sdk::HostCheck xl_check(sdk::Host& host) {
  const std::string uri = env_or("VTRUN_XEN_HOST");
  sdk::HostCheck check{uri.empty() ? "xl (local dom0)" : "xl on " + uri, false, "", ""};
  Dom0Target target;
  try {
    target = parse_dom0_target(uri, env_or("VTRUN_XEN_SSH_KEY"));
  } catch (const sdk::Error& e) {
    check.found = e.what();
    check.remedy = "export VTRUN_XEN_HOST=ssh://root@DOM0[:PORT] VTRUN_XEN_SSH_KEY=KEYFILE";
    return check;
  }
  Dom0 dom0(host, target);
  sdk::ExecRequest req;
  req.argv = dom0.standalone_argv(probe_script());
  req.timeout = std::chrono::seconds(30);
  sdk::ExecResult r;
  try {
    r = host.run(req, nullptr);
  } catch (const std::exception& e) {
    check.found = e.what();
    return check;
  }
  if (r.exit_status == 0) {
    check.ok = r.stdout_data.find("missing ") == std::string::npos;
    check.found = first_lines(r.stdout_data, 6);
    if (!check.ok) check.remedy = "install dmsetup, mount (losetup) and util-linux (flock) in dom0";
    return check;
  }
  const std::string why = first_lines(r.stderr_data, 2);
  if (target.local) {
    check.found = r.exit_status == 127 || why.find("not found") != std::string::npos
                      ? "xl not found: this host is no dom0"
                      : "xl info fails here (" + why + "): no Xen hypervisor under this host";
    check.remedy =
        "point the backend at a dom0: export VTRUN_XEN_HOST=ssh://root@DOM0[:PORT] "
        "VTRUN_XEN_SSH_KEY=KEYFILE (or param xen_host / xen_ssh_key); for a lab under QEMU: "
        "vtrun image build xen-lab (docs/xen.md)";
  } else {
    check.found = (r.exit_status == sdk::channel_failure ? "ssh failed: " : "xl info fails: ") +
                  (why.empty() ? "exit " + std::to_string(r.exit_status) : why);
    check.remedy = "check that " + dom0.describe() + " runs sshd, authorises " +
                   target.key.string() + ".pub and runs Xen's toolstack";
  }
  return check;
}

std::vector<sdk::HostCheck> check_xen_host(sdk::Host& host) {
  std::vector<sdk::HostCheck> checks;
  std::error_code ec;
  const bool ssh = fs::exists("/usr/bin/ssh", ec);
  checks.push_back({"/usr/bin/ssh", ssh, ssh ? "present" : "missing",
                    ssh ? "" : "apt-get install openssh-client"});
  checks.push_back(xl_check(host));
  const fs::path lab = sdk::cache_dir() / "images" / "xen-lab" / "current";
  if (fs::exists(lab / "image.json", ec))
    checks.push_back(
        {"Xen lab image 'xen-lab'", true, "built in " + fs::canonical(lab, ec).string(), ""});
  else
    checks.push_back({"Xen lab image 'xen-lab'", true,
                      "not built (only needed without a dom0 of your own)", ""});
  return checks;
}

const sdk::Manifest* manifest() {
  static const sdk::Manifest m{
      "xen",
      "0.1.0",
      {{sdk::PluginKind::backend, "xen",
        "Xen guests made with xl in a dom0 (local or over ssh): device-mapper copy-on-write "
        "disks, warm starts from xl save images",
        &make_xen, nullptr, nullptr, &check_xen_host}}};
  return &m;
}

}  // namespace
}  // namespace vt::xen

VT_PLUGIN_ENTRY(vt::xen::manifest)
