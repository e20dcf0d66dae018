#include <cstdio>
#include <iostream>

#include "cli/commands.h"
#include "vt/core/images.h"
#include "vt/core/runner.h"
#include "vt/sdk/error.h"

namespace vt::core::cli {

namespace fs = std::filesystem;

namespace {

struct ImageArgs {
  std::optional<fs::path> images_dir;
  std::string name;
  bool force = false;
  std::string engine = "auto";
  bool no_load = false;
};

// build.sh's output, and vtrun's notes, go to stderr: stdout carries only the result.
class StderrSink final : public sdk::OutputSink {
 public:
  void on_output(sdk::Stream, std::string_view bytes) override {
    std::fwrite(bytes.data(), 1, bytes.size(), stderr);
    std::fflush(stderr);
  }
};

int build(Context& ctx, const ImageArgs& args) {
  const ImageRecipe recipe = find_recipe(args.name, image_search_path(args.images_dir));
  StderrSink sink;
  ImageBuildOptions options;
  options.force = args.force;
  options.output = &sink;
  options.stop_requested = [] { return interrupt_requested(); };
  try {
    const ImageBuildResult result = build_image(recipe, ctx.host(), options);
    if (!result.built) std::cout << "image " << recipe.name << " is up to date\n";
    // A container image is of use only once the engine has it (the appengine backend's).
    if (!args.no_load)
      if (auto name = import_into_engine(result.dir, args.engine, ctx.host()))
        std::cerr << "vtrun: image " << recipe.name << " is in the container engine as " << *name
                  << "\n";
    std::cout << result.dir.string() << std::endl;
    return 0;
  } catch (const sdk::ConfigError&) {
    throw;
  } catch (const sdk::Error& e) {  // the recipe failed, or its inputs could not be read
    std::cerr << "vtrun: error: " << e.what() << "\n";
    return 1;
  }
}

int list(Context& ctx, const ImageArgs& args) {
  int status = 0;
  for (const auto& recipe : find_recipes(image_search_path(args.images_dir))) {
    try {
      const ImageStatus s = image_status(recipe, recipe_hash(recipe, ctx.host()));
      const fs::path& where = s.state == ImageState::not_built ? recipe.dir : s.dir;
      std::cout << recipe.name << '\t' << to_string(s.state) << '\t' << where.string() << '\n';
    } catch (const sdk::Error& e) {
      std::cout << recipe.name << "\tunknown\t" << recipe.dir.string() << '\n';
      std::cerr << "vtrun: error: " << e.what() << "\n";
      status = 1;
    }
  }
  std::cout.flush();
  return status;
}

}  // namespace

Command add_image_command(CLI::App& app) {
  auto* sub = app.add_subcommand("image", "build and list guest images made from recipes");
  sub->require_subcommand(1);
  auto args = std::make_shared<ImageArgs>();
  auto* build_cmd = sub->add_subcommand(
      "build",
      "build image NAME from its recipe unless the cached build is current; build.sh's output "
      "goes to stderr, the image directory is the last line of stdout");
  build_cmd->add_option("name", args->name, "the recipe's folder name, e.g. tiny")->required();
  build_cmd->add_flag("-f,--force", args->force, "rebuild even when the cached build is current");
  build_cmd
      ->add_option("--engine", args->engine,
                   "container images (appengine-standin): the engine to load it into — "
                   "auto (docker, else podman), docker, podman, or a command")
      ->default_val("auto");
  build_cmd->add_flag("--no-load", args->no_load,
                      "container images: build only, do not load into the engine");
  auto* list_cmd = sub->add_subcommand(
      "list",
      "one recipe per line: NAME STATE PATH (tab-separated); STATE is built, stale (the recipe "
      "or its inputs changed) or not built; PATH the image directory, or the recipe when not "
      "built");
  for (auto* cmd : {build_cmd, list_cmd})
    cmd->add_option("--images-dir", args->images_dir,
                    "directory of recipe folders, searched first (then $VTRUN_IMAGES_DIR, the "
                    "source tree's images/ for a build-tree vtrun, <prefix>/share/vtrun/images)");
  return {sub, [args, build_cmd, list_cmd](Context& ctx) {
            if (build_cmd->parsed()) return build(ctx, *args);
            if (list_cmd->parsed()) return list(ctx, *args);
            return exit_usage;
          }};
}

}  // namespace vt::core::cli
