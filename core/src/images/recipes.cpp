// Finding image recipes: the folders NAME/ with an executable build.sh on the search path.
#include <unistd.h>

#include <algorithm>
#include <cstdlib>

#include "vt/core/images.h"

namespace vt::core {

namespace fs = std::filesystem;

std::vector<fs::path> image_search_path(const std::optional<fs::path>& images_dir) {
  std::vector<fs::path> dirs;
  auto add = [&dirs](const fs::path& d) {
    std::error_code ec;
    if (d.empty() || !fs::is_directory(d, ec)) return;
    const fs::path abs = fs::absolute(d, ec).lexically_normal();
    if (std::find(dirs.begin(), dirs.end(), abs) == dirs.end()) dirs.push_back(abs);
  };
  if (images_dir) add(*images_dir);
  if (const char* env = std::getenv("VTRUN_IMAGES_DIR")) add(env);
  std::error_code ec;
  const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  // The source tree's recipes, only for the build tree's own vtrun (as for its plugins).
  if (!ec && exe.parent_path() == fs::path(VTRUN_BUILD_BIN_DIR)) add(VTRUN_SOURCE_IMAGES_DIR);
  if (!ec) add(exe.parent_path().parent_path() / VTRUN_INSTALL_DATADIR / "vtrun" / "images");
  add(VTRUN_INSTALL_FULL_DATADIR "/vtrun/images");
  return dirs;
}

std::vector<ImageRecipe> find_recipes(const std::vector<fs::path>& dirs) {
  std::vector<ImageRecipe> out;
  for (const auto& dir : dirs) {
    std::error_code ec;
    for (const auto& ent : fs::directory_iterator(dir, ec)) {
      const std::string name = ent.path().filename().string();
      if (name.empty() || name[0] == '.' || !ent.is_directory(ec)) continue;
      const fs::path script = ent.path() / "build.sh";
      if (!fs::is_regular_file(script, ec) || access(script.c_str(), X_OK) != 0) continue;
      const bool known = std::any_of(out.begin(), out.end(),
                                     [&name](const ImageRecipe& r) { return r.name == name; });
      if (!known) out.push_back({name, ent.path()});
    }
  }
  std::sort(out.begin(), out.end(),
            [](const ImageRecipe& a, const ImageRecipe& b) { return a.name < b.name; });
  return out;
}

ImageRecipe find_recipe(const std::string& name, const std::vector<fs::path>& dirs) {
  const auto recipes = find_recipes(dirs);
  for (const auto& r : recipes)
    if (r.name == name) return r;
  std::string known, where;
  for (const auto& r : recipes) known += (known.empty() ? "" : ", ") + r.name;
  for (const auto& d : dirs) where += (where.empty() ? "" : ", ") + d.string();
  throw sdk::ConfigError("unknown image '" + name +
                         "' — recipes found: " + (known.empty() ? "none" : known) +
                         "; looked in: " + (where.empty() ? "no existing directory" : where) +
                         "; a recipe is a folder NAME/ with an executable build.sh "
                         "(--images-dir DIR or $VTRUN_IMAGES_DIR add a directory)");
}

ImageBuildError::~ImageBuildError() = default;

}  // namespace vt::core
