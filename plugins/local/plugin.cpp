#include "local_testbed.h"
#include "vt/sdk/plugin_entry.h"

namespace vt::local {
namespace {

std::unique_ptr<sdk::Testbed> make_local(sdk::Host& host, const sdk::TestbedSpec& spec) {
  return std::make_unique<LocalTestbed>(host, spec);
}

const sdk::Manifest* manifest() {
  static const sdk::Manifest m{
      "local",
      "0.1.0",
      {{sdk::PluginKind::backend, "local", "the host itself as a testbed (no revert)", &make_local,
        nullptr, nullptr}}};
  return &m;
}

}  // namespace
}  // namespace vt::local

VT_PLUGIN_ENTRY(vt::local::manifest)
