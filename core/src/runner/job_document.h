// job.json: what a job was asked to do, with what (DESIGN.md "Jobs and results"); enough for
// `vtrun replay` to do it again.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "vt/core/job_dir.h"
#include "vt/core/plugin_registry.h"
#include "vt/core/provider.h"
#include "vt/core/runner.h"

namespace vt::core {

/// `summary` null: the document written when the job starts.
nlohmann::json job_document(const RunOptions& options, std::uint64_t seed, const JobDir& job,
                            const std::vector<Provider>& providers, const PluginRegistry& registry,
                            const std::vector<std::string>& tests, const sdk::JobSummary* summary);

}  // namespace vt::core
