#include "runner/test_execution.h"

#include <cstdio>
#include <nlohmann/json.hpp>
#include <sstream>

#include "runner/control_server.h"
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

// The machines a test asks for: Avocado-VT's `vms` (space-separated), else `main_vm`, else one.
std::vector<std::string> machine_names(const sdk::Params& params) {
  std::vector<std::string> names;
  if (auto it = params.find("vms"); it != params.end()) {
    std::istringstream ss(it->second);
    for (std::string n; ss >> n;) names.push_back(n);
  }
  if (names.empty()) {
    auto it = params.find("main_vm");
    names.push_back(it != params.end() && !it->second.empty() ? it->second : "vm1");
  }
  return names;
}

// Object suffixes (`mem_vm1` overrides `mem` for vm1), as Avocado-VT's object_params().
sdk::Params object_params(const sdk::Params& params, const std::string& machine) {
  sdk::Params out = params;
  const std::string suffix = "_" + machine;
  for (const auto& [key, value] : params)
    if (key.size() > suffix.size() &&
        key.compare(key.size() - suffix.size(), suffix.size(), suffix) == 0)
      out[key.substr(0, key.size() - suffix.size())] = value;
  return out;
}

std::string join(const std::vector<std::string>& items, const char* sep) {
  std::string out;
  for (const auto& i : items) out += (out.empty() ? "" : sep) + i;
  return out;
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

struct Machine {
  std::string name;
  PluginPtr<sdk::Testbed> testbed;
  std::string scratch;
  bool opened = false;
};

}  // namespace

