#include "device_runtime.h"

#include <cstdio>
#include <ctime>
#include <thread>

#include "text.h"
#include "vt/sdk/error.h"

namespace vt::appengine {

namespace {

using std::chrono::seconds;
using Clock = std::chrono::steady_clock;

// pvtest-run's initial_setup, for any image: loop device nodes (the container has
// loop-control but no devtmpfs, so LOOP_CTL_GET_FREE may name a node that does not exist), the
// storage mount, the config, the trust keys, the staged tarballs. Paths are relative to the
// test's directory, as in test.json.
constexpr const char* stage_script = R"(set -u
i=0
while [ $i -lt 1024 ]; do
  [ -e /dev/loop$i ] || mknod /dev/loop$i b 7 $i 2>/dev/null || break
  i=$((i + 1))
done
awk -v d=/var/pantavisor/storage '$2 == d { f = 1 } END { exit !f }' /proc/mounts ||
  { echo "/var/pantavisor/storage is not a mountpoint" >&2; exit 1; }
if [ -n "$VT_WORKDIR" ]; then cd "$VT_WORKDIR" || exit 1; fi
if [ -n "$VT_CONFIG" ]; then
  cp "$VT_CONFIG" /etc/pantavisor-appengine.config ||
    { echo "cannot apply setup.pantavisor.config '$VT_CONFIG'" >&2; exit 1; }
fi
if [ -n "$VT_PVS" ]; then
  trust=/etc/pantavisor/pvs/trust
  rm -rf "$trust" && mkdir -p "$trust" || exit 1
  for f in $VT_PVS; do
    [ -e "$f" ] || { echo "setup.pvs '$VT_PVS' matches no file" >&2; exit 1; }
    tar -xzf "$f" -C "$trust" --strip-components 1 ||
      { echo "cannot extract setup.pvs tarball '$f'" >&2; exit 1; }
  done
fi
if command -v pvtx >/dev/null 2>&1; then
  pvtx abort >/dev/null 2>&1
  pvtx begin empty /var/pantavisor/storage/objects >/dev/null ||
    { echo "pvtx begin failed" >&2; exit 1; }
fi
mkdir -p "$VT_PVTX_DIR" || exit 1
printf '%s\n' "$VT_TARBALLS" | while IFS= read -r t; do
  [ -n "$t" ] || continue
  cp "$t" "$VT_PVTX_DIR/" || { echo "cannot stage tarball '$t'" >&2; exit 1; }
done || exit 1
rm -f /var/pantavisor/storage/.pvtx-done
)";

}  // namespace

ConsoleLog::ConsoleLog(const std::filesystem::path& path)
    : path_(path), file_(std::fopen(path.c_str(), "ab")) {}

ConsoleLog::~ConsoleLog() {
  if (file_ != nullptr) std::fclose(file_);
}

void ConsoleLog::on_output(sdk::Stream, std::string_view bytes) {
  std::lock_guard lock(mutex_);
  if (file_ == nullptr) return;
  std::fwrite(bytes.data(), 1, bytes.size(), file_);
  std::fflush(file_);
}

void ConsoleLog::line(const char* level, const std::string& message) {
  on_output(sdk::Stream::out, "[pvtest] " + std::to_string(std::time(nullptr)) + " " + level +
                                  " -- [vtrun-appengine]: " + message + "\n");
}

DeviceRuntime::DeviceRuntime(sdk::Host& host, const ContainerEngine& engine, std::string container,
                             const DeviceOptions& options, ConsoleLog& console,
                             const std::atomic<bool>& cancel)
    : host_(host),
      engine_(engine),
      container_(std::move(container)),
      options_(options),
      console_(console),
      cancel_(cancel) {}

DeviceRuntime::~DeviceRuntime() {
  stop(seconds(5));
}

void DeviceRuntime::stage() {
  std::string tarballs;
  for (const auto& t : options_.tarballs) tarballs += t + "\n";
  const auto r = engine_.shell(
      container_, stage_script,
      {"VT_WORKDIR=" + (options_.test_path.empty() ? "" : "/work/" + options_.test_path),
       "VT_CONFIG=" + options_.pantavisor_config, "VT_PVS=" + options_.pvs,
       "VT_TARBALLS=" + tarballs, "VT_PVTX_DIR=" + options_.pvtx_dir},
      seconds(300));
  if (r.exit_status != 0)
    throw sdk::InfrastructureError("appengine: staging the device failed (exit " +
                                   std::to_string(r.exit_status) +
                                   "): " + last_line(r.stderr_data + r.stdout_data));
  console_.line("INFO", "staged " + std::to_string(options_.tarballs.size()) + " tarball(s) in " +
                            options_.pvtx_dir);
}

