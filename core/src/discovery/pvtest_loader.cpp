// Pantavisor's pv-test@1 format (docs/pvtest.md; shared/notes/prior-art.md 1.2-1.3): the tree
// layout, test.json's schema with its string booleans, and the mapping onto TestCase.
#include "vt/core/pvtest_loader.h"

#include <algorithm>
#include <array>
#include <functional>
#include <set>

#include "discovery/pvtest_json.h"
#include "providers/toml_util.h"
#include "vt/sdk/error.h"

namespace vt::core {

namespace fs = std::filesystem;
using nlohmann::json;
using pvtest::describe;
using pvtest::dotted;
using pvtest::JsonFile;
using pvtest::KeyPath;

namespace {

constexpr const char* spec = "pv-test@1";
constexpr const char* default_test_script = "resources/test";
constexpr const char* tree_params_file = "vtrun-params.toml";

// pvtest-run's exec_test: a copy of the script with xtrace switched on at line 5 (after the
// shebang and the usual header), PS4 in pvtest's log format, run by `bash -c <copy>` so its
// shebang counts. $1 is the script, relative to the test's directory (the command's cwd).
constexpr const char* xtrace_runner =
    R"(copy=$(mktemp) || exit 1
sed "5i export PS4='[pvtest] \$(date +%s) DEBUG -- [test-script]: '; set -x" "$1" > "$copy" &&
  chmod +x "$copy" || exit 1
bash -c "$copy"
status=$?
rm -f "$copy"
exit $status)";

// The keys read here, per object; any other key is kept as a `pvtest_extra.*` param, because
// the reference runner ignores what it does not know and newer test trees add keys.
const std::set<std::string> top_keys{"#spec", "description", "setup", "test-script", "skip"};
const std::set<std::string> setup_keys{"cmdline",    "env",          "pantavisor.config", "pvs",
                                       "containers", "ready-script", "self-claim"};
const std::set<std::string> container_keys{"control", "tarballs", "urls"};

struct StringField {
  KeyPath path;
  const char* param;
  const char* example;
};

// Strings that default to "" and go to a param as written (relative paths stay relative to
// the test's directory: the backend resolves them where it runs the test).
const std::array<StringField, 6> string_fields{{
    {{"setup", "cmdline"}, "pvtest_cmdline", R"("cmdline": "pv_policy=test ph_creds.port=43")"},
    {{"setup", "env"}, "pvtest_env", R"("env": "PV_CONTROL_REMOTE=0 PV_WDT_MODE=disabled")"},
    {{"setup", "pantavisor.config"},
     "pvtest_pantavisor_config",
     R"("pantavisor.config": "resources/pantavisor.config")"},
    {{"setup", "pvs"}, "pvtest_pvs", R"("pvs": "../../common/pvs/*.tar.gz")"},
    {{"setup", "containers", "control"}, "pvtest_control", R"("control": "pvr-sdk")"},
    {{"setup", "ready-script"}, "pvtest_ready_script", R"("ready-script": "resources/ready")"},
}};

std::string quoted(const std::string& s) {
  return "'" + s + "'";
}

// The values of one test.json, each checked against the schema, with errors at its key's line.
class Fields {
 public:
  explicit Fields(const JsonFile& file) : file_(file) {}

  // nullptr when the key or one of its parents is absent (parents are checked with object()).
  const json* find(const KeyPath& path) const {
    const json* node = &file_.root();
    for (const std::string& key : path) {
      if (!node->is_object()) return nullptr;
      const auto it = node->find(key);
      if (it == node->end()) return nullptr;
      node = &*it;
    }
    return node;
  }

  void object(const KeyPath& path, const char* example) const {
    const json* node = find(path);
    if (node != nullptr && !node->is_object()) fail_type(path, "an object", *node, example);
  }

  std::string string(const KeyPath& path, std::string fallback, const char* example) const {
    const json* node = find(path);
    if (node == nullptr) return fallback;
    if (!node->is_string()) fail_type(path, "a string", *node, example);
    return node->get<std::string>();
  }

  // pv-test@1 writes booleans as the strings "true" and "false"; absent is "false".
  std::string flag(const KeyPath& path) const {
    const json* node = find(path);
    if (node == nullptr) return "false";
    const std::string example = "\"" + path.back() + "\": \"true\"";
    if (node->is_boolean())
      file_.fail(path, "expected " + quoted(dotted(path)) +
                           " to be the string \"true\" or \"false\", got " + describe(*node) +
                           " — pv-test@1 writes booleans as strings: " + example);
    const std::string value = string(path, "false", example.c_str());
    if (value != "true" && value != "false")
      file_.fail(path, "expected " + quoted(dotted(path)) + " to be \"true\" or \"false\", got " +
                           describe(*node) + " — e.g. " + example);
    return value;
  }

  // The array as compact JSON text ("[]" when absent), so a param can carry it.
  std::string array(const KeyPath& path, bool strings_only, const char* example) const {
    const json* node = find(path);
    if (node == nullptr) return "[]";
    const char* expected = strings_only ? "an array of strings" : "an array";
    if (!node->is_array()) fail_type(path, expected, *node, example);
    if (strings_only)
      for (std::size_t i = 0; i < node->size(); ++i)
        if (!(*node)[i].is_string())
          fail_type(path, expected, (*node)[i], example, " at index " + std::to_string(i));
    return node->dump();
  }

  [[noreturn]] void fail_type(const KeyPath& path, const char* expected, const json& got,
                              const char* example, const std::string& where = "") const {
    file_.fail(path, "expected " + quoted(dotted(path)) + " to be " + expected + ", got " +
                         describe(got) + where + " — e.g. " + example);
  }

 private:
  const JsonFile& file_;
};

void check_spec(const JsonFile& file, const Fields& fields) {
  const json* value = fields.find({"#spec"});
  if (value == nullptr || (value->is_string() && value->get<std::string>() == spec)) return;
  file.fail({"#spec"}, "expected '#spec' to be \"" + std::string(spec) + "\", got " +
                           describe(*value) +
                           " — vtrun reads pv-test@1 only: fix '#spec', or give the provider "
                           "another `format`");
}

std::string as_param(const json& value) {
  return value.is_string() ? value.get<std::string>() : value.dump();
}

// Keys this loader does not read, as `pvtest_extra.<dotted path>` params.
void keep_extra_keys(const json* object, const KeyPath& at, const std::set<std::string>& known,
                     sdk::Params& params) {
  if (object == nullptr || !object->is_object()) return;
  for (const auto& [key, value] : object->items()) {
    if (known.count(key) != 0) continue;
    KeyPath path = at;
    path.push_back(key);
    params["pvtest_extra." + dotted(path)] = as_param(value);
  }
}

sdk::Params read_params(const Fields& fields, const std::string& id, const fs::path& dir,
                        const std::string& script) {
  sdk::Params params;
  for (const StringField& field : string_fields)
    params[field.param] = fields.string(field.path, "", field.example);
  params["pvtest_tarballs"] = fields.array({"setup", "containers", "tarballs"}, true,
                                           R"("tarballs": ["../../common/tarballs/bsp.tgz"])");
  params["pvtest_urls"] = fields.array({"setup", "containers", "urls"}, false, R"("urls": [])");
  params["pvtest_self_claim"] = fields.flag({"setup", "self-claim"});
  params["pvtest_test_script"] = script;
  params["pvtest_scope"] = id.substr(0, id.find('/'));
  params["pvtest_test_path"] = id;
  params["pvtest_dir"] = dir.string();
  // Relative to the test's directory, as the golden-output policy resolves it.
  params["golden_output_file"] = "output";
  params["golden_output_diff"] = "normal";  // pvtest-run's plain `diff expected actual`
  keep_extra_keys(fields.find({}), {}, top_keys, params);
  keep_extra_keys(fields.find({"setup"}), {"setup"}, setup_keys, params);
  keep_extra_keys(fields.find({"setup", "containers"}), {"setup", "containers"}, container_keys,
                  params);
  return params;
}

TestCase read_test(const fs::path& json_file, const std::string& id, const std::string& provider) {
  const JsonFile file(json_file);
  if (!file.root().is_object())
    throw sdk::ConfigError(json_file.string(), 1,
                           "expected a JSON object ({\"#spec\": \"pv-test@1\", ...}), got " +
                               describe(file.root()) + " — see docs/pvtest.md for the keys");
  const Fields fields(file);
  check_spec(file, fields);
  fields.object({"setup"}, R"("setup": {"cmdline": "", "containers": {...}})");
  fields.object({"setup", "containers"}, R"("containers": {"control": "pvr-sdk"})");

  TestCase test;
  test.id = id;
  test.provider = provider;
  test.dir = json_file.parent_path();
  test.description = fields.string({"description"}, "", R"("description": "config overload")");
  const std::string script =
      fields.string({"test-script"}, default_test_script, R"("test-script": "resources/test")");
  if (script.empty())
    file.fail({"test-script"},
              "expected 'test-script' to name the test's script, got an empty string — e.g. "
              "\"test-script\": \"resources/test\"");
  const fs::path program = (test.dir / script).lexically_normal();
  test.command = {"bash", "-c", xtrace_runner, "pvtest-run", script};
  test.run_in = RunIn::testbed;
  test.pty = true;
  test.verdict = "golden-output";
  test.params = read_params(fields, id, test.dir, script);
  test.source = json_file;
  test.line = 1;
  if (fields.flag({"skip"}) == "true") test.skip = "skipped by test.json (skip: \"true\")";
  std::error_code ec;
  if (!fs::is_regular_file(program, ec))
    test.not_runnable = "no test script '" + script + "' in '" + test.dir.string() +
                        "' — create it, or fix \"test-script\" in " + json_file.string();
  return test;
}

[[noreturn]] void unreadable(const fs::path& root, const std::error_code& ec) {
  throw sdk::ConfigError(root.string(), 0,
                         "cannot read the pv-test tree: " + ec.message() +
                             " — check that the directory exists and that vtrun may read it");
}

// Relative paths of the test.json files, as `find -name test.json | sort` lists them in C
// byte order.
std::vector<std::string> find_test_files(const fs::path& root) {
  std::vector<std::string> found;
  std::error_code ec;
  if (!fs::is_directory(root, ec))
    unreadable(root, ec ? ec : make_error_code(std::errc::not_a_directory));
  const fs::recursive_directory_iterator end;
  for (fs::recursive_directory_iterator it(root, ec); !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    std::error_code type_ec;
    if (it->is_directory(type_ec)) {
      // `<scope>/common/` is shared data mounted next to every test, never a test.
      if (name == ".git" || (it.depth() == 1 && name == "common")) it.disable_recursion_pending();
      continue;
    }
    if (name == "test.json" && it.depth() > 0 && it->is_regular_file(type_ec))
      found.push_back(it->path().lexically_relative(root).generic_string());
  }
  if (ec) unreadable(root, ec);
  std::sort(found.begin(), found.end());
  return found;
}

bool is_directory_noexcept(const fs::path& path) {
  std::error_code ec;
  return fs::is_directory(path, ec);
}

bool is_regular_file_noexcept(const fs::path& path) {
  std::error_code ec;
  return fs::is_regular_file(path, ec);
}

// Whether a subdirectory of `dir` not starting with '.' (a shell's `*`) is `wanted`.
bool has_entries(const fs::path& dir, const std::function<bool(const fs::path&)>& wanted) {
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    const std::string name = entry.path().filename().string();
    if (name.starts_with(".") || !entry.is_directory(ec)) continue;
    if (wanted(entry.path())) return true;
  }
  return false;
}

// `vtrun-params.toml` at the tree's root: params for every test of the tree, e.g. the image the
// appengine backend runs (`[params] appengine_image = "…"`). A test's own pvtest_* params win.
sdk::Params read_tree_params(const fs::path& root) {
  const fs::path file = root / tree_params_file;
  if (!is_regular_file_noexcept(file)) return {};
  const toml::table doc = toml_util::parse_file(file);
  const toml_util::Reader top(file.string(), doc, "the file");
  top.check_keys({"params"});
  sdk::Params params;
  const toml::node* node = doc.get("params");
  if (node == nullptr) return params;
  const toml::table* table = node->as_table();
  if (table == nullptr)
    top.fail_type("params", "a table", *node, "[params]\nappengine_image = \"my-tester:1\"");
  for (auto&& [key, value] : *table) {
    if (const auto* text = value.as_string())
      params[std::string(key.str())] = text->get();
    else if (const auto* number = value.as_integer())
      params[std::string(key.str())] = std::to_string(number->get());
    else if (const auto* flag = value.as_boolean())
      params[std::string(key.str())] = flag->get() ? "yes" : "no";
    else
      top.fail_type("params." + std::string(key.str()), "a string, an integer or a boolean", value,
                    "appengine_ready_timeout = 120");
  }
  return params;
}

}  // namespace

bool has_pvtest_layout(const fs::path& dir) {
  return has_entries(dir, [](const fs::path& scope) {
    if (is_directory_noexcept(scope / "common" / "templates")) return true;
    return has_entries(scope, [](const fs::path& category) {
      return has_entries(category, [](const fs::path& name) {
        return is_regular_file_noexcept(name / "test.json");
      });
    });
  });
}

std::vector<TestCase> load_pvtest_tests(const fs::path& root, const std::string& provider) {
  fs::path base = fs::absolute(root).lexically_normal();
  if (!base.has_filename()) base = base.parent_path();  // "tree/" names the same tree
  const sdk::Params tree_params = read_tree_params(base);
  std::vector<TestCase> tests;
  for (const std::string& relative : find_test_files(base)) {
    const std::string id = relative.substr(0, relative.size() - std::string("/test.json").size());
    TestCase test = read_test(base / relative, id, provider);
    test.params.insert(tree_params.begin(), tree_params.end());  // keeps the test's own
    tests.push_back(std::move(test));
  }
  return tests;
}

}  // namespace vt::core
