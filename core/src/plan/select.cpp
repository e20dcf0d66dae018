#include <fnmatch.h>

#include <algorithm>
#include <map>
#include <set>
#include <sstream>

#include "vt/core/plan.h"
#include "vt/sdk/error.h"

namespace vt::core {

namespace {

// A group is what comes before a '.' (native and Cartesian ids) or a '/' (pv-test ids, which
// are paths): `boot` selects `boot.smoke`, `local/core` selects `local/core/x`, and `loc`
// selects neither.
bool in_group(const std::string& id, const std::string& group) {
  return id.size() > group.size() && id.compare(0, group.size(), group) == 0 &&
         (id[group.size()] == '.' || id[group.size()] == '/');
}

// `local/core/` (a shell's completion of a pv-test directory) is `local/core`.
std::string without_trailing_slashes(const std::string& s) {
  const std::size_t end = s.find_last_not_of('/');
  return end == std::string::npos ? s : s.substr(0, end + 1);
}

bool selector_matches(const TestCase& t, const std::string& s) {
  if (t.id == s || t.provider == s) return true;
  const std::string group = without_trailing_slashes(s);
  if (t.id == group || in_group(t.id, group)) return true;
  if (s.find_first_of("*?[") != std::string::npos) return fnmatch(s.c_str(), t.id.c_str(), 0) == 0;
  return false;
}

}  // namespace

bool tags_match(const std::vector<std::string>& tags, const std::string& expression) {
  std::stringstream ss(expression);
  std::string term;
  while (std::getline(ss, term, ',')) {
    if (term.empty()) continue;
    const bool negated = term[0] == '-';
    const std::string tag = negated ? term.substr(1) : term;
    const bool has = std::find(tags.begin(), tags.end(), tag) != tags.end();
    if (has == negated) return false;
  }
  return true;
}

std::vector<TestCase> select_tests(const std::vector<TestCase>& all, const Selection& selection) {
  std::vector<bool> chosen(all.size(), selection.selectors.empty());
  for (const auto& s : selection.selectors) {
    bool any = false;
    for (std::size_t i = 0; i < all.size(); ++i)
      if (selector_matches(all[i], s)) chosen[i] = any = true;
    if (!any)
      throw sdk::ConfigError("selector '" + s +
                             "' matches no test — `vtrun list` shows the available ids");
  }
  if (!selection.tag_filters.empty())
    for (std::size_t i = 0; i < all.size(); ++i)
      chosen[i] = chosen[i] &&
                  std::any_of(selection.tag_filters.begin(), selection.tag_filters.end(),
                              [&](const std::string& e) { return tags_match(all[i].tags, e); });

  // Pull in what the chosen tests depend on, so selecting one test runs what it needs.
  std::map<std::string, std::size_t> index_of;
  for (std::size_t i = 0; i < all.size(); ++i) index_of.emplace(all[i].id, i);
  std::vector<std::size_t> todo;
  for (std::size_t i = 0; i < all.size(); ++i)
    if (chosen[i]) todo.push_back(i);
  while (!todo.empty()) {
    const TestCase& t = all[todo.back()];
    todo.pop_back();
    for (const auto& dep : t.depends) {
      auto it = index_of.find(dep);
      if (it == index_of.end())
        throw sdk::ConfigError(t.source.string(), t.line,
                               "test '" + t.id + "' depends on '" + dep +
                                   "', which no provider defines — fix `depends`");
      if (!chosen[it->second]) {
        chosen[it->second] = true;
        todo.push_back(it->second);
      }
    }
  }
  std::vector<TestCase> out;
  for (std::size_t i = 0; i < all.size(); ++i)
    if (chosen[i]) out.push_back(all[i]);
  check_dependency_cycles(out);
  return out;
}

}  // namespace vt::core
