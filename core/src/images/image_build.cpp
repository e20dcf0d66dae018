// Building an image into the cache: a temporary directory renamed into place, so a build is
// either complete under its hash or absent, and `current` never points at a partial one.
#include <fcntl.h>
#include <stdio.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "vt/core/atomic_file.h"
#include "vt/core/file_lock.h"
#include "vt/core/images.h"
#include "vt/sdk/files.h"

namespace vt::core {

namespace fs = std::filesystem;

namespace {

bool is_complete(const fs::path& dir) {
  std::error_code ec;
  return fs::is_regular_file(dir / "image.json", ec);
}

bool is_hash_name(const std::string& name) {
  return name.size() == 64 && std::all_of(name.begin(), name.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
         });
}

// The name `current` points at, or empty.
std::string current_target(const fs::path& cache) {
  std::error_code ec;
  const fs::path target = fs::read_symlink(cache / "current", ec);
  return ec ? std::string() : target.filename().string();
}

void note(const ImageBuildOptions& options, const std::string& text) {
  if (options.output) options.output->on_output(sdk::Stream::err, "vtrun: " + text + "\n");
}

void remove_quietly(const fs::path& dir) {
  std::error_code ec;
  fs::remove_all(dir, ec);
}

// Runs build.sh into `out`; throws ImageBuildError (having removed `out`) when it fails.
void run_recipe(const ImageRecipe& recipe, const fs::path& out, sdk::Host& host,
                const ImageBuildOptions& options) {
  sdk::ExecRequest request;
  request.argv = {(recipe.dir / "build.sh").string(), out.string()};
  request.cwd = recipe.dir.string();
  const std::string what = "building image '" + recipe.name + "' ";
  std::optional<int> status;
  try {
    auto process = host.spawn(request, options.output);
    while (!(status = process->wait(std::chrono::milliseconds(200)))) {
      if (options.stop_requested && options.stop_requested()) {
        process->kill_tree();
        remove_quietly(out);
        throw ImageBuildError(what + "was interrupted; nothing was kept", 128 + 2);
      }
    }
  } catch (const ImageBuildError&) {
    throw;
  } catch (const std::exception& e) {
    remove_quietly(out);
    throw sdk::Error(what + "failed: " + e.what());
  }
  if (*status != 0) {
    remove_quietly(out);
    throw ImageBuildError(
        what + "failed (build.sh exited " + std::to_string(*status) + "); its output is above",
        *status);
  }
  if (!is_complete(out)) {
    remove_quietly(out);
    throw ImageBuildError(what + "failed: build.sh exited 0 but left no image.json in " +
                              "its output directory — a recipe must write one",
                          0);
  }
}

// Moves the finished `tmp` to `<cache>/<hash>`, replacing an earlier build of the same hash
// (--force) in one step, so the directory never goes missing for a reader.
void install_build(const fs::path& tmp, const fs::path& dest) {
  std::error_code ec;
  if (fs::exists(dest, ec)) {
    if (renameat2(AT_FDCWD, tmp.c_str(), AT_FDCWD, dest.c_str(), RENAME_EXCHANGE) == 0) {
      remove_quietly(tmp);  // now the old build
      return;
    }
    remove_quietly(dest);  // file systems without RENAME_EXCHANGE: a short gap
  }
  if (rename(tmp.c_str(), dest.c_str()) != 0) {
    const int err = errno;
    remove_quietly(tmp);
    throw sdk::Error("cannot rename '" + tmp.string() + "' to '" + dest.string() +
                     "': " + std::strerror(err));
  }
}

// Keeps `current` and the build before it: `previous` when that is another one, else the
// newest other complete build. Also removes what interrupted builds left (we hold the lock).
void prune(const fs::path& cache, const std::string& current, const std::string& previous) {
  std::vector<fs::directory_entry> others;
  std::error_code ec;
  for (const auto& ent : fs::directory_iterator(cache, ec)) {
    const std::string name = ent.path().filename().string();
    if (name.rfind(".build-", 0) == 0) remove_quietly(ent.path());
    if (is_hash_name(name) && name != current) others.push_back(ent);
  }
  std::string keep = previous != current ? previous : std::string();
  if (keep.empty() || !is_complete(cache / keep)) {
    keep.clear();
    fs::file_time_type newest = fs::file_time_type::min();
    for (const auto& ent : others) {
      if (!is_complete(ent.path())) continue;
      const auto t = fs::last_write_time(ent.path() / "image.json", ec);
      if (!ec && t >= newest) {
        newest = t;
        keep = ent.path().filename().string();
      }
    }
  }
  for (const auto& ent : others)
    if (ent.path().filename() != keep) remove_quietly(ent.path());
}

}  // namespace

fs::path image_cache_dir(const std::string& name) {
  return sdk::cache_dir() / "images" / name;
}

const char* to_string(ImageState state) noexcept {
  switch (state) {
    case ImageState::built:
      return "built";
    case ImageState::stale:
      return "stale";
    case ImageState::not_built:
      return "not built";
  }
  return "?";
}

ImageStatus image_status(const ImageRecipe& recipe, const std::string& hash) {
  const fs::path cache = image_cache_dir(recipe.name);
  if (is_complete(cache / hash)) return {ImageState::built, cache / hash};
  const std::string current = current_target(cache);
  if (!current.empty() && is_complete(cache / current)) return {ImageState::stale, cache / current};
  return {ImageState::not_built, {}};
}

ImageBuildResult build_image(const ImageRecipe& recipe, sdk::Host& host,
                             const ImageBuildOptions& options) {
  const fs::path cache = image_cache_dir(recipe.name);
  std::error_code ec;
  fs::create_directories(cache, ec);
  if (ec)
    throw sdk::Error("cannot create the image cache '" + cache.string() + "': " + ec.message() +
                     " — set VTRUN_CACHE_DIR to a writable directory");
  const std::string hash = recipe_hash(recipe, host);
  const fs::path dest = cache / hash;
  auto up_to_date = [&] {
    if (options.force || !is_complete(dest)) return false;
    // An older recipe state built earlier and kept: only `current` has to move back.
    if (current_target(cache) != hash) replace_symlink_atomic(hash, cache / "current");
    return true;
  };
  if (up_to_date()) return {dest, false};

  const FileLock lock(cache / ".lock", [&] {
    note(options, "waiting for another build of image '" + recipe.name + "' (" +
                      (cache / ".lock").string() + ")");
  });
  if (up_to_date()) return {dest, false};  // built by whoever held the lock
  std::string tmp = (cache / ".build-XXXXXX").string();
  if (mkdtemp(tmp.data()) == nullptr)
    throw sdk::Error("cannot create a build directory in '" + cache.string() +
                     "': " + std::strerror(errno));
  chmod(tmp.c_str(), 0755);  // mkdtemp's 0700 would hide the image from other users
  note(options, "building image '" + recipe.name + "' from " + recipe.dir.string() + " in " + tmp);
  run_recipe(recipe, tmp, host, options);

  const std::string previous = current_target(cache);
  install_build(tmp, dest);
  replace_symlink_atomic(hash, cache / "current");
  prune(cache, hash, previous);
  return {dest, true};
}

}  // namespace vt::core
