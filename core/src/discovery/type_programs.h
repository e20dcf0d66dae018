// The program a Cartesian dict's `type` names. Avocado-VT imports `tests/<type>.py` and calls
// its run(); vtrun runs `tests/<type>` or `tests/<type>.<ext>` as a program, so tests can be
// written in any language.
#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace vt::core::detail {

class TypePrograms {
 public:
  /// `tests_dir`: the provider subdir's `tests/`, read once, on the first lookup.
  explicit TypePrograms(std::filesystem::path tests_dir);

  struct Found {
    std::vector<std::string> command;  ///< the absolute program; empty when none fits
    std::string why_not;               ///< for people, when `command` is empty
  };
  /// The program for `type` (the dict's value; empty when the dict has no `type`).
  const Found& find(const std::string& type);

 private:
  Found look_up(const std::string& type);

  std::filesystem::path dir_;
  bool scanned_ = false;
  std::multimap<std::string, std::filesystem::path> by_stem_;  // regular files of dir_
  std::map<std::string, Found> cache_;
};

}  // namespace vt::core::detail