void DeviceRuntime::start() {
  std::string launcher = options_.launcher;
  if (options_.valgrind) launcher += " -V";
  if (!options_.cmdline.empty()) launcher += " -c " + quoted(options_.cmdline);
  console_.line("INFO", "starting " + launcher);
  std::vector<std::string> argv = engine_.command();
  // The pid file lets stop() end the launcher first, as pvtest-run kills pv-appengine.
  argv.insert(argv.end(), {"exec", container_, "sh", "-c",
                           "echo $$ > /run/vtrun-launcher.pid; exec " + launcher});
  launcher_ = host_.spawn({argv, {}, "", "", seconds(0), false}, &console_);
  await(options_.process);
  if (!options_.ready_script.empty()) {
    console_.line("INFO", "running the ready-script " + options_.ready_script);
    const std::string dir = options_.test_path.empty() ? "." : "/work/" + options_.test_path;
    const auto r = engine_.shell(container_,
                                 "cd " + quoted(dir) + " && sh -c " + quoted(options_.ready_script),
                                 {}, options_.ready.timeout);
    console_.on_output(sdk::Stream::out, r.stdout_data + r.stderr_data);
    console_.line(r.exit_status == 0 ? "INFO" : "WARN",
                  "the ready-script exited " + std::to_string(r.exit_status));
  }
  await(options_.ready);
  await(options_.endpoint);
  console_.line("INFO", "device READY");
}

bool DeviceRuntime::probe_passes(const Probe& probe, std::string* seen) const {
  const auto r = engine_.shell(container_, probe.command, {}, seconds(30));
  *seen = last_line(r.stdout_data.empty() ? r.stderr_data : r.stdout_data);
  if (r.exit_status != 0) return false;
  return probe.expect.empty() || trimmed(r.stdout_data) == probe.expect;
}

void DeviceRuntime::await(const Probe& probe) {
  const auto deadline = Clock::now() + probe.timeout;
  std::string seen;
  for (;;) {
    if (probe_passes(probe, &seen)) return;
    if (launcher_) {
      if (auto status = launcher_->wait(std::chrono::milliseconds(1)))  // 0 would wait forever
        throw sdk::InfrastructureError("appengine: the launcher '" + options_.launcher +
                                       "' exited " + std::to_string(*status) + " before " +
                                       probe.what + " — see console.log");
    }
    if (Clock::now() >= deadline) break;
    if (cancel_)
      throw sdk::InfrastructureError("appengine: closed while waiting for " + probe.what);
    // pvtest-run polls once a second; sooner costs a docker exec (~50 ms) and saves a test
    // up to a second per probe.
    std::this_thread::sleep_for(options_.poll_interval);
  }
  console_.line("ERROR", "timed out waiting for " + probe.what);
  throw sdk::InfrastructureError("appengine: " + probe.what + " not reached within " +
                                 std::to_string(probe.timeout.count()) + " s (probe `" +
                                 probe.command + "`" +
                                 (probe.expect.empty() ? "" : " expecting '" + probe.expect + "'") +
                                 ", last output: '" + seen + "') — see console.log");
}

void DeviceRuntime::signal_runtime(const char* signal) const {
  engine_.shell(container_,
                std::string("for p in $(pidof ") + quoted(options_.runtime_name) + "); do kill -" +
                    signal + " $p; done",
                {}, seconds(30));
}

void DeviceRuntime::stop(seconds limit) noexcept {
  if (!launcher_) return;
  try {
    const auto cap = [&](seconds s) { return limit.count() > 0 ? std::min(s, limit) : s; };
    engine_.shell(container_,
                  "kill $(cat /run/vtrun-launcher.pid) 2>/dev/null; " + options_.poweroff, {},
                  seconds(30));
    std::string seen;
    const auto gone_within = [&](seconds s) {
      const auto deadline = Clock::now() + s;
      while (probe_passes(options_.process, &seen)) {
        if (Clock::now() >= deadline) return false;
        std::this_thread::sleep_for(std::chrono::milliseconds(250));
      }
      return true;
    };
    if (!gone_within(cap(options_.stop_timeout))) {
      console_.line("WARN", "the runtime did not power off: SIGTERM");
      signal_runtime("TERM");
      if (!gone_within(cap(options_.term_timeout))) {
        console_.line("WARN", "the runtime ignored SIGTERM: SIGKILL");
        signal_runtime("KILL");
      }
    }
    if (!launcher_->wait(seconds(10))) launcher_->kill_tree();
    console_.line("INFO", "device stopped");
  } catch (const std::exception& e) {
    host_.log(sdk::LogLevel::warn, "appengine", std::string("stopping the device: ") + e.what());
    launcher_->kill_tree();
  }
  launcher_.reset();
}

}  // namespace vt::appengine
