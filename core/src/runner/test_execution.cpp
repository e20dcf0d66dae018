#include "runner/test_execution.h"

#include <algorithm>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "runner/control_server.h"
#include "runner/interactive_shell.h"
#include "runner/test_machines.h"
#include "runner/verdict.h"
#include "vt/core/atomic_file.h"
#include "vt/sdk/error.h"

namespace vt::core {

namespace fs = std::filesystem;
using Clock = std::chrono::system_clock;

namespace {

// Captures a test's output into stdout/stderr files (renamed into place at the end, so a
// crash leaves `.partial` files, never a truncated `stdout`) and forwards it to reporters.
class TestOutput final : public sdk::OutputSink {
 public:
  TestOutput(const fs::path& dir, const sdk::TestInfo& info, ReporterFanout& reporters)
      : dir_(dir), info_(info), reporters_(reporters) {
    out_ = std::fopen((dir / "stdout.partial").c_str(), "wb");
    err_ = std::fopen((dir / "stderr.partial").c_str(), "wb");
  }
  ~TestOutput() override { finish(); }

  void on_output(sdk::Stream stream, std::string_view bytes) override {
    std::FILE* f = stream == sdk::Stream::err ? err_ : out_;
    if (f != nullptr) {
      std::fwrite(bytes.data(), 1, bytes.size(), f);
      std::fflush(f);
    }
    reporters_.test_output(info_, stream, bytes);
  }

  void finish() {
    for (auto [file, name] : {std::pair{&out_, "stdout"}, std::pair{&err_, "stderr"}}) {
      if (*file == nullptr) continue;
      std::fclose(*file);
      *file = nullptr;
      std::error_code ec;
      fs::rename(dir_ / (std::string(name) + ".partial"), dir_ / name, ec);
    }
  }

