// `vtrun add ID`: a new pv-test@1 test from its scope's templates, as Pantavisor's runner's
// `add` makes one (docs/pvtest.md, "Adding a test").
#include <iostream>
#include <system_error>

#include "cli/commands.h"
#include "vt/sdk/error.h"

namespace vt::core::cli {

namespace fs = std::filesystem;

namespace {

// <scope>/<category>/<name>, with no empty, `.` or `..` part.
bool is_test_id(const std::string& id) {
  int parts = 0;
  for (const auto& part : fs::path(id)) {
    const std::string p = part.string();
    if (p.empty() || p == "." || p == ".." || p == "/") return false;
    ++parts;
  }
  return parts == 3 && !fs::path(id).is_absolute();
}

void copy_template(const fs::path& from, const fs::path& to, bool executable) {
  std::error_code ec;
  fs::copy_file(from, to, ec);
  if (ec)
    throw sdk::Error("cannot copy '" + from.string() + "' to '" + to.string() +
                     "': " + ec.message());
  if (executable)
    fs::permissions(to, fs::perms::owner_exec | fs::perms::group_exec | fs::perms::others_exec,
                    fs::perm_options::add);
}

int add_test(const fs::path& root, const std::string& id) {
  if (!is_test_id(id))
    throw sdk::ConfigError(
        "expected a test id <scope>/<category>/<name> such as "
        "'local/core/my-test', got '" +
        id + "'");
  const fs::path scope = root / fs::path(id).begin()->string();
  const fs::path templates = scope / "common" / "templates";
  const fs::path dir = root / id;
  std::error_code ec;
  if (fs::exists(dir / "test.json", ec))
    throw sdk::ConfigError("test '" + id + "' exists already ('" + (dir / "test.json").string() +
                           "') — choose another name");
  for (const char* name : {"template.test.json", "template.test", "template.ready"})
    if (!fs::is_regular_file(templates / name, ec))
      throw sdk::ConfigError("expected the template '" + (templates / name).string() +
                             "', got nothing there — a scope's tests are made from its "
                             "common/templates/ (template.test.json, template.test, "
                             "template.ready)");
  fs::create_directories(dir / "resources", ec);
  if (ec) throw sdk::Error("cannot create '" + (dir / "resources").string() + "': " + ec.message());
  copy_template(templates / "template.test.json", dir / "test.json", false);
  copy_template(templates / "template.test", dir / "resources" / "test", true);
  copy_template(templates / "template.ready", dir / "resources" / "ready", true);
  std::cout << dir.string() << '\n';
  return 0;
}

}  // namespace

Command add_add_command(CLI::App& app) {
  auto* sub = app.add_subcommand(
      "add",
      "create a pv-test@1 test <scope>/<category>/<name> from <scope>/common/templates/ "
      "(test.json, resources/test, resources/ready); prints its directory");
  auto id = std::make_shared<std::string>();
  auto root = std::make_shared<std::string>(".");
  sub->add_option("id", *id, "the new test's id, e.g. local/core/my-test")->required();
  sub->add_option("-d,--dir", *root, "the pv-test tree (default: the current directory)");
  return {sub, [id, root](Context&) { return add_test(*root, *id); }};
}

}  // namespace vt::core::cli
