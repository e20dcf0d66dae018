#include "saved_images.h"

#include <memory>

namespace vt::xen {

namespace {

struct Registry {
  std::mutex mutex;
  std::map<sdk::Host*, std::unique_ptr<SavedImages>> stores;
};

Registry& registry() {
  static Registry r;
  return r;
}

void end_of_job(void* context) {
  auto* host = static_cast<sdk::Host*>(context);
  std::unique_ptr<SavedImages> store;
  {
    std::lock_guard lock(registry().mutex);
    auto it = registry().stores.find(host);
    if (it == registry().stores.end()) return;
    store = std::move(it->second);
    registry().stores.erase(it);
  }
  store->remove_all();
}

}  // namespace

SavedImages& SavedImages::of(sdk::Host& host) {
  std::lock_guard lock(registry().mutex);
  auto& slot = registry().stores[&host];
  if (!slot) {
    slot = std::make_unique<SavedImages>(host);
    host.at_shutdown(&end_of_job, &host);
  }
  return *slot;
}

bool SavedImages::find(const std::string& key, SavedImage& image) {
  std::lock_guard lock(mutex_);
  auto it = entries_.find(key);
  if (it == entries_.end()) return false;
  image = it->second.image;
  return true;
}

void SavedImages::publish(const std::string& key, SavedImage image,
                          std::vector<std::string> remove_argv, std::string ledger_token) {
  Entry e{std::move(image), std::move(remove_argv), std::move(ledger_token)};
  std::lock_guard lock(mutex_);
  entries_[key] = std::move(e);
}

void SavedImages::remove_all() noexcept {
  std::map<std::string, Entry> entries;
  {
    std::lock_guard lock(mutex_);
    entries.swap(entries_);
  }
  for (auto& [key, e] : entries) {
    try {
      sdk::ExecRequest req;
      req.argv = e.remove_argv;
      req.timeout = std::chrono::seconds(60);
      if (host_.run(req, nullptr).exit_status == 0) host_.ledger().release(e.ledger_token);
    } catch (const std::exception& ex) {
      host_.log(
          sdk::LogLevel::warn, "xen",
          std::string("cannot remove ") + e.image.memory + ": " + ex.what() + " (vtrun gc will)");
    }
  }
}

}  // namespace vt::xen
