// Guest images built from recipes (`vtrun image build|list`). A recipe is a folder NAME/ with an
// executable build.sh: `build.sh --inputs` prints what the build depends on besides the folder
// (package versions), `build.sh OUTDIR` builds into the empty OUTDIR and leaves image.json
// there. Builds are cached in sdk::cache_dir()/images/NAME/<hash>/, keyed by a hash of the
// folder and the inputs; `current` links to the newest build.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "vt/sdk/error.h"
#include "vt/sdk/host.h"

namespace vt::core {

struct ImageRecipe {
  std::string name;
  std::filesystem::path dir;  ///< the recipe folder, holding an executable build.sh
};

/// Where recipe folders are looked for, in order: `images_dir` (--images-dir),
/// $VTRUN_IMAGES_DIR, the source tree's images/ (only for the build tree's own vtrun),
/// `<exe dir>/../share/vtrun/images`, the install datadir's vtrun/images. Only existing
/// directories, each once.
std::vector<std::filesystem::path> image_search_path(
    const std::optional<std::filesystem::path>& images_dir);

/// The recipes in `dirs`, sorted by name; a name found in two directories is the first one's.
std::vector<ImageRecipe> find_recipes(const std::vector<std::filesystem::path>& dirs);

/// The recipe `name`. Throws sdk::ConfigError listing the recipes found and where it looked.
ImageRecipe find_recipe(const std::string& name, const std::vector<std::filesystem::path>& dirs);

/// SHA-256 (hex) over the recipe folder (sorted relative paths, contents, executable bits,
/// link targets) and the stdout of `build.sh --inputs`, which it runs through `host`. Throws
/// sdk::Error when build.sh --inputs cannot run or fails.
std::string recipe_hash(const ImageRecipe& recipe, sdk::Host& host);

/// sdk::cache_dir()/images/NAME: the builds, `current`, `.lock`.
std::filesystem::path image_cache_dir(const std::string& name);

enum class ImageState { built, stale, not_built };
/// "built", "stale", "not built".
const char* to_string(ImageState state) noexcept;

struct ImageStatus {
  ImageState state = ImageState::not_built;
  std::filesystem::path dir;  ///< built: the build for `hash`; stale: `current`'s; else empty
};

/// Whether the build for `hash` (recipe_hash) is in the cache; reads only the cache.
ImageStatus image_status(const ImageRecipe& recipe, const std::string& hash);

struct ImageBuildOptions {
  bool force = false;                  ///< build even when the cache is up to date
  sdk::OutputSink* output = nullptr;   ///< build.sh's output and vtrun's notes; null: dropped
  bool (*stop_requested)() = nullptr;  ///< polled while build.sh runs; true kills it
};

struct ImageBuildResult {
  std::filesystem::path dir;  ///< the complete image directory (holds image.json)
  bool built = false;         ///< false: it was up to date
};

/// The recipe failed (build.sh exited non-zero, left no image.json, or was interrupted). Its
/// temporary output directory is gone.
class ImageBuildError : public sdk::Error {
 public:
  ImageBuildError(const std::string& message, int exit_status)
      : sdk::Error(message), exit_status_(exit_status) {}
  ~ImageBuildError() override;
  int exit_status() const noexcept { return exit_status_; }  ///< build.sh's (0: no image.json)

 private:
  int exit_status_;
};

/// Builds `recipe` unless its current build is complete (or with `force`): into a fresh
/// `.build-XXXXXX` next to the builds, renamed to the hash when it succeeded, then `current`
/// is repointed atomically and all but it and the build before it are removed. Holds an
/// flock on `.lock` meanwhile, so concurrent builds of one image wait for each other.
/// Throws ImageBuildError when the recipe fails, sdk::Error when the cache is unusable.
ImageBuildResult build_image(const ImageRecipe& recipe, sdk::Host& host,
                             const ImageBuildOptions& options = {});

/// A container image (image.json names `import_as`, as appengine-standin's does): imports its
/// root file system into the container engine with image.json's `entrypoint`, unless the
/// engine has that name from this very file already (label `vtrun.imported-from`, which the
/// appengine backend reads too). `engine`: "auto" (docker if its daemon answers, else
/// podman), "docker", "podman", or a command with global options. Returns the image name, or
/// nullopt when image.json names no `import_as`. Throws sdk::UnavailableError when no engine
/// answers, sdk::Error when the import fails.
std::optional<std::string> import_into_engine(const std::filesystem::path& image_dir,
                                              const std::string& engine, sdk::Host& host);

}  // namespace vt::core