 private:
  fs::path dir_;
  const sdk::TestInfo& info_;
  ReporterFanout& reporters_;
  std::FILE* out_ = nullptr;
  std::FILE* err_ = nullptr;
};

std::string join(const std::vector<std::string>& items, const char* sep) {
  std::string out;
  for (const auto& i : items) out += (out.empty() ? "" : sep) + i;
  return out;
}

// A command for test.log's one line: an argument that is a whole script (pv-test's runner)
// is named, not spelled out.
std::string command_line(const std::vector<std::string>& argv) {
  std::vector<std::string> shown;
  for (const auto& arg : argv) {
    const auto lines = std::count(arg.begin(), arg.end(), '\n');
    shown.push_back(lines == 0 ? arg : "<" + std::to_string(lines + 1) + "-line script>");
  }
  return join(shown, " ");
}

std::string timestamp() {
  const auto now = Clock::now();
  const std::time_t tt = Clock::to_time_t(now);
  std::tm tm{};
  localtime_r(&tt, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%H:%M:%S", &tm);
  return buf;
}

// What the test said through `vtctl report` (called from control-server threads).
class TestReports {
 public:
  explicit TestReports(std::function<void(const std::string&)> note) : note_(std::move(note)) {}

  void add(const std::string& status, const std::string& reason) {
    std::lock_guard lock(mutex_);
    if (status == "warn")
      warning_ += (warning_.empty() ? "" : "; ") + reason;
    else if (status == "cancel")
      cancel_ = reason.empty() ? "cancelled by the test" : reason;
    else
      throw sdk::Error("vtctl report: unknown status '" + status + "' — use warn or cancel");
    note_("REPORT " + status + ": " + reason);
  }

  /// CANCEL wins over what the test did, except a testbed failure or an interrupt; a warning
  /// turns a PASS into a WARN.
  Verdict apply(const Verdict& verdict) const {
    std::lock_guard lock(mutex_);
    const bool infrastructure =
        verdict.status == sdk::Status::error || verdict.status == sdk::Status::interrupted;
    if (!cancel_.empty() && !infrastructure) return {sdk::Status::cancel, cancel_};
    if (!warning_.empty() && verdict.status == sdk::Status::pass)
      return {sdk::Status::warn, warning_};
    return verdict;
  }

 private:
  std::function<void(const std::string&)> note_;
  mutable std::mutex mutex_;
  std::string warning_;
  std::string cancel_;
};

// The host-side command, spawned so that an interrupt can reach it (TestStopper) while it runs.
sdk::ExecResult run_on_host(const TestContext& ctx, const sdk::ExecRequest& req,
                            sdk::OutputSink& output) {
  const auto process = ctx.host.spawn(req, &output);
  ctx.stopper.set_command(process->pid());
  const auto deadline = std::chrono::steady_clock::now() + req.timeout;
  sdk::ExecResult r;
  for (;;) {
    if (auto status = process->wait(std::chrono::milliseconds(100))) {
      r.exit_status = *status;
      break;
    }
    if (req.timeout.count() > 0 && std::chrono::steady_clock::now() >= deadline) {
      process->kill_tree();
      r.timed_out = true;
      r.exit_status = process->wait(std::chrono::milliseconds(0)).value_or(137);
      break;
    }
  }
  ctx.stopper.set_command(0);  // what it left in its session went with it (Process::wait)
  return r;
}

// Copies the test's directory and params onto the testbed, runs there, brings
// VT_OUTPUT_DIR back.
sdk::ExecResult run_on_testbed(const TestContext& ctx, TestMachines::Machine& main,
                               sdk::ExecRequest req, const fs::path& logdir,
                               sdk::OutputSink& output,
                               const std::function<void(std::string)>& note) {
  const TestCase& test = ctx.test;
  const std::string base = main.scratch + "/vtrun-test";
  // A testbed kept from an earlier test still has that test's files.
  const auto clean =
      main.testbed->exec({{"sh", "-c", "rm -rf \"$1\" && mkdir -p \"$1/output\"", "sh", base},
                          {},
                          "",
                          "",
                          std::chrono::seconds(60),
                          false},
                         nullptr);
  if (clean.exit_status != 0)
    throw sdk::InfrastructureError("cannot create '" + base +
                                   "/output' on the testbed: " + clean.stderr_data);
  main.testbed->copy_in(test.dir.string() + "/", base + "/src/");
  main.testbed->copy_in((logdir / "params.json").string(), base + "/params.json");
  req.env["VT_PARAMS"] = base + "/params.json";
  req.env["VT_OUTPUT_DIR"] = base + "/output";
  req.argv = test.command;
  const std::string dir = test.dir.string();
  if (!req.argv.empty() && req.argv[0].rfind(dir + "/", 0) == 0)
    req.argv[0] = base + "/src/" + req.argv[0].substr(dir.size() + 1);
  req.cwd = base + "/src";
  note("RUN on testbed " + main.name + ": " + command_line(req.argv));
  ctx.stopper.set_testbeds({main.testbed.get()});
  sdk::ExecResult r = main.testbed->exec(req, &output);
  try {
    main.testbed->copy_out(base + "/output/", (logdir / "output").string() + "/");
  } catch (const std::exception& e) {
    note("copying the output directory back failed: " + std::string(e.what()));
  }
  return r;
}

}  // namespace

sdk::TestResult execute_test(const TestContext& ctx) {
  const TestCase& test = ctx.test;
  sdk::TestResult result;
  result.id = test.id;
  result.provider = test.provider;
  result.tags = test.tags;
  result.started = Clock::now();
  result.logdir = ctx.logdir;
  const fs::path logdir = ctx.job.path() / result.logdir;
  std::string log;
  std::mutex log_mutex;  // notes come from control-server threads too (start on first use)
  auto note = [&](const std::string& line) {
    std::lock_guard lock(log_mutex);
    log += timestamp() + " " + line + "\n";
  };
  auto finish = [&](sdk::Status status, std::string reason) {
    result.status = status;
    result.reason = std::move(reason);
    result.duration = Clock::now() - result.started;
    note("RESULT " + std::string(sdk::to_string(status)) +
         (result.reason.empty() ? "" : ": " + result.reason));
    try {
      write_file_atomic(logdir / "test.log", log);
    } catch (const std::exception& e) {
      ctx.host.log(sdk::LogLevel::error, "runner", e.what());
    }
    return result;
  };

  std::error_code ec;
  fs::create_directories(logdir / "output", ec);
  try {
    write_file_atomic(logdir / "params.json", nlohmann::json(test.params).dump(2) + "\n");
  } catch (const std::exception& e) {
    return finish(sdk::Status::error, e.what());
  }
  note("TEST " + test.id + " (" + test.source.string() + ":" + std::to_string(test.line) + ")");

  const std::chrono::seconds timeout =
      ctx.options.timeout_override.value_or(test.timeout.value_or(ctx.options.default_timeout));

  // A static skip wins over not_runnable: pv-test's runner never looks further into a test
  // it skips, so a skipped test with a missing script is still just SKIP.
  if (!test.skip.empty()) return finish(sdk::Status::skip, test.skip);
  if (!test.not_runnable.empty()) return finish(sdk::Status::error, test.not_runnable);
  std::unique_ptr<VerdictPolicy> policy;
  try {
    policy = make_verdict_policy(test.verdict, test.params);
  } catch (const std::exception& e) {
    return finish(sdk::Status::error, e.what());
  }

  TestMachines machines(ctx.registry, ctx.host, ctx.pool, ctx.options.backend, test.id, note);
  try {
    machines.make(test.params, logdir);
  } catch (const std::exception& e) {
    return finish(sdk::Status::error, e.what());
  }
  if (std::string missing = machines.missing_capability(test.requires_caps); !missing.empty())
    return finish(sdk::Status::skip, missing);
  try {
    machines.open_all();
  } catch (const std::exception& e) {
    machines.release(true, true);
    return finish(sdk::Status::error, e.what());
  }
  std::vector<sdk::Testbed*> testbeds;
  std::vector<std::pair<std::string, sdk::Testbed*>> served;
  for (auto& m : machines.machines()) {
    testbeds.push_back(m.testbed.get());
    served.emplace_back(m.name, m.testbed.get());
  }
  ctx.stopper.set_testbeds(testbeds);

  TestReports reports(note);
  if (ctx.options.shell_before && !ctx.stopper.stopped()) {
    note("SHELL before the test (-i)");
    interactive_shell(ctx.host, *machines.main().testbed, machines.main().name,
                      machines.main().scratch, test.id, true);
  }

  Verdict verdict{sdk::Status::error, ""};
  bool broken = false;  // the testbeds must not serve another test
  const bool on_testbed = test.run_in == RunIn::testbed;
  {
    std::unique_ptr<ControlServer> server;
    try {
      server = std::make_unique<ControlServer>(
          ctx.host, ctx.control_socket, served,
          [&](const std::string& name) { machines.start(name); },
          [&](const std::string& status, const std::string& reason) {
            reports.add(status, reason);
          });
      TestOutput output(logdir, ctx.info, ctx.reporters);
      sdk::ExecRequest req;
      req.timeout = timeout;
      req.pty = test.pty;
      req.env = {{"VT_TEST_ID", test.id},
                 {"VT_CONTROL_SOCKET", ctx.control_socket.string()},
                 {"VT_JOB_DIR", ctx.job.path().string()},
                 {"VT_BACKEND", ctx.options.backend}};
      sdk::ExecResult r;
      if (!on_testbed) {
        const char* path = std::getenv("PATH");
        req.env["PATH"] = ctx.options.vtctl.parent_path().string() + ":" +
                          (path != nullptr ? path : "/usr/bin:/bin");
        req.env["VT_PARAMS"] = (logdir / "params.json").string();
        req.env["VT_OUTPUT_DIR"] = (logdir / "output").string();
        req.argv = test.command;
        req.cwd = test.dir.string();
        note("RUN on host: " + command_line(test.command));
        r = run_on_host(ctx, req, output);  // a command that cannot start: ERROR, below
      } else {
        machines.start(machines.main().name);
        r = run_on_testbed(ctx, machines.main(), req, logdir, output, note);
      }
      note("EXIT " + std::to_string(r.exit_status) + (r.timed_out ? " (timed out)" : ""));
      output.finish();
      VerdictInput input{r, timeout, on_testbed, logdir, test.dir, ctx.options.overwrite, {}};
      TestMachines::Machine& main = machines.main();
      if (!main.console.empty()) input.console = [&] { return machines.console_since_start(main); };
      verdict = policy->decide(input);
      if (r.timed_out) broken = true;
    } catch (const sdk::InfrastructureError& e) {
      verdict = {sdk::Status::error, std::string("testbed failure: ") + e.what()};
      broken = true;
    } catch (const std::exception& e) {
      verdict = {sdk::Status::error, e.what()};
    }
    verdict = reports.apply(verdict);
    if (ctx.stopper.stopped() && verdict.status != sdk::Status::pass) {
      verdict = {sdk::Status::interrupted, "job interrupted while the test ran"};
      broken = true;
    }
    if (verdict.status == sdk::Status::error || verdict.status == sdk::Status::interrupted)
      broken = true;
    const bool failed = verdict.status == sdk::Status::fail ||
                        verdict.status == sdk::Status::error ||
                        verdict.status == sdk::Status::interrupted;
    if (failed && ctx.options.shell_fail && !ctx.stopper.stopped() && machines.main().opened)
      interactive_shell(ctx.host, *machines.main().testbed, machines.main().name,
                        machines.main().scratch, test.id);
    machines.save_consoles(logdir);
    ctx.stopper.set_testbeds({});
    // A command vtctl started may still run on a testbed: that one is neither kept nor reused,
    // and closing it ends the command before the server waits for its connection.
    if (server && server->busy() > 0) broken = true;
    if (failed && ctx.options.keep_testbed && !ctx.stopper.stopped() && !broken) {
      server.reset();
      note("KEPT the testbeds for --keep-testbed");
      try {
        // Named after the test's socket, not its id: a unix socket path is short.
        ctx.kept.keep(
            test.id, machines.take_all(),
            ctx.control_socket.parent_path() / ("kept-" + ctx.control_socket.filename().string()));
      } catch (const std::exception& e) {
        note(std::string("cannot keep the testbeds: ") + e.what());
      }
    } else {
      machines.release(failed, broken);
      server.reset();
    }
  }
  return finish(verdict.status, verdict.reason);
}

}  // namespace vt::core