sdk::TestResult execute_test(const TestContext& ctx) {
  const TestCase& test = ctx.test;
  sdk::TestResult result;
  result.id = test.id;
  result.provider = test.provider;
  result.tags = test.tags;
  result.started = Clock::now();
  result.logdir = JobDir::test_logdir(test.id);
  const fs::path logdir = ctx.job.path() / result.logdir;
  std::string log;
  auto note = [&](const std::string& line) { log += timestamp() + " " + line + "\n"; };
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
  nlohmann::json params_doc(test.params);
  try {
    write_file_atomic(logdir / "params.json", params_doc.dump(2) + "\n");
  } catch (const std::exception& e) {
    return finish(sdk::Status::error, e.what());
  }
  note("TEST " + test.id + " (" + test.source.string() + ":" + std::to_string(test.line) + ")");

  const std::chrono::seconds timeout =
      ctx.options.timeout_override.value_or(test.timeout.value_or(ctx.options.default_timeout));

  if (!test.not_runnable.empty()) return finish(sdk::Status::error, test.not_runnable);
  if (test.verdict != "exit-code")
    return finish(sdk::Status::error, "verdict policy '" + test.verdict +
                                          "' is not supported by this vtrun yet (only exit-code)");

  // Testbeds: make them all, check requirements, then open them.
  std::vector<Machine> machines;
  for (const auto& name : machine_names(test.params)) {
    sdk::TestbedSpec spec{name, object_params(test.params, name), logdir};
    try {
      machines.push_back(
          {name, ctx.registry.make_testbed(ctx.options.backend, ctx.host, spec), {}});
    } catch (const std::exception& e) {
      return finish(sdk::Status::error, std::string("testbed '") + name + "': " + e.what());
    }
    const sdk::Capabilities caps = machines.back().testbed->capabilities();
    for (const auto& need : test.requires_caps)
      if (caps.count(need) == 0)
        return finish(sdk::Status::skip,
                      "backend '" + ctx.options.backend + "' lacks capability '" + need +
                          "' (it has: " + join({caps.begin(), caps.end()}, ", ") + ")");
  }
  auto close_all = [&] {
    for (auto& m : machines)
      if (m.opened) {
        m.testbed->close();
        m.opened = false;
      }
  };
  for (auto& m : machines) {
    try {
      m.scratch = m.testbed->open();
      m.opened = true;
      note("OPEN " + m.name + " scratch " + m.scratch);
    } catch (const std::exception& e) {
      close_all();
      return finish(sdk::Status::error, "opening testbed '" + m.name + "' failed: " + e.what());
    }
  }

  ctx.reporters.test_start(ctx.info);
  std::vector<std::pair<std::string, sdk::Testbed*>> served;
  for (auto& m : machines) served.emplace_back(m.name, m.testbed.get());
  Verdict verdict{sdk::Status::error, ""};
  try {
    ControlServer server(ctx.host, ctx.control_socket, served);
    TestOutput output(logdir, ctx.info, ctx.reporters);
    sdk::ExecRequest req;
    req.timeout = timeout;
    req.env = {{"VT_TEST_ID", test.id},
               {"VT_CONTROL_SOCKET", ctx.control_socket.string()},
               {"VT_JOB_DIR", ctx.job.path().string()},
               {"VT_BACKEND", ctx.options.backend}};
    sdk::ExecResult r;
    const bool on_testbed = test.run_in == RunIn::testbed;
    Machine& main = machines.front();
    if (!on_testbed) {
      const char* path = std::getenv("PATH");
      req.env["PATH"] = ctx.options.vtctl.parent_path().string() + ":" +
                        (path != nullptr ? path : "/usr/bin:/bin");
      req.env["VT_PARAMS"] = (logdir / "params.json").string();
      req.env["VT_OUTPUT_DIR"] = (logdir / "output").string();
      req.argv = test.command;
      req.cwd = test.dir.string();
      note("RUN on host: " + join(test.command, " "));
      r = ctx.host.run(req, &output);  // a command that cannot start: ERROR, below
    } else {
      // Copy the test's directory and params in, run there, bring VT_OUTPUT_DIR back.
      const std::string base = main.scratch + "/vtrun-test";
      main.testbed->copy_in(test.dir.string() + "/", base + "/src/");
      main.testbed->copy_in((logdir / "params.json").string(), base + "/params.json");
      const auto mkdir = main.testbed->exec(
          {{"mkdir", "-p", base + "/output"}, {}, "", "", std::chrono::seconds(60), false},
          nullptr);
      if (mkdir.exit_status != 0)
        throw sdk::InfrastructureError("cannot create '" + base +
                                       "/output' on the testbed: " + mkdir.stderr_data);
      req.env["VT_PARAMS"] = base + "/params.json";
      req.env["VT_OUTPUT_DIR"] = base + "/output";
      req.argv = test.command;
      const std::string dir = test.dir.string();
      if (!req.argv.empty() && req.argv[0].rfind(dir + "/", 0) == 0)
        req.argv[0] = base + "/src/" + req.argv[0].substr(dir.size() + 1);
      req.cwd = base + "/src";
      note("RUN on testbed " + main.name + ": " + join(req.argv, " "));
      r = main.testbed->exec(req, &output);
      try {
        main.testbed->copy_out(base + "/output/", (logdir / "output").string() + "/");
      } catch (const std::exception& e) {
        note("copying the output directory back failed: " + std::string(e.what()));
      }
    }
    note("EXIT " + std::to_string(r.exit_status) + (r.timed_out ? " (timed out)" : ""));
    verdict = exit_code_verdict(r, timeout, on_testbed);
    if (interrupt_requested() && !r.timed_out && verdict.status != sdk::Status::pass)
      verdict = {sdk::Status::interrupted, "job interrupted while the test ran"};
    // Closing the testbeds ends commands vtctl still runs on them, before the server joins.
    close_all();
    output.finish();
  } catch (const sdk::InfrastructureError& e) {
    verdict = {sdk::Status::error, std::string("testbed failure: ") + e.what()};
  } catch (const std::exception& e) {
    verdict = {sdk::Status::error, e.what()};
  }
  close_all();
  return finish(verdict.status, verdict.reason);
}

}  // namespace vt::core
