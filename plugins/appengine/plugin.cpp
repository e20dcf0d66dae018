#include "appengine_testbed.h"
#include "container_engine.h"
#include "vt/sdk/plugin_entry.h"

namespace vt::appengine {
namespace {

std::unique_ptr<sdk::Testbed> make_appengine(sdk::Host& host, const sdk::TestbedSpec& spec) {
  return std::make_unique<AppengineTestbed>(host, spec);
}

std::vector<sdk::HostCheck> check_host(sdk::Host& host) {
  std::vector<sdk::HostCheck> checks;
  try {
    const ContainerEngine engine(host, "auto");
    const auto version = engine.run({"version", "--format", "{{.Server.Version}}"});
    checks.push_back(
        {"container engine", true,
         engine.name() + " " + version.stdout_data.substr(0, version.stdout_data.find('\n')), ""});
    const bool standin =
        engine.run({"image", "inspect", "vtrun/appengine-standin:latest"}).exit_status == 0;
    const bool tester =
        engine.run({"image", "inspect", "pantavisor-appengine-tester:latest"}).exit_status == 0;
    checks.push_back({"device image", standin || tester,
                      std::string(tester ? "pantavisor-appengine-tester:latest" : "") +
                          (tester && standin ? ", " : "") +
                          (standin ? "vtrun/appengine-standin:latest (stand-in)" : "") +
                          (!tester && !standin ? "none loaded" : ""),
                      "load the tester image (docker load -i …), or `vtrun image build "
                      "appengine-standin`"});
  } catch (const std::exception& e) {
    checks.push_back({"container engine", false, e.what(),
                      "apt-get install docker.io (start dockerd) or podman"});
  }
  return checks;
}

const sdk::Manifest* manifest() {
  static const sdk::Manifest m{
      "appengine",
      "0.1.0",
      {{sdk::PluginKind::backend, "appengine",
        "Pantavisor devices in containers (docker or podman), as Pantavisor's appengine runner",
        &make_appengine, nullptr, nullptr, &check_host}}};
  return &m;
}

}  // namespace
}  // namespace vt::appengine

VT_PLUGIN_ENTRY(vt::appengine::manifest)
