// The qemu backend turns a test's params into a VmConfig and a QEMU command line: Avocado-VT's
// names and object suffixes, errors that name the param, and a saved-state key that ignores
// per-instance paths but not what shapes the guest.
#include <gtest/gtest.h>

#include <algorithm>

#include "qemu_command.h"
#include "support/test_support.h"
#include "vm_config.h"
#include "vt/sdk/error.h"
#include "vt/sdk/files.h"

namespace vt::qemu {
namespace {

namespace fs = std::filesystem;

class QemuConfig : public ::testing::Test {
 protected:
  QemuConfig() : tmp_("vtrun-qemu-config-") {
    for (const char* f : {"base.qcow2", "vmlinux", "initrd.img"})
      sdk::write_file_atomic(tmp_.path() / f, "x");
  }
  sdk::TestbedSpec spec(sdk::Params extra, const std::string& machine = "vm1") {
    sdk::Params p = {{"image_name_image1", (tmp_.path() / "base.qcow2").string()},
                     {"kernel", (tmp_.path() / "vmlinux").string()},
                     {"initrd", (tmp_.path() / "initrd.img").string()}};
    for (auto& [k, v] : extra) p[k] = v;
    return {machine, p, tmp_.path() / "log"};
  }
  static bool contains(const std::vector<std::string>& argv, const std::string& arg) {
    return std::find(argv.begin(), argv.end(), arg) != argv.end();
  }
  test_support::TempDir tmp_;
};

TEST_F(QemuConfig, ParamsBecomeDevicesDisksAndArguments) {
  const VmConfig vm = parse_vm_config(spec({{"mem", "512"},
                                            {"smp", "2"},
                                            {"images", "image1 image2"},
                                            {"image_size_image2", "1G"},
                                            {"drive_format_image2", "ide"},
                                            {"extra_params", "-device 'virtio-rng-pci,id=rng0'"}}));
  EXPECT_EQ(vm.mem_mb, 512);
  EXPECT_EQ(vm.smp, 2);
  ASSERT_EQ(vm.disks.size(), 2u);
  EXPECT_EQ(vm.disks[0].base, tmp_.path() / "base.qcow2");
  EXPECT_TRUE(vm.disks[1].base.empty());
  EXPECT_EQ(vm.disks[1].size, "1G");
  EXPECT_EQ(vm.extra_args, (std::vector<std::string>{"-device", "virtio-rng-pci,id=rng0"}));
  EXPECT_EQ(vm.console_log, tmp_.path() / "log/console.log");

  InstancePaths paths{
      "vtrun-qemu-x", "/r/qmp.sock", "/r/qga.sock", "/r/qemu.pid", {"/r/a.qcow2", "/r/b.qcow2"}};
  const auto argv = qemu_argv(vm, "tcg", paths, false);
  EXPECT_TRUE(contains(argv, "512"));
  EXPECT_TRUE(contains(argv, "virtio-blk-pci,drive=drive-image1,id=image1"));
  EXPECT_TRUE(contains(argv, "ide-hd,drive=drive-image2,id=image2,bus=ide.0"));
  EXPECT_TRUE(contains(argv, "virtio-rng-pci,id=rng0"));
  EXPECT_TRUE(contains(argv, "user,id=net-nic1"));
  EXPECT_FALSE(contains(argv, "-incoming"));
  EXPECT_TRUE(contains(qemu_argv(vm, "tcg", paths, true), "-incoming"));
  EXPECT_NE(vm.kernel_params.find("vt.net=eth0:10.0.2.15/24:10.0.2.2"), std::string::npos);
}

TEST_F(QemuConfig, BadParamsAreConfigErrorsNamingTheParam) {
  EXPECT_NE(test_support::error_message<sdk::ConfigError>([&] {
              parse_vm_config(spec({{"mem", "lots"}}));
            }).find("'mem'"),
            std::string::npos);
  EXPECT_NE(test_support::error_message<sdk::ConfigError>([&] {
              parse_vm_config(spec({{"drive_format", "floppy"}}));
            }).find("drive_format"),
            std::string::npos);
  EXPECT_NE(test_support::error_message<sdk::ConfigError>([&] {
              parse_vm_config(spec({{"nettype", "bridge"}}));
            }).find("nettype"),
            std::string::npos);
  EXPECT_NE(test_support::error_message<sdk::ConfigError>([&] {
              parse_vm_config(spec({{"image_name_image1", "/no/such/image"}}));
            }).find("image_name"),
            std::string::npos);
  EXPECT_NE(test_support::error_message<sdk::ConfigError>([&] {
              parse_vm_config(spec({{"channel", "ssh"}, {"nettype", "none"}}));
            }).find("channel"),
            std::string::npos);
  EXPECT_NE(test_support::error_message<sdk::ConfigError>([&] {
              parse_vm_config(spec({{"vms", "vm1 vm2 vm3"}, {"nettype", "socket"}}));
            }).find("exactly two VMs"),
            std::string::npos);
}

TEST_F(QemuConfig, ASocketNetworkLinksTheTwoVmsBothWays) {
  const sdk::Params p = {{"vms", "vm1 vm2"}, {"nettype", "socket"}};
  const VmConfig vm1 = parse_vm_config(spec(p, "vm1"));
  const VmConfig vm2 = parse_vm_config(spec(p, "vm2"));
  ASSERT_EQ(vm1.nics.size(), 1u);
  ASSERT_EQ(vm2.nics.size(), 1u);
  EXPECT_EQ(vm1.nics[0].local_socket, vm2.nics[0].remote_socket);
  EXPECT_EQ(vm1.nics[0].remote_socket, vm2.nics[0].local_socket);
  EXPECT_NE(vm1.kernel_params.find("vt.net=eth0:192.168.100.1/24"), std::string::npos);
  EXPECT_NE(vm2.kernel_params.find("vt.net=eth0:192.168.100.2/24"), std::string::npos);
  EXPECT_EQ(vm2.console_log.filename(), "console-vm2.log");
}

TEST_F(QemuConfig, TheStateKeyIgnoresInstancePathsButNotTheGuestsShape) {
  const VmConfig a = parse_vm_config(spec({}));
  const VmConfig b = parse_vm_config(spec({}));
  EXPECT_EQ(state_key(a, "tcg"), state_key(b, "tcg"));
  EXPECT_NE(state_key(a, "tcg"), state_key(parse_vm_config(spec({{"mem", "512"}})), "tcg"));
  EXPECT_NE(state_key(a, "tcg"), state_key(a, "kvm"));
  // A base image that changed on disk is another guest.
  const std::string before = state_key(a, "tcg");
  sdk::write_file_atomic(tmp_.path() / "base.qcow2", "changed");
  EXPECT_NE(before, state_key(parse_vm_config(spec({})), "tcg"));
}

TEST(QemuWords, ExtraParamsSplitLikeAShell) {
  EXPECT_EQ(split_words("-a 'b c' \"d\"e f\\ g", "k"),
            (std::vector<std::string>{"-a", "b c", "de", "f g"}));
  EXPECT_THROW(split_words("'open", "extra_params"), sdk::ConfigError);
}

}  // namespace
}  // namespace vt::qemu
