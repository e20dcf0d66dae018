// vtrun.toml, the native test format (DESIGN.md, "Test formats"; docs/test-format.md).
#include <algorithm>
#include <limits>
#include <map>

#include "providers/toml_util.h"
#include "vt/core/test_case.h"
#include "vt/sdk/error.h"

namespace vt::core {
namespace {

using toml_util::Reader;

// What [defaults] and a [[test]] may both set; unset fields fall through to the next level.
struct Settings {
  std::optional<std::chrono::seconds> timeout;
  std::optional<RunIn> run_in;
  std::optional<std::string> verdict;
  std::optional<int> priority;
  std::vector<std::string> tags;
  std::vector<std::string> requires_caps;
  std::vector<std::string> locks;
  std::optional<bool> breaks_testbed;
  sdk::Params params;
};

std::string in_quotes(std::string_view s) {
  return "'" + std::string(s) + "'";
}

// Avocado-VT params are strings; booleans read the way its Cartesian files write them.
std::string param_value(const Reader& reader, const std::string& key, const toml::node& node) {
  if (const auto* s = node.as_string()) return s->get();
  if (const auto* i = node.as_integer()) return std::to_string(i->get());
  if (const auto* b = node.as_boolean()) return b->get() ? "yes" : "no";
  reader.fail_type("params." + key, "a string, an integer or a boolean", node,
                   "params = { mem = \"512\", smp = 2, kill_vm = true }");
}

Settings read_settings(const Reader& reader) {
  Settings settings;
  if (reader.has("timeout")) {
    const std::int64_t seconds = reader.integer("timeout", "timeout = 300");
    if (seconds <= 0) {
      reader.fail(reader.line_of("timeout"),
                  "expected 'timeout' to be a positive number of seconds, got " +
                      std::to_string(seconds) + " — e.g. timeout = 300");
    }
    settings.timeout = std::chrono::seconds(seconds);
  }
  if (reader.has("run_in")) {
    settings.run_in =
        reader.choice("run_in", {"host", "testbed"}) == "host" ? RunIn::host : RunIn::testbed;
  }
  if (reader.has("verdict")) {
    settings.verdict = reader.choice("verdict", {"exit-code", "golden-output", "guest-reported"});
  }
  if (reader.has("priority")) {
    const std::int64_t priority = reader.integer("priority", "priority = 10");
    if (priority < std::numeric_limits<int>::min() || priority > std::numeric_limits<int>::max()) {
      reader.fail(reader.line_of("priority"), "expected 'priority' to fit in 32 bits, got " +
                                                  std::to_string(priority) +
                                                  " — use a smaller number");
    }
    settings.priority = static_cast<int>(priority);
  }
  settings.tags = reader.strings("tags", "tags = [\"smoke\", \"boot\"]");
  settings.requires_caps = reader.strings("requires", "requires = [\"isolation-machine\"]");
  settings.locks = reader.strings("locks", "locks = [\"base-image\"]");
  if (reader.has("breaks_testbed"))
    settings.breaks_testbed = reader.boolean("breaks_testbed", "breaks_testbed = true");
  if (const toml::node* params = reader.table().get("params")) {
    const toml::table* table = params->as_table();
    if (table == nullptr) {
      reader.fail_type("params", "a table", *params, "params = { vms = \"vm1\", mem = \"512\" }");
    }
    for (auto&& [key, value] : *table) {
      const std::string name(key.str());
      settings.params[name] = param_value(reader, name, value);
    }
  }
  return settings;
}

void append_unique(std::vector<std::string>& to, const std::vector<std::string>& from) {
  for (const std::string& item : from) {
    if (std::find(to.begin(), to.end(), item) == to.end()) to.push_back(item);
  }
}

// `[A-Za-z0-9_.-]+`, and no empty group between dots, so selectors can split on '.'.
bool is_valid_name(std::string_view name) {
  if (name.empty() || name.front() == '.' || name.back() == '.') return false;
  if (name.find("..") != std::string_view::npos) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '.' || c == '-';
  });
}

std::vector<std::string> split_whitespace(std::string_view text) {
  constexpr std::string_view blanks = " \t\r\n";
  std::vector<std::string> words;
  std::size_t start = 0;
  while ((start = text.find_first_not_of(blanks, start)) != std::string_view::npos) {
    const std::size_t end = text.find_first_of(blanks, start);
    words.emplace_back(text.substr(start, end - start));
    start = end;
  }
  return words;
}

