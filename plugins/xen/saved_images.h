// The job's `xl save` images, for warm starts: the first testbed that boots a guest saves it
// right after boot (memory image plus the COW store as the disk then was), and every later open
// or revert of the same guest in the same slot restores from there instead of booting. The
// images live in dom0, are in the resource ledger while they exist, and go when the Host (the
// job) ends.
#pragma once

#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "vt/sdk/host.h"

namespace vt::xen {

struct SavedImage {
  std::string memory;  ///< dom0 path of the `xl save` file
  std::string disk;    ///< dom0 path of the COW store at save time
};

class SavedImages {
 public:
  /// The registry of `host`, made on first use. Thread-safe.
  static SavedImages& of(sdk::Host& host);
  explicit SavedImages(sdk::Host& host) : host_(host) {}

  /// The image saved under `key`, if any.
  bool find(const std::string& key, SavedImage& image);
  /// Records a saved image: `remove_argv` is the host command that deletes its files,
  /// `ledger_token` the ledger entry the caller made before saving (released when removed).
  void publish(const std::string& key, SavedImage image, std::vector<std::string> remove_argv,
               std::string ledger_token);
  /// Deletes every image (end of the job).
  void remove_all() noexcept;

 private:
  struct Entry {
    SavedImage image;
    std::vector<std::string> remove_argv;
    std::string ledger_token;
  };
  sdk::Host& host_;
  std::mutex mutex_;
  std::map<std::string, Entry> entries_;
};

}  // namespace vt::xen
