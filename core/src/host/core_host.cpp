#include "vt/core/core_host.h"

#include <spdlog/logger.h>
#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "vt/core/process.h"
#include "vt/sdk/error.h"

namespace vt::core {

namespace fs = std::filesystem;

struct CoreHost::Logging {
  std::mutex mutex;
  std::shared_ptr<spdlog::sinks::sink> console;
  std::shared_ptr<spdlog::logger> logger;
};

namespace {
spdlog::level::level_enum to_spdlog(sdk::LogLevel level) {
  switch (level) {
    case sdk::LogLevel::trace:
      return spdlog::level::trace;
    case sdk::LogLevel::debug:
      return spdlog::level::debug;
    case sdk::LogLevel::info:
      return spdlog::level::info;
    case sdk::LogLevel::warn:
      return spdlog::level::warn;
    case sdk::LogLevel::error:
      return spdlog::level::err;
  }
  return spdlog::level::info;
}

fs::path xdg_dir(const char* var, const char* fallback_under_home) {
  if (const char* v = std::getenv(var); v != nullptr && *v == '/') return v;
  const char* home = std::getenv("HOME");
  return fs::path(home != nullptr ? home : "/tmp") / fallback_under_home;
}
}  // namespace

CoreHost::CoreHost(fs::path ledger_dir, int verbosity)
    : logging_(std::make_unique<Logging>()), ledger_(std::move(ledger_dir)) {
  logging_->console = std::make_shared<spdlog::sinks::stderr_color_sink_mt>();
  logging_->console->set_level(verbosity >= 2   ? spdlog::level::debug
                               : verbosity == 1 ? spdlog::level::info
                                                : spdlog::level::warn);
  logging_->console->set_pattern("vtrun: %l: %v");
  logging_->logger = std::make_shared<spdlog::logger>("vtrun", logging_->console);
  logging_->logger->set_level(spdlog::level::debug);
}

CoreHost::~CoreHost() {
  std::vector<std::pair<void (*)(void*), void*>> callbacks;
  {
    std::lock_guard lock(scratch_mutex_);
    callbacks.swap(shutdown_callbacks_);
  }
  for (auto it = callbacks.rbegin(); it != callbacks.rend(); ++it) it->first(it->second);
  std::error_code ec;
  for (const auto& dir : scratch_dirs_) fs::remove_all(dir, ec);
  if (logging_->logger) logging_->logger->flush();
}

void CoreHost::attach_log_file(const fs::path& file) {
  auto file_sink = std::make_shared<spdlog::sinks::basic_file_sink_mt>(file.string(), true);
  file_sink->set_pattern("%Y-%m-%d %H:%M:%S.%e %-5l %v");
  auto logger = std::make_shared<spdlog::logger>(
      "vtrun", spdlog::sinks_init_list{logging_->console, file_sink});
  logger->set_level(spdlog::level::debug);
  logger->flush_on(spdlog::level::debug);
  std::lock_guard lock(logging_->mutex);
  logging_->logger = std::move(logger);
}

void CoreHost::log(sdk::LogLevel level, std::string_view component, std::string_view message) {
  std::shared_ptr<spdlog::logger> logger;
  {
    std::lock_guard lock(logging_->mutex);
    logger = logging_->logger;
  }
  logger->log(to_spdlog(level), "[{}] {}", component, message);
}

sdk::ExecResult CoreHost::run(const sdk::ExecRequest& request, sdk::OutputSink* sink) {
  return run_process(request, sink);
}

std::unique_ptr<sdk::Process> CoreHost::spawn(const sdk::ExecRequest& request,
                                              sdk::OutputSink* sink) {
  return spawn_process(request, sink);
}

fs::path CoreHost::make_scratch_dir(std::string_view purpose) {
  std::string name;
  for (char c : purpose) name += std::isalnum(static_cast<unsigned char>(c)) ? c : '-';
  std::string templ = (fs::temp_directory_path() / ("vtrun-" + name + "-XXXXXX")).string();
  if (mkdtemp(templ.data()) == nullptr)
    throw sdk::Error("cannot create a scratch directory in '" + fs::temp_directory_path().string() +
                     "': " + std::strerror(errno));
  std::lock_guard lock(scratch_mutex_);
  scratch_dirs_.emplace_back(templ);
  return templ;
}

void CoreHost::at_shutdown(void (*callback)(void* context), void* context) {
  std::lock_guard lock(scratch_mutex_);
  shutdown_callbacks_.emplace_back(callback, context);
}

fs::path CoreHost::default_ledger_dir() {
  return xdg_dir("XDG_STATE_HOME", ".local/state") / "vtrun" / "ledger";
}

}  // namespace vt::core