std::vector<std::string> read_command(const Reader& reader, const std::filesystem::path& dir) {
  constexpr std::string_view example = "command = [\"./boot-smoke.sh\", \"--fast\"]";
  const toml::node* node = reader.table().get("command");
  if (node == nullptr) {
    reader.fail(toml_util::line_of(reader.table()),
                "expected 'command' in [[test]], got none — add e.g. " + std::string(example));
  }
  std::vector<std::string> command;
  if (const auto* text = node->as_string()) {
    command = split_whitespace(text->get());
  } else if (node->is_array()) {
    command = reader.strings("command", example);
  } else {
    reader.fail_type("command", "an array of strings or a string", *node, example);
  }
  if (command.empty() || command.front().empty()) {
    reader.fail(toml_util::line_of(*node),
                "expected 'command' to name a program, got an empty command — e.g. " +
                    std::string(example));
  }
  const std::filesystem::path program(command.front());
  if (command.front().find('/') != std::string::npos && program.is_relative()) {
    command.front() = (dir / program).lexically_normal().string();
  }
  return command;
}

TestCase read_test(const Reader& reader, const Settings& defaults,
                   const std::filesystem::path& file, const std::string& provider) {
  reader.check_keys({"name", "description", "command", "run_in", "timeout", "tags", "requires",
                     "depends", "priority", "verdict", "params", "locks", "breaks_testbed"});
  const int line = toml_util::line_of(reader.table());
  TestCase test;
  if (!reader.has("name")) {
    reader.fail(line, "expected 'name' in [[test]], got none — add e.g. name = \"boot.smoke\"");
  }
  test.id = reader.string("name", "name = \"boot.smoke\"");
  if (!is_valid_name(test.id)) {
    reader.fail(reader.line_of("name"),
                "expected 'name' to be letters, digits, '_', '-' and '.' between groups, got " +
                    in_quotes(test.id) + " — e.g. name = \"boot.smoke\"");
  }
  test.provider = provider;
  test.description = reader.string("description", "description = \"boots and logs in\"");
  test.dir = file.parent_path();
  test.command = read_command(reader, test.dir);
  test.depends = reader.strings("depends", "depends = [\"boot.install\"]");

  const Settings own = read_settings(reader);
  test.timeout = own.timeout ? own.timeout : defaults.timeout;
  test.run_in = own.run_in.value_or(defaults.run_in.value_or(RunIn::host));
  test.verdict = own.verdict.value_or(defaults.verdict.value_or("exit-code"));
  test.priority = own.priority.value_or(defaults.priority.value_or(0));
  append_unique(test.tags, defaults.tags);
  append_unique(test.tags, own.tags);
  append_unique(test.requires_caps, defaults.requires_caps);
  append_unique(test.requires_caps, own.requires_caps);
  append_unique(test.locks, defaults.locks);
  append_unique(test.locks, own.locks);
  test.params = defaults.params;
  for (const auto& [key, value] : own.params) test.params[key] = value;
  // The runner reads it from the params, where Cartesian tests set it too.
  if (const auto breaks = own.breaks_testbed ? own.breaks_testbed : defaults.breaks_testbed)
    test.params["breaks_testbed"] = *breaks ? "yes" : "no";
  test.source = file;
  test.line = line;
  return test;
}

}  // namespace

std::vector<TestCase> load_native_tests(const std::filesystem::path& vtrun_toml,
                                        const std::string& provider) {
  const std::filesystem::path file = std::filesystem::absolute(vtrun_toml).lexically_normal();
  const toml::table root = toml_util::parse_file(file);
  const Reader top(file.string(), root, "vtrun.toml");
  top.check_keys({"defaults", "test"});

  Settings defaults;
  if (const toml::node* node = root.get("defaults")) {
    const toml::table* table = node->as_table();
    if (table == nullptr) top.fail_type("defaults", "a table", *node, "[defaults] timeout = 300");
    const Reader reader(file.string(), *table, "[defaults]");
    reader.check_keys({"timeout", "tags", "requires", "params", "run_in", "verdict", "priority",
                       "locks", "breaks_testbed"});
    defaults = read_settings(reader);
  }

  std::vector<TestCase> tests;
  const toml::node* node = root.get("test");
  if (node == nullptr) return tests;
  const toml::array* array = node->as_array();
  if (array != nullptr && array->empty()) return tests;
  if (array == nullptr || !array->is_array_of_tables()) {
    top.fail(toml_util::line_of(*node),
             "expected 'test' to be an array of tables, got " + toml_util::describe(*node) +
                 " — write [[test]], with two brackets, above each test");
  }
  std::map<std::string, int> lines_by_name;
  for (const toml::node& element : *array) {
    const std::string where = "[[test]] at line " + std::to_string(toml_util::line_of(element));
    TestCase test =
        read_test(Reader(file.string(), *element.as_table(), where), defaults, file, provider);
    if (const auto [it, added] = lines_by_name.emplace(test.id, test.line); !added) {
      throw sdk::ConfigError(file.string(), test.line,
                             "expected each test name once, got " + in_quotes(test.id) +
                                 " at lines " + std::to_string(it->second) + " and " +
                                 std::to_string(test.line) + " — rename one of them");
    }
    tests.push_back(std::move(test));
  }
  return tests;
}

}  // namespace vt::core
