// Sweeping the resource ledger: an entry is dropped only once its owner is surely dead, i.e.
// no process has its pid with the start time it recorded (pids are recycled).
#include "vt/core/ledger_sweep.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "vt/core/process.h"
#include "vt/sdk/error.h"
#include "vt/sdk/files.h"

namespace vt::core {

namespace fs = std::filesystem;
using Action = SweepItem::Action;

bool is_same_process(int pid, const std::optional<std::uint64_t>& recorded_start) {
  const auto start = process_start_time(pid);
  return start && (!recorded_start || *start == *recorded_start);
}

std::optional<std::uint64_t> process_start_time(pid_t pid) {
  if (pid <= 0) return std::nullopt;
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string text;
  if (!std::getline(in, text)) return std::nullopt;
  // The command name is in parentheses and may contain anything: fields count from the last ')'.
  const auto close = text.rfind(')');
  if (close == std::string::npos) return std::nullopt;
  std::istringstream fields(text.substr(close + 1));
  std::string state;
  fields >> state;  // field 3
  if (state == "Z" || state == "X") return std::nullopt;
  std::string skip;
  for (int field = 4; field < 22 && fields >> skip; ++field) {
  }
  std::uint64_t start = 0;
  if (!(fields >> start)) return std::nullopt;
  return start;
}

std::size_t SweepReport::count(Action action) const {
  return static_cast<std::size_t>(std::count_if(
      items.begin(), items.end(), [action](const SweepItem& i) { return i.action == action; }));
}

namespace {

struct Entry {
  std::string kind;
  std::string name;
  std::vector<std::string> cleanup;
  int owner_pid = 0;
  std::optional<std::uint64_t> owner_start;
  std::optional<int> pid;
  std::optional<std::uint64_t> pid_start;
};

// nlohmann's message without its "[json.exception.type_error.302] " prefix.
std::string json_reason(const nlohmann::json::exception& e) {
  std::string text = e.what();
  if (const auto end = text.find("] ");
      text.rfind("[json.exception.", 0) == 0 && end != std::string::npos)
    text.erase(0, end + 2);
  return text;
}

Entry parse_fields(const nlohmann::json& doc) {
  if (!doc.is_object()) throw sdk::Error("not a JSON object");
  for (const char* key : {"kind", "name", "cleanup", "owner_pid"})
    if (!doc.contains(key)) throw sdk::Error(std::string("no '") + key + "' field");
  Entry e;
  e.kind = doc.at("kind").get<std::string>();
  e.name = doc.at("name").get<std::string>();
  e.cleanup = doc.at("cleanup").get<std::vector<std::string>>();
  e.owner_pid = doc.at("owner_pid").get<int>();
  if (doc.contains("owner_start")) e.owner_start = doc.at("owner_start").get<std::uint64_t>();
  if (doc.contains("pid")) e.pid = doc.at("pid").get<int>();
  if (doc.contains("pid_start")) e.pid_start = doc.at("pid_start").get<std::uint64_t>();
  return e;
}

// Throws sdk::Error with a one-line reason.
Entry parse_entry(const fs::path& file) {
  try {
    return parse_fields(nlohmann::json::parse(sdk::read_file(file)));
  } catch (const nlohmann::json::exception& e) {
    throw sdk::Error(json_reason(e));
  }
}

std::string command_text(const std::vector<std::string>& argv) {
  std::string out;
  for (const auto& a : argv) out += (out.empty() ? "" : " ") + a;
  return out;
}

std::string first_line(const std::string& text) {
  const auto start = text.find_first_not_of(" \t\r\n");
  if (start == std::string::npos) return {};
  return text.substr(start, text.find('\n', start) - start);
}

// Kills the entry's process and runs its cleanup; sets `item.action` to failed when the
// resource may still exist.
void clean_up(const Entry& e, SweepItem& item, sdk::Host& host, const SweepOptions& options) {
  if (e.pid && *e.pid > 1 && is_same_process(*e.pid, e.pid_start)) {
    if (options.dry_run) {
      item.notes.push_back("would kill pid " + std::to_string(*e.pid));
    } else {
      const std::string who = "pid " + std::to_string(*e.pid);
      if (kill(*e.pid, 0) != 0 && errno == EPERM) {
        item.action = Action::failed;
        item.notes.push_back("not allowed to kill " + who + " — run vtrun gc as its owner");
        return;
      }
      kill_process_tree(*e.pid, 0, /*spare_root=*/false);
      if (is_same_process(*e.pid, e.pid_start)) {
        item.action = Action::failed;
        item.notes.push_back(who + " survived SIGKILL");
        return;
      }
      item.notes.push_back("killed pid " + std::to_string(*e.pid));
    }
  }
  if (e.cleanup.empty() || options.dry_run) return;
  sdk::ExecRequest request;
  request.argv = e.cleanup;
  request.timeout = options.cleanup_timeout;
  const std::string command = "`" + command_text(e.cleanup) + "`";
  sdk::ExecResult result;
  try {
    result = host.run(request, nullptr);
  } catch (const std::exception& ex) {
    item.action = Action::failed;
    item.notes.push_back("cleanup " + command + " cannot start: " + ex.what());
    return;
  }
  if (result.timed_out) {
    item.action = Action::failed;
    item.notes.push_back("cleanup " + command + " timed out after " +
                         std::to_string(options.cleanup_timeout.count() / 1000) + " s");
    return;
  }
  if (result.exit_status != 0) {
    // Not a failure: `pkill` exits 1 when the process is gone already, `rm` complains about a
    // file that is. The command did what it could; keeping the entry would only repeat it.
    std::string note = "cleanup " + command + " exited " + std::to_string(result.exit_status);
    if (const auto why = first_line(result.stderr_data); !why.empty()) note += ": " + why;
    item.notes.push_back(note);
  }
}

// Held while sweeping, so concurrent sweeps (two `vtrun run` starting) do not both clean up.
class SweepLock {
 public:
  explicit SweepLock(const fs::path& dir) {
    fd_ = open((dir / ".sweep.lock").c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd_ >= 0) flock(fd_, LOCK_EX);
  }
  ~SweepLock() {
    if (fd_ >= 0) close(fd_);
  }
  SweepLock(const SweepLock&) = delete;
  SweepLock& operator=(const SweepLock&) = delete;

