#include "discovery/type_programs.h"

#include <unistd.h>

#include <system_error>

namespace vt::core::detail {

namespace fs = std::filesystem;

namespace {

std::string in_quotes(const std::string& s) {
  return "'" + s + "'";
}

std::string join_names(const std::vector<fs::path>& files) {
  std::string out;
  for (const auto& f : files) out += (out.empty() ? "" : ", ") + f.filename().string();
  return out;
}

}  // namespace

TypePrograms::TypePrograms(fs::path tests_dir) : dir_(std::move(tests_dir)) {}

const TypePrograms::Found& TypePrograms::find(const std::string& type) {
  if (const auto it = cache_.find(type); it != cache_.end()) return it->second;
  return cache_.emplace(type, look_up(type)).first->second;
}

TypePrograms::Found TypePrograms::look_up(const std::string& type) {
  const std::string where = in_quotes(dir_.string());
  if (type.empty())
    return {{},
            "the dict sets no 'type' — set `type = NAME` for a program tests/NAME or "
            "tests/NAME.<ext> in the provider"};
  if (type.find_first_of(" \t") != std::string::npos)
    return {{},
            "'type' is " + in_quotes(type) +
                ", several programs — vtrun runs one program per test; give each its own "
                "variant"};
  if (type.find('/') != std::string::npos || type == "." || type == "..")
    return {{},
            "'type' is " + in_quotes(type) + ", expected a program name in " + where +
                " without '/' — fix `type`"};
  if (!scanned_) {
    scanned_ = true;
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(dir_, ec)) {
      std::error_code file_ec;
      if (entry.is_regular_file(file_ec))
        by_stem_.emplace(entry.path().stem().string(), entry.path());
    }
  }
  std::vector<fs::path> programs, others;
  const auto [first, last] = by_stem_.equal_range(type);
  for (auto it = first; it != last; ++it)
    (access(it->second.c_str(), X_OK) == 0 ? programs : others).push_back(it->second);
  // `boot` itself has the empty extension and so the stem `boot`, like boot.sh.
  if (programs.size() == 1) return {{programs.front().string()}, {}};
  if (programs.size() > 1)
    return {{},
            "type " + in_quotes(type) + " matches several programs in " + where + " (" +
                join_names(programs) + ") — keep one of them"};
  if (!others.empty())
    return {{},
            "type " + in_quotes(type) + ": " + join_names(others) + " in " + where +
                (others.size() == 1 ? " is" : " are") +
                " not executable — vtrun runs the type's program itself: make it executable "
                "(chmod +x, with a #! line)"};
  return {{},
          "no program for type " + in_quotes(type) + " in " + where + " (looked for " + type +
              " and " + type + ".*) — add an executable tests/" + type +
              ".sh (or any language), or fix `type`"};
}

}  // namespace vt::core::detail
