#include "state_store.h"

#include <unistd.h>

#include <memory>

#include "channels.h"
#include "vt/sdk/error.h"
#include "vt/sdk/files.h"

namespace vt::qemu {

namespace fs = std::filesystem;

namespace {

std::mutex stores_mutex;
std::map<sdk::Host*, std::unique_ptr<StateStore>>& stores() {
  static auto* map = new std::map<sdk::Host*, std::unique_ptr<StateStore>>();  // never freed:
  return *map;  // a store may be dropped from a Host's destructor during exit
}

void drop_store(void* host) {
  std::unique_ptr<StateStore> store;
  {
    std::lock_guard lock(stores_mutex);
    auto it = stores().find(static_cast<sdk::Host*>(host));
    if (it == stores().end()) return;
    store = std::move(it->second);
    stores().erase(it);
  }
}

}  // namespace

StateStore& StateStore::of(sdk::Host& host) {
  std::lock_guard lock(stores_mutex);
  auto& slot = stores()[&host];
  if (!slot) {
    slot = std::make_unique<StateStore>(host);
    host.at_shutdown(&drop_store, &host);
  }
  return *slot;
}

StateStore::StateStore(sdk::Host& host) : host_(host) {
  root_ = fs::temp_directory_path() /
          ("vtrun-qemu-states-" + std::to_string(getpid()) + "-" + random_hex());
  ledger_token_ = host_.ledger().record(
      {"vm-state", root_.string(), {"rm", "-rf", "--", root_.string()}, std::nullopt});
}

StateStore::~StateStore() {
  std::error_code ec;
  fs::remove_all(root_, ec);
  host_.ledger().release(ledger_token_);
}

std::optional<SavedState> StateStore::find_or_claim(const std::string& key,
                                                    std::chrono::steady_clock::time_point deadline,
                                                    bool& claimed) {
  claimed = false;
  std::unique_lock lock(mutex_);
  for (;;) {
    auto it = entries_.find(key);
    if (it == entries_.end()) {
      entries_[key].dir = root_ / std::to_string(next_dir_++);
      claimed = true;
      return std::nullopt;
    }
    if (it->second.phase == Entry::Phase::ready) return it->second.state;
    if (it->second.phase == Entry::Phase::failed) return std::nullopt;
    if (changed_.wait_until(lock, deadline) == std::cv_status::timeout) return std::nullopt;
  }
}

fs::path StateStore::dir_for(const std::string& key) {
  fs::path dir;
  {
    std::lock_guard lock(mutex_);
    dir = entries_.at(key).dir;
  }
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) throw sdk::Error("cannot create '" + dir.string() + "': " + ec.message());
  return dir;
}

std::pair<fs::path, std::string> StateStore::ssh_key() {
  std::lock_guard lock(mutex_);
  if (ssh_key_.empty()) {
    const fs::path dir = root_ / "ssh";
    std::error_code ec;
    fs::create_directories(dir, ec);
    sdk::ExecRequest req;
    req.argv = {"ssh-keygen", "-q", "-t",    "ed25519", "-N",
                "",           "-C", "vtrun", "-f",      (dir / "id").string()};
    req.timeout = std::chrono::seconds(30);
    const auto r = host_.run(req, nullptr);
    if (r.exit_status != 0)
      throw sdk::UnavailableError("ssh-keygen failed (install openssh-client): " + r.stderr_data);
    std::string pub = sdk::read_file(dir / "id.pub");
    while (!pub.empty() && (pub.back() == '\n' || pub.back() == ' ')) pub.pop_back();
    ssh_key_ = dir / "id";
    ssh_public_ = pub;
  }
  return {ssh_key_, ssh_public_};
}

void StateStore::publish(const std::string& key, SavedState state) {
  std::lock_guard lock(mutex_);
  Entry& e = entries_[key];
  e.state = std::move(state);
  e.phase = Entry::Phase::ready;
  changed_.notify_all();
}

void StateStore::abandon(const std::string& key) {
  std::lock_guard lock(mutex_);
  Entry& e = entries_[key];
  e.phase = Entry::Phase::failed;
  std::error_code ec;
  fs::remove_all(e.dir, ec);
  changed_.notify_all();
}

}  // namespace vt::qemu
