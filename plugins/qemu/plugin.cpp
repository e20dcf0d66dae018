#include <filesystem>

#include "accel.h"
#include "qemu_testbed.h"
#include "vt/sdk/files.h"
#include "vt/sdk/plugin_entry.h"

namespace vt::qemu {
namespace {

namespace fs = std::filesystem;

std::unique_ptr<sdk::Testbed> make_qemu(sdk::Host& host, const sdk::TestbedSpec& spec) {
  return std::make_unique<QemuTestbed>(host, spec);
}

sdk::HostCheck program_check(sdk::Host& host, const std::string& program,
                             const std::string& package) {
  sdk::HostCheck check{program, false, "not found",
                       "apt-get install " + package + " (or run scripts/install-deps.sh)"};
  try {
    sdk::ExecRequest req;
    req.argv = {program, "--version"};
    req.timeout = std::chrono::seconds(20);
    const sdk::ExecResult r = host.run(req, nullptr);
    if (r.exit_status == 0) {
      check.ok = true;
      check.found = r.stdout_data.substr(0, r.stdout_data.find('\n'));
      check.remedy.clear();
    } else {
      check.found = "exits " + std::to_string(r.exit_status);
    }
  } catch (const std::exception&) {
    // not installed: the defaults above say so
  }
  return check;
}

std::vector<sdk::HostCheck> check_qemu_host(sdk::Host& host) {
  std::vector<sdk::HostCheck> checks;
  checks.push_back(program_check(host, "qemu-system-x86_64", "qemu-system-x86"));
  checks.push_back(program_check(host, "qemu-img", "qemu-utils"));
  const AccelChoice& accel = choose_accel();
  checks.push_back({"acceleration", true, accel.accel + ": " + accel.reason, ""});

  std::error_code ec;
  const fs::path image = sdk::cache_dir() / "images" / "tiny" / "current";
  if (fs::exists(image / "image.json", ec))
    checks.push_back(
        {"guest image 'tiny'", true, "built in " + fs::canonical(image, ec).string(), ""});
  else
    checks.push_back({"guest image 'tiny'", false, "not built (looked in " + image.string() + ")",
                      "vtrun image build tiny"});

  // What `vtrun image build tiny` needs (images/tiny/build.sh), and the ssh channel's client.
  bool kernel = false;
  for (const auto& entry : fs::directory_iterator("/boot", ec))
    kernel = kernel || entry.path().filename().string().rfind("vmlinuz-", 0) == 0;
  checks.push_back({"guest kernel (/boot/vmlinuz-*)", kernel, kernel ? "present" : "missing",
                    kernel ? "" : "apt-get install linux-image-amd64"});
  for (const auto& [file, package] :
       {std::pair{"/bin/busybox", "busybox-static"},
        std::pair{"/usr/sbin/qemu-ga", "qemu-guest-agent"},
        std::pair{"/usr/bin/script", "bsdutils"}, std::pair{"/usr/sbin/dropbear", "dropbear-bin"},
        std::pair{"/usr/bin/ssh", "openssh-client"}}) {
    const bool present = fs::exists(file, ec);
    checks.push_back({file, present, present ? "present" : "missing",
                      present ? "" : std::string("apt-get install ") + package});
  }
  return checks;
}

const sdk::Manifest* manifest() {
  static const sdk::Manifest m{
      "qemu",
      "0.1.0",
      {{sdk::PluginKind::backend, "qemu",
        "QEMU virtual machines (KVM, else TCG) with qemu-guest-agent; fast revert from saved "
        "states",
        &make_qemu, nullptr, nullptr, &check_qemu_host}}};
  return &m;
}

}  // namespace
}  // namespace vt::qemu

VT_PLUGIN_ENTRY(vt::qemu::manifest)
