// Saved VM states for fast reverts, one store per Host (= per job). The first testbed that
// boots a given guest (same state_key) saves its RAM and devices right after boot, with its disk
// overlays frozen as read-only layers; every later open or revert of that guest restores from
// there instead of booting. The store's directory is in the resource ledger before anything is
// written to it, and goes when the Host ends.
#pragma once

#include <condition_variable>
#include <filesystem>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "vt/sdk/host.h"

namespace vt::qemu {

struct SavedState {
  std::filesystem::path vmstate;              ///< QEMU's migration stream
  std::vector<std::filesystem::path> layers;  ///< disk contents at save time, one per disk
  std::filesystem::path boot_console;         ///< the console output of the boot it froze
};

class StateStore {
 public:
  /// The store of `host`, made on first use. Thread-safe.
  static StateStore& of(sdk::Host& host);

  explicit StateStore(sdk::Host& host);
  ~StateStore();

  /// The state for `key`. When there is none and nobody is making it, returns nullopt and sets
  /// `claimed`: the caller must then publish() or abandon(). When another testbed is making it,
  /// waits for that (until `deadline`).
  std::optional<SavedState> find_or_claim(const std::string& key,
                                          std::chrono::steady_clock::time_point deadline,
                                          bool& claimed);
  /// Where a claimer writes the files of `key`'s state (created on demand).
  std::filesystem::path dir_for(const std::string& key);
  void publish(const std::string& key, SavedState state);
  /// The job's ssh key pair (made on first use): the private key's path and the public line.
  std::pair<std::filesystem::path, std::string> ssh_key();

  /// The claim failed (saving is impossible for this guest): later opens boot cold.
  void abandon(const std::string& key);

 private:
  struct Entry {
    enum class Phase { making, ready, failed } phase = Phase::making;
    SavedState state;
    std::filesystem::path dir;
  };
  sdk::Host& host_;
  std::mutex mutex_;
  std::condition_variable changed_;
  std::filesystem::path root_;
  std::string ledger_token_;
  std::map<std::string, Entry> entries_;
  unsigned next_dir_ = 0;
  std::filesystem::path ssh_key_;
  std::string ssh_public_;
};

}  // namespace vt::qemu