 private:
  int fd_ = -1;
};

}  // namespace

SweepReport sweep_ledger(const fs::path& dir, sdk::Host& host, const SweepOptions& options) {
  SweepReport report;
  std::error_code ec;
  if (!fs::exists(dir, ec)) return report;
  std::optional<SweepLock> lock;
  if (!options.dry_run) lock.emplace(dir);
  std::vector<fs::path> files;
  for (const auto& ent : fs::directory_iterator(dir, ec))
    if (ent.path().extension() == ".json" && ent.is_regular_file()) files.push_back(ent.path());
  if (ec) throw sdk::Error("cannot list the ledger '" + dir.string() + "': " + ec.message());
  std::sort(files.begin(), files.end());

  for (const auto& file : files) {
    SweepItem item;
    item.file = file;
    Entry e;
    try {
      e = parse_entry(file);
    } catch (const std::exception& ex) {
      // Gone meanwhile: another sweep (or its owner) removed it.
      if (!fs::exists(file, ec)) continue;
      item.action = Action::unreadable;
      item.notes.push_back(first_line(ex.what()));
      report.items.push_back(std::move(item));
      continue;
    }
    item.kind = e.kind;
    item.name = e.name;
    item.owner_pid = e.owner_pid;
    if (is_same_process(e.owner_pid, e.owner_start)) {
      item.action = Action::kept;
      report.items.push_back(std::move(item));
      continue;
    }
    item.action = Action::removed;
    clean_up(e, item, host, options);
    if (item.action == Action::removed && !options.dry_run && !fs::remove(file, ec) && ec) {
      item.action = Action::failed;
      item.notes.push_back("cannot delete '" + file.string() + "': " + ec.message());
    }
    report.items.push_back(std::move(item));
  }
  return report;
}

}  // namespace vt::core
