#include "agent_shell.h"

#include <cstdio>
#include <filesystem>
#include <thread>

#include "channels.h"
#include "vt/sdk/error.h"
#include "vt/sdk/files.h"
#include "vt/sdk/host.h"

namespace vt::qemu {

namespace fs = std::filesystem;
using nlohmann::json;
using std::chrono::milliseconds;

namespace {

constexpr const char* exec_helper = "/usr/lib/vtrun/vt-exec";
constexpr const char* kill_helper = "/usr/lib/vtrun/vt-kill";
constexpr std::size_t chunk = 4 << 20;

// A growing output file in the guest, read through an agent handle opened before the command
// starts (vt-exec removes the names when the command ends; the handles keep the data).
struct OutputFile {
  std::int64_t handle = -1;
  sdk::Stream stream;
  std::string* collected;

  // Delivers what is new; returns whether anything was.
  bool pump(GuestAgent& agent, sdk::OutputSink* sink) {
    if (handle < 0) return false;
    bool any = false;
    for (;;) {
      std::string data;
      const bool eof = agent.read_file(handle, 1 << 20, data);
      if (!data.empty()) {
        any = true;
        if (sink != nullptr)
          sink->on_output(stream, data);
        else
          collected->append(data);
      }
      if (eof || data.size() < (1 << 20)) return any;
    }
  }
};

}  // namespace

std::string AgentShell::next_id() {
  // One sequence for the process: several AgentShells may drive one guest at once.
  static std::atomic<unsigned long> next{0};
  return "x" + std::to_string(next++);
}

sdk::ExecResult AgentShell::exec(const sdk::ExecRequest& request, sdk::OutputSink* sink) {
  sdk::ExecResult result;
  if (request.argv.empty()) throw sdk::ConfigError("cannot run an empty command");
  const std::string id = next_id();
  const std::string base = "/run/vtrun/" + id;
  OutputFile out{-1, sdk::Stream::out, &result.stdout_data};
  OutputFile err{-1, sdk::Stream::err, &result.stderr_data};
  const auto started = Clock::now();
  try {
    out.handle = agent_.open_file(base + ".out", "w+");
    if (!request.pty) err.handle = agent_.open_file(base + ".err", "w+");
    if (!request.stdin_data.empty()) put_file(base + ".in", request.stdin_data);
    json env = json::array({"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
                            "HOME=/root", "USER=root", "LOGNAME=root", "SHELL=/bin/sh"});
    if (request.pty) env.push_back("TERM=linux");
    for (const auto& [k, v] : request.env) env.push_back(k + "=" + v);
    json args = json::array(
        {id, request.pty ? "1" : "0", request.cwd.empty() ? scratch_ : request.cwd, "--"});
    for (const auto& a : request.argv) args.push_back(a);
    const std::int64_t pid =
        agent_.call("guest-exec", {{"path", exec_helper}, {"arg", args}, {"env", env}})
            .at("pid")
            .get<std::int64_t>();

    auto poll_delay = milliseconds(1);
    std::optional<Clock::time_point> killed_at;
    for (;;) {
      const json status = agent_.call("guest-exec-status", {{"pid", pid}});
      const bool exited = status.value("exited", false);
      const bool any = out.pump(agent_, sink) | err.pump(agent_, sink);
      if (exited) {
        out.pump(agent_, sink);
        err.pump(agent_, sink);
        if (status.contains("signal"))
          result.exit_status = 128 + status.value("signal", 9);
        else
          result.exit_status = status.value("exitcode", 255);
        // 255 is reserved for "the channel failed": the command's own 255 is reported as 254.
        if (result.exit_status == 255) result.exit_status = 254;
        break;
      }
      const auto now = Clock::now();
      if (request.timeout.count() > 0 && now - started >= request.timeout && !killed_at) {
        std::string pid_text;
        try {
          pid_text = get_file(base + ".pid");
        } catch (const sdk::InfrastructureError&) {
          throw;
        } catch (const std::exception&) {
          // not written yet: try again next round
        }
        while (!pid_text.empty() && (pid_text.back() == '\n' || pid_text.back() == ' '))
          pid_text.pop_back();
        if (!pid_text.empty()) {
          agent_.call("guest-exec", {{"path", kill_helper}, {"arg", {pid_text}}});
          killed_at = now;
          result.timed_out = true;
        }
      }
      if (killed_at && now - *killed_at > std::chrono::seconds(30))
        throw sdk::InfrastructureError("the command did not end 30 s after it was killed");
      poll_delay = any ? milliseconds(1) : std::min(poll_delay * 2, milliseconds(8));
      std::this_thread::sleep_for(poll_delay);
    }
  } catch (const sdk::InfrastructureError& e) {
    fail_channel(result, std::string("qemu: the guest agent channel failed: ") + e.what(), sink);
  } catch (const sdk::Error& e) {
    // The agent refused the request (e.g. vt-exec is missing: not a vtrun guest image).
    fail_channel(result, std::string("qemu: ") + e.what(), sink);
  }
  if (out.handle >= 0) agent_.close_file(out.handle);
  if (err.handle >= 0) agent_.close_file(err.handle);
  return result;
}

sdk::ExecResult AgentShell::run_checked(const std::string& script) {
  sdk::ExecRequest req;
  req.argv = {"/bin/sh", "-c", script};
  req.timeout = std::chrono::seconds(300);
  sdk::ExecResult r = exec(req, nullptr);
  if (r.exit_status == sdk::channel_failure)
    throw sdk::InfrastructureError("guest command failed: " + r.stderr_data);
  return r;
}

void AgentShell::put_file(const std::string& guest_path, const std::string& data) {
  const std::int64_t h = agent_.open_file(guest_path, "w");
  try {
    for (std::size_t off = 0; off < data.size(); off += chunk)
      agent_.write_file(h, std::string_view(data).substr(off, chunk));
  } catch (...) {
    agent_.close_file(h);
    throw;
  }
  agent_.close_file(h);
}

std::string AgentShell::get_file(const std::string& guest_path) {
  const std::int64_t h = agent_.open_file(guest_path, "r");
  std::string data;
  try {
    while (!agent_.read_file(h, chunk, data)) {
    }
  } catch (...) {
    agent_.close_file(h);
    throw;
  }
  agent_.close_file(h);
  return data;
}

void AgentShell::copy_in(const std::string& host_path, const std::string& guest_path) {
  const std::string tmp = "/run/vtrun/" + next_id() + ".copy";
  if (sdk::check_copy_paths(host_path, guest_path)) {
    put_file(tmp, pack_host_dir(host_, host_path));
    const auto r =
        run_checked("mkdir -p " + shell_quote(guest_path) + " && tar -xf " + tmp + " -C " +
                    shell_quote(guest_path) + "; rc=$?; rm -f " + tmp + "; exit $rc");
    if (r.exit_status != 0)
      throw sdk::InfrastructureError("unpacking into '" + guest_path +
                                     "' failed: " + r.stderr_data);
    return;
  }
  const std::string mode = host_file_mode(host_path);
  put_file(tmp, sdk::read_file(host_path));
  const std::string parent = fs::path(guest_path).parent_path().string();
  const auto r = run_checked((parent.empty() ? "" : "mkdir -p " + shell_quote(parent) + " && ") +
                             "mv -f " + tmp + " " + shell_quote(guest_path) + " && chmod " + mode +
                             " " + shell_quote(guest_path));
  if (r.exit_status != 0)
    throw sdk::InfrastructureError("copying to '" + guest_path + "' failed: " + r.stderr_data);
}

void AgentShell::copy_out(const std::string& guest_path, const std::string& host_path) {
  const std::string tmp = "/run/vtrun/" + next_id() + ".copy";
  if (sdk::check_copy_paths(guest_path, host_path)) {
    const auto r = run_checked("cd " + shell_quote(guest_path) + " && tar -cf " + tmp + " .");
    if (r.exit_status != 0)
      throw sdk::ConfigError("copy_out: '" + guest_path +
                             "' is not a directory on the guest: " + r.stderr_data);
    std::string data;
    try {
      data = get_file(tmp);
    } catch (...) {
      run_checked("rm -f " + tmp);
      throw;
    }
    run_checked("rm -f " + tmp);
    unpack_into_host_dir(host_, std::move(data), host_path);
    return;
  }
  const auto r = run_checked("test -f " + shell_quote(guest_path) + " && stat -c %a " +
                             shell_quote(guest_path));
  if (r.exit_status != 0)
    throw sdk::ConfigError("copy_out: '" + guest_path + "' is not a regular file on the guest");
  write_host_file(host_path, get_file(guest_path), r.stdout_data);
}

}  // namespace vt::qemu
