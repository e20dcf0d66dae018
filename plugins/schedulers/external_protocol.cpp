#include "external_protocol.h"

#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "vt/sdk/error.h"

namespace vt::schedulers {

using nlohmann::json;

namespace {

json test_json(std::size_t index, const sdk::TestInfo& test) {
  return {{"index", index},
          {"id", test.id},
          {"provider", test.provider},
          {"tags", test.tags},
          {"priority", test.priority},
          {"slow", test.slow},
          {"depends", test.depends},
          {"params", test.params},
          {"cost",
           {{"machines", test.cost.machines},
            {"cpus", test.cost.cpus},
            {"mem_mib", test.cost.mem_mib}}},
          {"locks", test.locks}};
}

std::string ready_ids(const ExternalRequest& request) {
  std::string ids;
  std::size_t shown = 0;
  for (const auto& [index, test] : request.ready) {
    if (shown++ == 10) return ids + ", …";
    ids += (ids.empty() ? "'" : ", '") + test->id + "'";
  }
  return ids.empty() ? "none" : ids;
}

}  // namespace

std::string render_request(const ExternalRequest& request) {
  json ready = json::array();
  for (const auto& [index, test] : request.ready) ready.push_back(test_json(index, *test));
  json finished = json::array();
  for (const auto& [id, status] : request.finished)
    finished.push_back({{"id", id}, {"status", std::string(sdk::to_string(status))}});
  json doc = {{"protocol", external_protocol},
              {"phase", "order"},
              {"jobs", request.jobs},
              {"seed", request.seed},
              {"ready", std::move(ready)},
              {"running", request.running},
              {"finished", std::move(finished)},
              {"free",
               {{"slots", request.free.slots},
                {"cpus", request.free.cpus},
                {"mem_mib", request.free.mem_mib}}}};
  // Params come from test files: replace invalid UTF-8 rather than fail the job on it.
  return doc.dump(-1, ' ', false, json::error_handler_t::replace) + "\n";
}

std::vector<std::size_t> parse_answer(const std::string& stdout_data,
                                      const ExternalRequest& request) {
  json doc = json::parse(stdout_data, nullptr, false);
  if (doc.is_discarded()) throw sdk::Error("printed something that is not JSON");
  if (!doc.is_object() || !doc.contains("run"))
    throw sdk::Error("printed JSON without a \"run\" key");
  const json& run = doc["run"];
  if (!run.is_array()) throw sdk::Error("printed a \"run\" that is not an array of ids");

  std::map<std::string_view, std::size_t> ready;
  for (const auto& [index, test] : request.ready) ready.emplace(test->id, index);
  std::vector<std::size_t> chosen;
  std::set<std::string> seen;
  for (const json& item : run) {
    if (!item.is_string())
      throw sdk::Error("printed " + item.dump() + " in \"run\", which is not a test id string");
    const auto id = item.get<std::string>();
    auto it = ready.find(id);
    if (it == ready.end())
      throw sdk::Error("names '" + id + "', which is not ready (ready: " + ready_ids(request) +
                       ")");
    if (!seen.insert(id).second) throw sdk::Error("names '" + id + "' twice");
    chosen.push_back(it->second);
  }
  return chosen;
}

}  // namespace vt::schedulers
