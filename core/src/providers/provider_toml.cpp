// providers.d/*.toml: the .ini keys with TOML types, plus vtrun's own `format` and `tags`.
// Unlike the .ini reader, unknown keys are errors: a typo must not pass silently.
#include "providers/provider_readers.h"
#include "providers/toml_util.h"
#include "providers/uri.h"
#include "vt/sdk/error.h"

namespace vt::core::detail {

Provider read_toml_provider(const std::filesystem::path& definition) {
  const std::string file = definition.string();
  const toml::table root = toml_util::parse_file(definition);
  Provider provider;
  provider.definition = definition;

  const toml::node* provider_node = root.get("provider");
  if (provider_node == nullptr) {
    throw sdk::ConfigError(file, 0,
                           "expected a [provider] table, got none — add '[provider]' with "
                           "'uri = \"<where the tests are>\"'");
  }
  const toml::table* provider_table = provider_node->as_table();
  if (provider_table == nullptr) {
    toml_util::Reader(file, root, "the top level")
        .fail_type("provider", "a table", *provider_node, "[provider] uri = \"...\"");
  }
  const toml_util::Reader reader(file, *provider_table, "[provider]");
  reader.check_keys({"uri", "branch", "ref", "pubkey", "format", "tags"});
  if (!reader.has("uri")) {
    reader.fail(toml_util::line_of(*provider_table),
                "expected 'uri' in [provider], got none — add e.g. "
                "uri = \"https://github.com/org/tests.git\"");
  }
  provider.uri_line = reader.line_of("uri");
  provider.uri = classify_uri(reader.string("uri", "uri = \"https://github.com/org/tests.git\""),
                              definition, provider.uri_line);
  provider.branch = reader.string("branch", "branch = \"main\"");
  provider.ref = reader.string("ref", "ref = \"v1.2\"");
  provider.pubkey = reader.string("pubkey", "pubkey = \"keys/org.asc\"");
  provider.branch_line = reader.has("branch") ? reader.line_of("branch") : 0;
  provider.ref_line = reader.has("ref") ? reader.line_of("ref") : 0;
  provider.pubkey_line = reader.has("pubkey") ? reader.line_of("pubkey") : 0;
  provider.format = reader.choice("format", {"native", "cartesian", "pvtest"});
  provider.tags = reader.strings("tags", "tags = [\"smoke\"]");

  for (auto&& [key, node] : root) {
    if (key.str() == "provider") continue;
    const std::string name(key.str());
    const toml::table* table = node.as_table();
    if (table == nullptr) {
      reader.fail(toml_util::line_of(node),
                  "expected a backend table such as [" + name + "] at the top level, got '" + name +
                      "' as " + toml_util::describe(node) +
                      " — move the key under [provider] or into a backend table");
    }
    const toml_util::Reader section(file, *table, "[" + name + "]");
    section.check_keys({"subdir", "configs"});
    BackendSection backend;
    backend.backend = name;
    backend.line = toml_util::line_of(*table);
    if (section.has("subdir")) {
      backend.subdir = checked_subdir(section.string("subdir", "subdir = \"qemu\""), file,
                                      section.line_of("subdir"));
    }
    backend.configs = section.strings("configs", "configs = [\"tests.cfg\"]");
    provider.backends.emplace(name, std::move(backend));
  }
  return provider;
}

}  // namespace vt::core::detail
