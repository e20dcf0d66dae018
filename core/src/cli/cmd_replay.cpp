// `vtrun replay JOB [--failed]`: the job's tests again, with the params, options, providers
// and plugins job.json recorded.
#include <fstream>
#include <iostream>
#include <set>

#include "cli/commands.h"
#include "cli/job_files.h"
#include "cli/run_common.h"
#include "vt/sdk/error.h"

namespace vt::core::cli {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

struct ReplayArgs {
  std::string job;
  bool failed = false;
};

bool is_failure(const std::string& status) {
  return status == "FAIL" || status == "ERROR" || status == "INTERRUPTED" || status == "CANCEL";
}

RunOptions recorded_options(const json& config) {
  RunOptions o;
  o.backend = config.value("backend", "qemu");
  o.scheduler = config.value("scheduler", "parallel");
  o.scheduler_options = config.value("scheduler_options", sdk::Params{});
  if (config.contains("seed")) o.seed = config.at("seed").get<std::uint64_t>();
  o.jobs = config.value("jobs", 1u);
  o.max_cpus = config.value("max_cpus", 0u);
  o.max_mem_mib = config.value("max_mem_mib", std::uint64_t{0});
  o.retries = config.value("retries", 0);
  o.retry_errors = config.value("retry_errors", false);
  o.default_timeout = std::chrono::seconds(config.value("default_timeout", 300));
  if (config.contains("timeout_override") && !config.at("timeout_override").is_null())
    o.timeout_override = std::chrono::seconds(config.at("timeout_override").get<long long>());
  for (const auto& r : config.value("reporters", json::array()))
    o.reporters.push_back({r.value("name", "console"), r.value("output", "")});
  return o;
}

// Plugins the job used that are gone or changed: said, not fatal (run_job refuses missing ones).
void compare_plugins(const json& recorded, const PluginRegistry& registry, sdk::Host& host) {
  for (const auto& p : recorded) {
    const std::string kind = p.value("kind", ""), name = p.value("name", "");
    bool found = false;
    for (const auto& f : registry.factories()) {
      if (sdk::to_string(f.kind) != kind || f.name != name) continue;
      found = true;
      if (f.version != p.value("version", ""))
        host.log(sdk::LogLevel::warn, "replay",
                 kind + " '" + name + "' was version " + p.value("version", "") +
                     " in the recorded job, now " + f.version);
    }
    if (!found)
      host.log(sdk::LogLevel::warn, "replay",
               kind + " '" + name + "' of the recorded job is not loaded now");
  }
}

// The params a test ran with, from its params.json; nullopt when it never ran.
std::optional<sdk::Params> recorded_params(const fs::path& job_dir, const std::string& logdir) {
  std::ifstream in(job_dir / logdir / "params.json");
  if (!in) return std::nullopt;
  try {
    return json::parse(in).get<sdk::Params>();
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

// The tests of `plan` named in `ids`, and (transitively) what they depend on, in plan order.
std::vector<TestCase> exactly(const std::vector<TestCase>& plan,
                              const std::vector<std::string>& ids) {
  std::map<std::string, const TestCase*> by_id;
  for (const auto& t : plan) by_id.emplace(t.id, &t);
  std::set<std::string> keep;
  std::vector<std::string> todo = ids;
  while (!todo.empty()) {
    const std::string id = todo.back();
    todo.pop_back();
    auto it = by_id.find(id);
    if (it == by_id.end() || !keep.insert(id).second) continue;
    for (const auto& dep : it->second->depends) todo.push_back(dep);
  }
  std::vector<TestCase> out;
  for (const auto& t : plan)
    if (keep.count(t.id) != 0) out.push_back(t);
  return out;
}
// The ids to replay, and the logdir of each one's last attempt.
std::vector<std::string> ids_to_replay(const json& job, const json& results, bool only_failed,
                                       std::map<std::string, std::string>& logdirs) {
  std::set<std::string> failed;
  for (const auto& t : results.value("tests", json::array())) {
    logdirs[t.value("id", "")] = t.value("logdir", "");
    // A test skipped because its dependency failed did not get its chance either.
    const bool skipped_for_dependency =
        t.value("status", "") == "SKIP" && t.value("reason", "").rfind("dependency '", 0) == 0;
    if (is_failure(t.value("status", "")) || skipped_for_dependency)
      failed.insert(t.value("id", ""));
  }
  std::vector<std::string> ids;
  for (const auto& id : job.value("tests", std::vector<std::string>{}))
    if (!only_failed || failed.count(id) != 0 || logdirs.count(id) == 0) ids.push_back(id);
  return ids;
}

// Every provider the job used must still be defined; fetched ones are pinned to the commit or
// archive content the job recorded.
void require_providers(const json& job, Context& ctx) {
  std::map<std::string, std::string> pins;
  for (const auto& p : job.value("providers", json::array())) {
    const std::string name = p.value("name", "");
    for (const char* key : {"commit", "sha256"})
      if (p.contains(key) && p[key].is_string()) pins[name] = p[key].get<std::string>();
    bool present = false;
    for (const auto& now : ctx.providers()) present = present || now.name == name;
    if (!present)
      throw sdk::ConfigError("the recorded job used provider '" + name + "', which " +
                             ctx.providers_dir().string() + " no longer defines");
  }
  ctx.pin_providers(std::move(pins));
}

int replay(Context& ctx, const ReplayArgs& args) {
  const fs::path dir = find_job_dir(args.job, ctx.options().results_dir);
  const json job = read_job_file(dir, "job.json");
  const json config = job.value("config", json::object());
  RunOptions options = recorded_options(config);
  ctx.use_backend(options.backend);
  if (const std::string p = config.value("providers_dir", ""); !p.empty()) ctx.use_providers_dir(p);

  json results = json::object();  // none: the job died before its first result
  try {
    results = read_job_file(dir, "results.json");
  } catch (const sdk::ConfigError&) {
  }
  std::map<std::string, std::string> logdirs;
  const std::vector<std::string> ids = ids_to_replay(job, results, args.failed, logdirs);
  if (ids.empty()) {
    std::cout << "nothing to replay: every test of " << dir.filename().string()
              << (args.failed ? " passed or was skipped" : " — the job had none") << "\n";
    return 0;
  }
  require_providers(job, ctx);
  compare_plugins(job.value("plugins", json::array()), ctx.plugins(), ctx.host());

  Selection selection;
  selection.selectors = ids;
  std::vector<TestCase> plan;
  try {
    plan = ctx.select(selection);
  } catch (const sdk::ConfigError& e) {
    throw sdk::ConfigError("cannot replay " + dir.filename().string() + ": " + e.what());
  }
  // A selector is also a prefix (`net` selects `net.ping`): keep exactly the recorded ids and
  // what they need.
  plan = exactly(plan, ids);
  for (auto& t : plan) {
    auto it = logdirs.find(t.id);
    if (it == logdirs.end()) continue;
    if (auto params = recorded_params(dir, it->second)) {
      if (*params != t.params)
        ctx.host().log(sdk::LogLevel::info, "replay",
                       "'" + t.id + "': using the params it ran with (they changed since)");
      t.params = std::move(*params);
    }
  }
  ctx.host().log(
      sdk::LogLevel::info, "replay",
      "replaying " + std::to_string(plan.size()) + " test(s) of job " + dir.filename().string());
  return run_plan(ctx, plan, options);
}

}  // namespace

Command add_replay_command(CLI::App& app) {
  auto* sub = app.add_subcommand(
      "replay",
      "run a recorded job's tests again with the params, options, backend and providers its "
      "job.json recorded; prints the new job directory");
  auto args = std::make_shared<ReplayArgs>();
  sub->add_option("job", args->job, "job directory, or a job id or `latest` under the results dir")
      ->required();
  sub->add_flag("--failed", args->failed,
                "only the tests that did not pass (FAIL, ERROR, INTERRUPTED, CANCEL, or SKIP "
                "because a dependency failed), with what they depend on");
  return {sub, [args](Context& ctx) { return replay(ctx, *args); }};
}

}  // namespace vt::core::cli
