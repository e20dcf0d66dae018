// The Xen lab for the xen backend's tests: the image `vtrun image build xen-lab` made (a real
// Xen 4.17 hypervisor with a PV dom0, under QEMU TCG), booted once with its ssh forwarded to a
// free port on 127.0.0.1 and a key pair made for this run. The backend reaches it the way a
// user's dom0 is reached: VTRUN_XEN_HOST / VTRUN_XEN_SSH_KEY, set here for the process and its
// children. When the object goes, dom0 powers off (Xen then ends QEMU); QEMU is killed if it
// has not ended within a minute, and the key and logs go.
#pragma once

#include <signal.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "vt/core/process.h"
#include "vt/sdk/files.h"
#include "vt/sdk/types.h"

namespace vt::test_support {

class XenLab {
 public:
  /// The built lab, or empty when `vtrun image build xen-lab` has not run.
  static std::filesystem::path image_dir() {
    const auto dir = sdk::cache_dir() / "images" / "xen-lab" / "current";
    std::error_code ec;
    return std::filesystem::exists(dir / "boot.sh", ec) ? std::filesystem::canonical(dir, ec)
                                                        : std::filesystem::path();
  }

  /// Boots the lab and waits (at most `ready_within`) until `xl info` answers over ssh. Throws
  /// std::runtime_error with the end of the lab's serial log otherwise; nothing is left then.
  explicit XenLab(std::chrono::seconds ready_within = std::chrono::seconds(600)) {
    const auto image = image_dir();
    if (image.empty())
      throw std::runtime_error("the xen-lab image is not built: vtrun image build xen-lab");
    std::string pattern = "/tmp/vtxen.XXXXXX";
    if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    dir_ = pattern;
    try {
      key_ = dir_ / "id_ed25519";
      must(run({"ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", key_.string()}), "ssh-keygen");
      port_ = free_port();
      start(image);
      wait_ready(ready_within);
    } catch (...) {
      stop();
      throw;
    }
    ::setenv("VTRUN_XEN_HOST", host_uri().c_str(), 1);
    ::setenv("VTRUN_XEN_SSH_KEY", key_.c_str(), 1);
  }
  ~XenLab() { stop(); }
  XenLab(const XenLab&) = delete;
  XenLab& operator=(const XenLab&) = delete;

  std::string host_uri() const { return "ssh://root@127.0.0.1:" + std::to_string(port_); }
  const std::filesystem::path& key() const { return key_; }

  /// Runs `script` with dom0's sh, output collected.
  sdk::ExecResult dom0(const std::string& script,
                       std::chrono::seconds timeout = std::chrono::seconds(120)) const {
    return run(
        {"ssh", "-F", "/dev/null", "-p", std::to_string(port_), "-i", key_.string(), "-o",
         "BatchMode=yes", "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null",
         "-o", "LogLevel=ERROR", "-o", "ConnectTimeout=20", "root@127.0.0.1",
         "PATH=/usr/lib/xen-4.17/bin:/usr/sbin:/usr/bin:/sbin:/bin; " + script},
        timeout);
  }

  /// The end of the lab's serial log (Xen, dom0 and whatever dom0 printed), for messages.
  std::string log_tail(std::size_t bytes = 4000) const {
    std::ifstream in(dir_ / "serial.log", std::ios::binary);
    const std::string text{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
    return text.size() > bytes ? text.substr(text.size() - bytes) : text;
  }

  void stop() noexcept {
    if (pid_ > 0) {
      try {
        dom0("poweroff -f >/dev/null 2>&1 &", std::chrono::seconds(20));
      } catch (...) {
        // killed below
      }
      for (int i = 0; i < 600 && !reaped(); ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
      if (!reaped()) {
        ::kill(-pid_, SIGKILL);
        ::kill(pid_, SIGKILL);
        ::waitpid(pid_, nullptr, 0);
      }
      pid_ = 0;
    }
    if (!dir_.empty()) {
      std::error_code ec;
      std::filesystem::remove_all(dir_, ec);
      dir_.clear();
    }
  }

 private:
  static sdk::ExecResult run(const std::vector<std::string>& argv,
                             std::chrono::seconds timeout = std::chrono::seconds(60)) {
    sdk::ExecRequest request;
    request.argv = argv;
    request.timeout = timeout;
    return core::run_process(request, nullptr);
  }
  static void must(const sdk::ExecResult& r, const std::string& what) {
    if (r.exit_status != 0) throw std::runtime_error(what + " failed: " + r.stderr_data);
  }
  static int free_port() {
    const auto r = run({"python3", "-c",
                        "import socket; s=socket.socket(); s.bind(('127.0.0.1', 0)); "
                        "print(s.getsockname()[1])"});
    must(r, "finding a free port");
    return std::stoi(r.stdout_data);
  }

  void start(const std::filesystem::path& image) {
    const std::string boot = (image / "boot.sh").string();
    const std::string port = std::to_string(port_);
    const std::string pub = key_.string() + ".pub";
    const std::string log = (dir_ / "serial.log").string();
    pid_ = ::fork();
    if (pid_ < 0) throw std::runtime_error("fork failed");
    if (pid_ == 0) {
      ::setpgid(0, 0);
      ::prctl(PR_SET_PDEATHSIG, SIGKILL);
      ::execl("/bin/sh", "sh", boot.c_str(), "--port", port.c_str(), "--key", pub.c_str(), "--log",
              log.c_str(), static_cast<char*>(nullptr));
      ::_exit(127);
    }
  }

  bool reaped() {
    if (pid_ <= 0 || exited_) return true;
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) exited_ = true;
    return exited_;
  }

  void wait_ready(std::chrono::seconds within) {
    const auto deadline = std::chrono::steady_clock::now() + within;
    while (std::chrono::steady_clock::now() < deadline) {
      if (reaped())
        throw std::runtime_error("the Xen lab ended during boot; its log ends:\n" + log_tail());
      if (dom0("xl info >/dev/null", std::chrono::seconds(30)).exit_status == 0) return;
      std::this_thread::sleep_for(std::chrono::seconds(1));
    }
    throw std::runtime_error("the Xen lab gave no `xl info` over ssh within " +
                             std::to_string(within.count()) + " s; its log ends:\n" + log_tail());
  }

  std::filesystem::path dir_;
  std::filesystem::path key_;
  int port_ = 0;
  pid_t pid_ = 0;
  bool exited_ = false;
};

}  // namespace vt::test_support
