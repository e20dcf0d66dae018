#include "runner/job_document.h"

#include <unistd.h>

#include "vt/core/ledger_sweep.h"

namespace vt::core {

nlohmann::json job_document(const RunOptions& options, std::uint64_t seed, const JobDir& job,
                            const std::vector<Provider>& providers, const PluginRegistry& registry,
                            const std::vector<std::string>& tests, const sdk::JobSummary* summary) {
  nlohmann::json plugins = nlohmann::json::array();
  for (const auto& f : registry.factories())
    plugins.push_back({{"kind", sdk::to_string(f.kind)},
                       {"name", f.name},
                       {"plugin", f.plugin},
                       {"version", f.version},
                       {"path", f.path.string()}});
  nlohmann::json provs = nlohmann::json::array();
  const auto or_null = [](const std::string& s) {
    return s.empty() ? nlohmann::json() : nlohmann::json(s);
  };
  for (const auto& p : providers) {
    nlohmann::json entry = {{"name", p.name},     {"definition", p.definition.string()},
                            {"uri", p.uri.text},  {"kind", to_string(p.uri.kind)},
                            {"branch", p.branch}, {"ref", p.ref},
                            {"commit", nullptr},  {"sha256", nullptr},
                            {"signer", nullptr}};
    if (p.resolved) {
      // What `vtrun replay` checks out again: the exact commit or archive content used.
      entry["commit"] = or_null(p.resolved->commit);
      entry["tag_object"] = or_null(p.resolved->tag_object);
      entry["sha256"] = or_null(p.resolved->sha256);
      entry["signer"] = or_null(p.resolved->signer);
      entry["resolved_from"] = p.resolved->resolved_from;
      entry["root"] = p.resolved->root.string();
      entry["from_cache"] = p.resolved->from_cache;
    }
    provs.push_back(std::move(entry));
  }
  nlohmann::json reporters = nlohmann::json::array();
  for (const auto& r : options.reporters)
    reporters.push_back({{"name", r.name}, {"output", r.output.string()}});
  char cwd[4096];
  nlohmann::json doc = {
      {"id", job.id()},
      {"vtrun_version", VTRUN_VERSION},
      {"command", options.command},
      {"cwd", getcwd(cwd, sizeof cwd) != nullptr ? cwd : ""},
      {"pid", getpid()},
      {"pid_start", process_start_time(getpid()).value_or(0)},
      {"config",
       {{"backend", options.backend},
        {"scheduler", options.scheduler},
        {"scheduler_options", options.scheduler_options},
        {"seed", seed},
        {"jobs", options.jobs},
        {"max_cpus", options.max_cpus},
        {"max_mem_mib", options.max_mem_mib},
        {"retries", options.retries},
        {"retry_errors", options.retry_errors},
        {"loop", options.loop},
        {"reporters", reporters},
        {"default_timeout", options.default_timeout.count()},
        {"timeout_override",
         options.timeout_override ? nlohmann::json(options.timeout_override->count()) : nullptr},
        {"providers_dir", options.providers_dir.string()},
        {"results_dir", options.results_dir.string()}}},
      {"plugins", plugins},
      {"providers", provs},
      {"tests", tests}};
  if (summary != nullptr) {
    doc["exit_code"] = summary->exit_code;
    if (!summary->error.empty()) doc["error"] = summary->error;
  }
  return doc;
}

}  // namespace vt::core
