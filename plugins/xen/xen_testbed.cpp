#include "xen_testbed.h"

#include <cstdio>
#include <thread>

#include "saved_images.h"
#include "shell.h"
#include "vt/sdk/error.h"
#include "vt/sdk/files.h"
#include "xl_config.h"

namespace vt::xen {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;
using std::chrono::seconds;

// The guest console's lines as dom0's xenconsoled logs them, appended to the host's console.log;
// also the sink that swallows the guardian's heartbeat.
class ConsoleFile final : public sdk::OutputSink {
 public:
  explicit ConsoleFile(const fs::path& path) {
    if (!path.empty()) file_ = std::fopen(path.c_str(), "ab");
  }
  ~ConsoleFile() override {
    if (file_ != nullptr) std::fclose(file_);
  }
  void on_output(sdk::Stream, std::string_view bytes) override {
    std::lock_guard lock(mutex_);
    if (file_ == nullptr) return;
    std::fwrite(bytes.data(), 1, bytes.size(), file_);
    std::fflush(file_);
  }

 private:
  std::mutex mutex_;
  std::FILE* file_ = nullptr;
};

namespace {

ConsoleFile& discard() {
  static ConsoleFile sink{fs::path()};
  return sink;
}

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

std::string trimmed(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ')) s.pop_back();
  return s;
}

}  // namespace

XenTestbed::XenTestbed(sdk::Host& host, const sdk::TestbedSpec& spec)
    : host_(host), spec_(spec), options_(parse_xen_options(spec)) {}

XenTestbed::~XenTestbed() {
  close();
}

sdk::Capabilities XenTestbed::capabilities() const {
  return {sdk::cap::revert,          sdk::cap::revert_full_system, sdk::cap::isolation_machine,
          sdk::cap::root_on_testbed, sdk::cap::parallel_safe,      sdk::cap::console};
}

std::string XenTestbed::identity() const {
  return "xen:" + guest_key(options_);
}

std::string XenTestbed::open() {
  close();
  std::error_code ec;
  if (!fs::is_regular_file(options_.dom0.key, ec))
    throw sdk::ConfigError("param 'xen_ssh_key' = '" + options_.dom0.key.string() +
                           "': no such private key file");
  try {
    public_key_ = trimmed(sdk::read_file(options_.public_key()));
  } catch (const sdk::Error&) {
    throw sdk::ConfigError("param 'xen_ssh_key': its public key '" +
                           options_.public_key().string() +
                           "' is missing (the guest authorises it for the ssh channel)");
  }
  dom0_ = std::make_unique<Dom0>(host_, options_.dom0);
  files_ = {options_.state_dir,
            "vtrun-" + backend::random_hex().substr(0, 10) + "-" + spec_.machine,
            options_.disk_vdev};
  const std::string cleanup = cleanup_script(files_);
  // In the ledger before anything exists in dom0, so `vtrun gc` finds whatever a crash leaves.
  ledger_token_ = host_.ledger().record(
      {"xen-domain", files_.name, dom0_->standalone_argv(cleanup), std::nullopt});
  try {
    slot_ = std::stoi(dom0_->run_ok("taking a slot", take_slot_script(files_)));
    sdk::ExecRequest guard;
    guard.argv = dom0_->standalone_argv(guardian_script(cleanup));
    guardian_ = host_.spawn(guard, &discard());
    saved_key_ = guest_key(options_) + "-s" + std::to_string(slot_);
    console_ = std::make_unique<ConsoleFile>(spec_.log_dir.empty() ? fs::path()
                                                                   : spec_.log_dir / "console.log");
    sdk::ExecRequest tail;
    tail.argv = dom0_->standalone_argv("exec tail -n +1 -F /var/log/xen/console/guest-" +
                                       files_.name + ".log 2>/dev/null");
    console_tail_ = host_.spawn(tail, console_.get());
    start_guest();
    clean_scratch();
  } catch (...) {
    close();
    throw;
  }
  return options_.scratch;
}

void XenTestbed::start_guest(bool may_save) {
  const auto deadline = Clock::now() + options_.boot_timeout;
  auto left = [&] {
    return std::max(seconds(10), std::chrono::duration_cast<seconds>(deadline - Clock::now()));
  };
  SavedImage saved;
  const bool warm = options_.warm_start && SavedImages::of(host_).find(saved_key_, saved);
  GuestPlacement guest{files_.name, slot_, "", public_key_};
  if (!options_.disk_image.empty())
    guest.disk_path = trimmed(dom0_->run_ok(
        "making the copy-on-write disk",
        disk_up_script(files_, options_.disk_image, options_.cow_size, warm ? saved.disk : "")));
  const std::string cfg = render_xl_config(options_, guest);
  {
    const sdk::ExecResult r = dom0_->run(write_config_script(files_), seconds(60), cfg);
    if (r.exit_status == sdk::channel_failure || r.timed_out)
      throw sdk::InfrastructureError("xen: cannot reach " + dom0_->describe() + ": " +
                                     r.stderr_data);
    if (r.exit_status != 0)
      throw sdk::ConfigError("xen: `xl -N create` rejects the generated xl.cfg:\n" + cfg +
                             "xl says: " + trimmed(r.stderr_data));
  }
  auto step = [&](const std::string& what, Clock::time_point since) {
    char text[32];
    std::snprintf(text, sizeof text, "%.2f s", seconds_since(since));
    host_.log(sdk::LogLevel::debug, "xen", files_.name + ": " + what + " took " + text);
  };
  if (warm) {
    auto t = Clock::now();
    dom0_->run_ok("xl restore", restore_script(files_, saved.memory), left());
    step("xl restore", t);
    t = Clock::now();
    wait_for_ssh(left());
    step("ssh after the restore", t);
    return;
  }
  // xl create can fail once in a while under memory pressure although the domain runs
  // (xen-lab.md, pitfall 8): one retry from scratch
  auto t = Clock::now();
  for (int attempt = 1;; ++attempt) {
    try {
      dom0_->run_ok("xl create", create_script(files_), left());
      step("xl create", t);
      break;
    } catch (const sdk::InfrastructureError&) {
      if (attempt == 2) throw;
      dom0_->run(stop_script(files_), seconds(60));
      if (!guest.disk_path.empty())
        dom0_->run_ok("making the copy-on-write disk",
                      disk_up_script(files_, options_.disk_image, options_.cow_size, ""));
    }
  }
  t = Clock::now();
  wait_for_ssh(left());
  step("the boot until ssh answered", t);
  if (!options_.warm_start || !may_save) return;
  // Saved right after boot, before any test ran: what every later open and revert starts from.
  const std::string memory = options_.state_dir + "/save/" + saved_key_ + ".xl";
  const std::string disk = options_.state_dir + "/save/" + saved_key_ + ".cow";
  const auto remove = dom0_->standalone_argv(remove_files_script(memory, disk));
  const std::string token =
      host_.ledger().record({"xen-saved-image", memory, remove, std::nullopt});
  {
    std::lock_guard lock(mutex_);
    shell_.reset();
  }
  t = Clock::now();
  try {
    dom0_->run_ok("xl save", save_script(files_, memory, disk), left());
  } catch (const sdk::InfrastructureError& e) {
    // Seen about once in ten under load: "guest did not suspend, timed out" (the guest was
    // still busy after its boot). The test can still run, on a guest booted for it.
    host_.log(sdk::LogLevel::warn, "xen",
              files_.name + ": " + e.what() + "; booting it again without a saved image");
    dom0_->run(stop_script(files_), seconds(120));
    if (dom0_->run(remove_files_script(memory, disk), seconds(60)).exit_status == 0)
      host_.ledger().release(token);
    if (!options_.disk_image.empty())
      dom0_->run_ok("making the copy-on-write disk",
                    disk_up_script(files_, options_.disk_image, options_.cow_size, ""));
    dom0_->run_ok("xl create", create_script(files_), left());
    wait_for_ssh(left());
    return;
  }
  step("xl save", t);
  SavedImages::of(host_).publish(saved_key_, {memory, disk}, remove, token);
  start_guest(false);  // now warm
}

void XenTestbed::wait_for_ssh(seconds timeout) {
  if (guest_master_) guest_master_->kill_tree();
  guest_master_.reset();
  backend::SshTarget target{guest_address(options_, slot_), 22,         options_.dom0.key,
                            dom0_->proxy_command(),         "xen: ssh", ""};
  auto shell = std::make_shared<backend::SshShell>(host_, target, options_.scratch);
  const auto deadline = Clock::now() + timeout;
  std::string last;
  while (Clock::now() < deadline) {
    const auto r = shell->run("true", "", seconds(20));
    if (r.exit_status == 0) {
      // Every command then shares one connection: a handshake with the guest costs about a
      // second under TCG, twice what most commands take.
      // A fresh socket name per guest instance: a killed master leaves its socket behind, and
      // ssh complains on stderr about every stale one it tries.
      if (control_dir_.empty()) control_dir_ = host_.make_scratch_dir("xen-guest-ssh");
      target.control_path = (control_dir_ / ("g" + std::to_string(++masters_))).string();
      sdk::ExecRequest master;
      master.argv = backend::SshShell(host_, target, options_.scratch).master_argv();
      guest_master_ = host_.spawn(master, nullptr);
      bool up = false;
      for (int i = 0; i < 100 && !up; ++i) {
        up = fs::exists(target.control_path);
        if (!up && guest_master_->wait(std::chrono::milliseconds(100))) break;
      }
      if (!up) {  // commands connect on their own then
        guest_master_.reset();
        target.control_path.clear();
      }
      auto shared = std::make_shared<backend::SshShell>(host_, target, options_.scratch);
      std::lock_guard lock(mutex_);
      shell_ = shared;
      return;
    }
    last = trimmed(r.stderr_data);
    const auto alive = dom0_->run(alive_script(files_), seconds(30));
    if (alive.exit_status != 0 && alive.exit_status != sdk::channel_failure)
      throw sdk::InfrastructureError("xen: the guest '" + files_.name +
                                     "' is gone before ssh answered (see console.log)");
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
  }
  throw sdk::InfrastructureError("xen: the guest '" + files_.name + "' at " +
                                 guest_address(options_, slot_) + " gave no ssh within " +
                                 std::to_string(timeout.count()) + " s" +
                                 (last.empty() ? "" : " (last: " + last + ")"));
}

void XenTestbed::clean_scratch() {
  const auto r = shell("open")->run("rm -rf " + backend::shell_quote(options_.scratch) +
                                        " && mkdir -p " + backend::shell_quote(options_.scratch),
                                    "", seconds(60));
  if (r.exit_status != 0)
    throw sdk::InfrastructureError("xen: cannot make the scratch directory: " + r.stderr_data);
}

std::shared_ptr<backend::SshShell> XenTestbed::shell(const char* what) {
  std::lock_guard lock(mutex_);
  if (!shell_)
    throw sdk::InfrastructureError(std::string("xen: ") + what + ": the testbed '" + spec_.machine +
                                   "' is not open");
  return shell_;
}

std::string XenTestbed::revert() {
  if (!dom0_) throw sdk::InfrastructureError("xen: revert: the testbed is not open");
  {
    std::lock_guard lock(mutex_);
    shell_.reset();
  }
  try {
    dom0_->run_ok("destroying the guest", stop_script(files_));
    start_guest();
    clean_scratch();
  } catch (...) {
    close();
    throw;
  }
  return options_.scratch;
}

void XenTestbed::reboot() {
  throw sdk::UnavailableError(
      "xen: reboot is not supported (the backend has no 'reboot' capability)");
}

sdk::ExecResult XenTestbed::exec(const sdk::ExecRequest& request, sdk::OutputSink* sink) {
  std::shared_ptr<backend::SshShell> s;
  {
    std::lock_guard lock(mutex_);
    s = shell_;
  }
  if (!s) {
    sdk::ExecResult r;
    backend::fail_channel(r, "xen: the testbed '" + spec_.machine + "' is not open", sink);
    return r;
  }
  return s->exec(request, sink);
}

void XenTestbed::copy_in(const std::string& host_path, const std::string& testbed_path) {
  shell("copy_in")->copy_in(host_path, testbed_path);
}

void XenTestbed::copy_out(const std::string& testbed_path, const std::string& host_path) {
  shell("copy_out")->copy_out(testbed_path, host_path);
}

fs::path XenTestbed::console() const {
  return spec_.log_dir.empty() ? fs::path() : spec_.log_dir / "console.log";
}

std::vector<std::string> XenTestbed::shell_command() const {
  std::lock_guard lock(mutex_);
  return shell_ ? shell_->interactive_argv() : std::vector<std::string>{};
}

void XenTestbed::shutdown(seconds timeout) noexcept {
  if (dom0_ && slot_ >= 0) {
    try {
      dom0_->run(shutdown_script(files_), timeout);
    } catch (...) {
      // close() destroys it anyway
    }
  }
  close();
}

void XenTestbed::close() noexcept {
  {
    std::lock_guard lock(mutex_);
    shell_.reset();
  }
  if (!dom0_) return;
  bool clean = false;
  try {
    const auto r = dom0_->run(cleanup_script(files_), seconds(120));
    clean = r.exit_status == 0;
    if (!clean)
      host_.log(sdk::LogLevel::warn, "xen",
                "cleanup of " + files_.name + " in " + dom0_->describe() + " failed (exit " +
                    std::to_string(r.exit_status) + "): " + r.stderr_data +
                    "; its guardian and `vtrun gc` retry");
  } catch (const std::exception& e) {
    host_.log(sdk::LogLevel::warn, "xen", std::string("cleanup failed: ") + e.what());
  }
  if (guest_master_) guest_master_->kill_tree();
  guest_master_.reset();
  if (console_tail_) console_tail_->kill_tree();
  // the guardian runs the cleanup once more when its connection goes: harmless, idempotent
  if (guardian_) guardian_->kill_tree();
  console_tail_.reset();
  guardian_.reset();
  console_.reset();
  if (clean && !ledger_token_.empty()) host_.ledger().release(ledger_token_);
  ledger_token_.clear();
  dom0_.reset();
  slot_ = -1;
}

}  // namespace vt::xen
