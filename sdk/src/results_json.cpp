// The results.json document: a contract that scripts and CI read (DESIGN.md, "Jobs and results").
#include <nlohmann/json.hpp>

#include "vt/sdk/types.h"

namespace vt::sdk {

namespace {

std::string iso8601(std::chrono::system_clock::time_point t) {
  const auto secs = std::chrono::time_point_cast<std::chrono::seconds>(t);
  const auto millis = std::chrono::duration_cast<std::chrono::milliseconds>(t - secs).count();
  const std::time_t tt = std::chrono::system_clock::to_time_t(secs);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                static_cast<int>(millis));
  return buf;
}

double seconds(std::chrono::duration<double> d) {
  // Millisecond precision keeps the document stable to read and diff.
  return static_cast<double>(static_cast<long long>(d.count() * 1000.0 + 0.5)) / 1000.0;
}

}  // namespace

std::string render_results_json(const JobSummary& summary, int indent) {
  using nlohmann::json;
  json counts = json::object();
  for (Status s : {Status::pass, Status::fail, Status::error, Status::skip, Status::warn,
                   Status::cancel, Status::interrupted})
    counts[std::string(to_string(s))] = 0;
  json tests = json::array();
  for (const TestResult& r : summary.tests) {
    counts[std::string(to_string(r.status))] =
        counts[std::string(to_string(r.status))].get<int>() + 1;
    tests.push_back({{"id", r.id},
                     {"provider", r.provider},
                     {"status", std::string(to_string(r.status))},
                     {"attempts", r.attempts},
                     {"started", iso8601(r.started)},
                     {"duration", seconds(r.duration)},
                     {"reason", r.reason},
                     {"logdir", r.logdir},
                     {"tags", r.tags}});
  }
  json job = {{"id", summary.job.id},
              {"dir", summary.job.dir.string()},
              {"command", summary.job.command},
              {"backend", summary.job.backend},
              {"started", iso8601(summary.job.started)},
              {"finished", iso8601(summary.finished)},
              {"duration", seconds(summary.finished - summary.job.started)},
              {"exit_code", summary.exit_code},
              {"summary", counts}};
  if (!summary.error.empty()) job["error"] = summary.error;
  json doc = {{"job", job}, {"tests", tests}};
  return doc.dump(indent, ' ', false, json::error_handler_t::replace) + "\n";
}

}  // namespace vt::sdk
