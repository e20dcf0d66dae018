#include "external_scheduler.h"

#include <unistd.h>

#include <algorithm>
#include <filesystem>

#include "external_protocol.h"
#include "options.h"
#include "plan_graph.h"
#include "vt/sdk/error.h"

namespace vt::schedulers {

namespace {

constexpr const char* name = "external";
constexpr std::size_t excerpt_bytes = 200;

// The first bytes of a program's output, on one line, for an error message.
std::string excerpt(const std::string& text) {
  std::string_view view(text);
  while (!view.empty() && (view.back() == '\n' || view.back() == ' ' || view.back() == '\r'))
    view.remove_suffix(1);
  std::string out;
  for (char c : view.substr(0, excerpt_bytes)) {
    if (c == '\n')
      out += "\\n";
    else if (static_cast<unsigned char>(c) < 0x20 && c != '\t')
      out += '?';
    else
      out += c;
  }
  if (view.size() > excerpt_bytes) out += "…";
  return "'" + out + "'";
}

std::string check_program(const sdk::Params& options) {
  auto program = option(options, "program");
  if (!program || program->empty())
    throw sdk::ConfigError(
        "scheduler 'external': option 'program' is missing — name the program that chooses "
        "the tests, e.g. --scheduler-option program=./next-test");
  // A bare name is looked up in PATH when it runs; a path can be checked now.
  if (program->find('/') != std::string::npos) {
    std::error_code ec;
    if (!std::filesystem::is_regular_file(*program, ec) || ::access(program->c_str(), X_OK) != 0)
      throw sdk::ConfigError("scheduler 'external': program '" + *program +
                             "' is not an executable file (relative to '" +
                             std::filesystem::current_path(ec).string() +
                             "') — check the path, or chmod +x it");
  }
  return *program;
}

}  // namespace

ExternalScheduler::ExternalScheduler(sdk::Host& host, const sdk::SchedulerSpec& spec)
    : host_(host), jobs_(std::max(1u, spec.jobs)), seed_(spec.seed) {
  check_options(name, spec.options, {"program", "timeout"});
  program_ = check_program(spec.options);
  timeout_ = seconds_option(name, spec.options, "timeout", std::chrono::seconds(60));
}

std::vector<std::size_t> ExternalScheduler::select(const std::vector<sdk::TestInfo>& plan) {
  plan_ = plan;
  return all_indices(plan.size());
}

void ExternalScheduler::fail(const std::string& what, const sdk::ExecResult* result) const {
  std::string message = "scheduler 'external': program '" + program_ + "' " + what;
  if (result != nullptr)
    message +=
        "; stdout: " + excerpt(result->stdout_data) + ", stderr: " + excerpt(result->stderr_data);
  message +=
      " — expected exit status 0 and {\"run\": [\"id\", …]} on stdout naming ready "
      "tests (protocol " +
      std::string(external_protocol) + ", docs/scheduling.md)";
  if (result != nullptr && result->timed_out) throw sdk::TimeoutError(message);
  throw sdk::Error(message);
}

std::vector<std::size_t> ExternalScheduler::order(const std::vector<std::size_t>& ready,
                                                  const sdk::FreeCapacity& free) {
  if (ready.empty()) return {};
  check_ready(name, ready, plan_.size());

  ExternalRequest request;
  request.jobs = jobs_;
  request.seed = seed_;
  request.free = free;
  std::set<std::size_t> ready_set(ready.begin(), ready.end());
  for (std::size_t i : in_plan_order(ready)) request.ready.emplace_back(i, &plan_[i]);
  // A test returned before and no longer ready has started (the core never un-readies one).
  for (std::size_t i : started_)
    if (ready_set.count(i) == 0) request.running.push_back(plan_[i].id);
  request.finished = finished_;

  sdk::ExecRequest exec;
  exec.argv = {program_};
  exec.stdin_data = render_request(request);
  exec.timeout = timeout_;
  sdk::ExecResult result;
  try {
    result = host_.run(exec, nullptr);
  } catch (const sdk::Error& e) {
    fail(std::string("could not be started: ") + e.what(), nullptr);
  }
  if (result.timed_out)
    fail("gave no answer within " + std::to_string(timeout_.count()) +
             " s (option timeout) and was killed",
         &result);
  if (result.exit_status != 0)
    fail("exited with status " + std::to_string(result.exit_status), &result);

  std::vector<std::size_t> chosen;
  try {
    chosen = parse_answer(result.stdout_data, request);
  } catch (const sdk::Error& e) {
    fail(e.what(), &result);
  }
  std::string ids;
  for (std::size_t i : chosen) ids += (ids.empty() ? "" : " ") + plan_[i].id;
  host_.log(sdk::LogLevel::debug, "scheduler external",
            "of " + std::to_string(ready.size()) + " ready, '" + program_ +
                "' chose: " + (ids.empty() ? "none" : ids));
  started_.insert(chosen.begin(), chosen.end());
  return chosen;
}

void ExternalScheduler::completed(std::size_t index, sdk::Status status) {
  started_.erase(index);
  if (index < plan_.size()) finished_.emplace_back(plan_[index].id, status);
}

}  // namespace vt::schedulers
