// The xen backend turns a test's params into xl.cfg and a dom0 target: Avocado-VT's names where
// the qemu backend has them, xl.cfg's for the rest, errors that name the param, and a saved-image
// key that changes with what shapes the guest.
#include <gtest/gtest.h>
#include <stdlib.h>

#include "vt/sdk/error.h"
#include "xen_options.h"
#include "xl_config.h"

namespace vt::xen {
namespace {

// The params alone: VTRUN_XEN_HOST / VTRUN_XEN_SSH_KEY (their defaults) are not looked at.
sdk::TestbedSpec spec(sdk::Params extra, const std::string& machine = "vm1") {
  ::unsetenv("VTRUN_XEN_HOST");
  ::unsetenv("VTRUN_XEN_SSH_KEY");
  sdk::Params p = {{"xen_ssh_key", "/keys/id"}};
  for (auto& [k, v] : extra) p[k] = v;
  return {machine, p, {}};
}

TEST(XenConfig, DefaultsMakeAPvTinyGuestWithACowDiskAndTheSshKey) {
  const XenOptions o = parse_xen_options(spec({}));
  EXPECT_TRUE(o.dom0.local);
  const std::string cfg =
      render_xl_config(o, {"vtrun-ab-vm1", 3, "/dev/mapper/vtrun-ab-vm1-xvda", "ssh-ed25519 AAA"});
  EXPECT_NE(cfg.find("name = \"vtrun-ab-vm1\"\n"), std::string::npos) << cfg;
  EXPECT_NE(cfg.find("type = \"pv\"\n"), std::string::npos) << cfg;
  EXPECT_NE(cfg.find("kernel = \"/var/lib/vtrun/images/tiny/vmlinux\"\n"), std::string::npos);
  EXPECT_NE(cfg.find("ramdisk = \"/var/lib/vtrun/images/tiny/initrd.img\"\n"), std::string::npos);
  EXPECT_NE(cfg.find("memory = 128\nvcpus = 1\n"), std::string::npos) << cfg;
  EXPECT_NE(cfg.find("vif = [ 'bridge=xenbr0,mac=00:16:3e:76:00:03' ]"), std::string::npos);
  EXPECT_NE(cfg.find("disk = [ 'format=raw,vdev=xvda,access=rw,"
                     "target=/dev/mapper/vtrun-ab-vm1-xvda' ]"),
            std::string::npos)
      << cfg;
  // console, address of slot 3, and the key (base64 of "ssh-ed25519 AAA")
  EXPECT_NE(cfg.find("extra = \"console=hvc0 quiet vt.net=eth0:10.99.0.13/24 "
                     "vt.ssh=c3NoLWVkMjU1MTkgQUFB\""),
            std::string::npos)
      << cfg;
  EXPECT_NE(cfg.find("on_crash = \"destroy\""), std::string::npos);
}

TEST(XenConfig, AvocadoNamesAndMachineSuffixes) {
  const XenOptions o = parse_xen_options(spec({{"mem", "256"},
                                               {"smp_vm2", "2"},
                                               {"xen_type", "pvh"},
                                               {"kernel_params", "loglevel=7"},
                                               {"vms", "vm1 vm2"},
                                               {"nettype", "socket"},
                                               {"xen_disk_image", "none"},
                                               {"on_crash", "preserve"},
                                               {"xen_extra_config", "cpu_weight = 512"},
                                               {"xen_vif_script", "vtrun-vif"}},
                                              "vm2"));
  EXPECT_EQ(o.memory_mib, 256);
  EXPECT_EQ(o.vcpus, 2);
  const std::string cfg = render_xl_config(o, {"n", 0, "", ""});
  EXPECT_NE(cfg.find("type = \"pvh\""), std::string::npos);
  EXPECT_EQ(cfg.find("\ndisk ="), std::string::npos) << cfg;
  EXPECT_NE(cfg.find("vt.net=eth0:10.99.0.10/24,eth0:192.168.100.2/24 loglevel=7\""),
            std::string::npos)
      << cfg;
  EXPECT_NE(cfg.find("on_crash = \"preserve\""), std::string::npos);
  EXPECT_NE(cfg.find("\ncpu_weight = 512\n"), std::string::npos);
  EXPECT_NE(cfg.find(",script=vtrun-vif' ]"), std::string::npos) << cfg;
  const XenOptions fast = parse_xen_options(spec({{"xen_disk_script", "vtrun-block"}}));
  EXPECT_NE(render_xl_config(fast, {"n", 0, "/dev/mapper/d", ""})
                .find("access=rw,script=vtrun-block,target=/dev/mapper/d' ]"),
            std::string::npos);
}

TEST(XenConfig, Dom0OverSsh) {
  const XenOptions o = parse_xen_options(spec({{"xen_host", "ssh://admin@dom0.lan:2222"}}));
  EXPECT_FALSE(o.dom0.local);
  EXPECT_EQ(o.dom0.user, "admin");
  EXPECT_EQ(o.dom0.address, "dom0.lan");
  EXPECT_EQ(o.dom0.port, 2222);
  const Dom0Target t = parse_dom0_target("ssh://10.0.0.1", "/k");
  EXPECT_EQ(t.user, "root");
  EXPECT_EQ(t.port, 22);
}

TEST(XenConfig, BadParamsNameTheParamAndWhatWasExpected) {
  auto error_of = [](sdk::Params p) {
    try {
      parse_xen_options(spec(std::move(p)));
    } catch (const sdk::ConfigError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  EXPECT_NE(
      error_of({{"xen_type", "kvm"}}).find("'xen_type' = 'kvm': expected one of hvm, pv, pvh"),
      std::string::npos);
  EXPECT_NE(error_of({{"mem", "lots"}}).find("'mem' = 'lots': expected a whole number"),
            std::string::npos);
  EXPECT_NE(error_of({{"xen_host", "http://x"}}).find("expected ssh://[USER@]HOST[:PORT]"),
            std::string::npos);
  EXPECT_NE(error_of({{"xen_host", "ssh://h:99999"}}).find("'xen_host'"), std::string::npos);
  EXPECT_NE(error_of({{"on_poweroff", "explode"}}).find("'on_poweroff' = 'explode'"),
            std::string::npos);
  EXPECT_NE(error_of({{"kernel_params", "a\"b"}}).find("'kernel_params'"), std::string::npos);
  EXPECT_NE(error_of({{"xen_ssh_key", ""}}).find("'xen_ssh_key' is not set"), std::string::npos);
  EXPECT_NE(error_of({{"xen_disk_script", "a,b"}}).find("'xen_disk_script' = 'a,b': expected"),
            std::string::npos);
}

TEST(XenConfig, SavedImageKeyFollowsWhatShapesTheGuest) {
  const auto a = guest_key(parse_xen_options(spec({})));
  EXPECT_EQ(a, guest_key(parse_xen_options(spec({{"unrelated", "x"}}))));
  EXPECT_NE(a, guest_key(parse_xen_options(spec({{"mem", "256"}}))));
  EXPECT_NE(a, guest_key(parse_xen_options(spec({{"kernel_params", "quiet"}}))));
  EXPECT_NE(a, guest_key(parse_xen_options(spec({{"xen_host", "ssh://h"}}))));
  EXPECT_NE(a, guest_key(parse_xen_options(spec({{"xen_disk_script", "vtrun-block"}}))));
}

}  // namespace
}  // namespace vt::xen
