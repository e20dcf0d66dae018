// The cache key of an image: SHA-256 over everything that decides what build.sh produces that
// vtrun can see — the recipe folder and the inputs build.sh declares.
#include <algorithm>
#include <array>
#include <fstream>
#include <memory>

#include "vt/core/images.h"
#include "vt/core/sha256.h"

namespace vt::core {

namespace fs = std::filesystem;

namespace {

void add_file_contents(Sha256& sha, const fs::path& file) {
  try {
    sha.add_file(file);
  } catch (const sdk::Error& e) {
    throw sdk::Error(std::string(e.what()) + " (a file of an image recipe)");
  }
}

std::string first_line(const std::string& text) {
  const auto start = text.find_first_not_of(" \t\r\n");
  if (start == std::string::npos) return {};
  return text.substr(start, text.find('\n', start) - start);
}

std::string declared_inputs(const ImageRecipe& recipe, sdk::Host& host) {
  sdk::ExecRequest request;
  request.argv = {(recipe.dir / "build.sh").string(), "--inputs"};
  request.cwd = recipe.dir.string();
  request.timeout = std::chrono::seconds(120);
  const auto result = host.run(request, nullptr);
  const std::string what = "image '" + recipe.name + "': `build.sh --inputs` ";
  if (result.timed_out) throw sdk::Error(what + "did not finish in 120 s — fix the recipe");
  if (result.exit_status != 0) {
    const auto why = first_line(result.stderr_data);
    throw sdk::Error(what + "exited " + std::to_string(result.exit_status) +
                     (why.empty() ? "" : ": " + why) + " — fix the recipe in '" +
                     recipe.dir.string() + "'");
  }
  return result.stdout_data;
}

}  // namespace

std::string recipe_hash(const ImageRecipe& recipe, sdk::Host& host) {
  std::vector<fs::path> entries;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(recipe.dir, ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec))
    entries.push_back(it->path().lexically_relative(recipe.dir));
  if (ec)
    throw sdk::Error("cannot read the image recipe '" + recipe.dir.string() + "': " + ec.message());
  std::sort(entries.begin(), entries.end(), [](const fs::path& a, const fs::path& b) {
    return a.generic_string() < b.generic_string();
  });

  Sha256 sha;
  sha.field("vtrun image recipe v1");
  for (const auto& rel : entries) {
    const fs::path file = recipe.dir / rel;
    const auto status = fs::symlink_status(file);
    if (fs::is_symlink(status)) {
      sha.field("link");
      sha.field(rel.generic_string());
      sha.field(fs::read_symlink(file).string());
    } else if (fs::is_directory(status)) {
      sha.field("dir");
      sha.field(rel.generic_string());
    } else if (fs::is_regular_file(status)) {
      const bool executable = (status.permissions() & fs::perms::owner_exec) != fs::perms::none;
      sha.field(executable ? "exec" : "file");
      sha.field(rel.generic_string());
      add_file_contents(sha, file);
    }
  }
  sha.field("inputs");
  sha.field(declared_inputs(recipe, host));
  return sha.hex();
}

}  // namespace vt::core
