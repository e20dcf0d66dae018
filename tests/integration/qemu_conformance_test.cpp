// The `qemu` backend passes the SDK's testbed conformance suite through the real loader, with
// real QEMU virtual machines (the tiny guest; TCG where KVM is unusable), once over each
// command channel: qemu-guest-agent (the default) and ssh (dropbear in the guest).
#include "vt/sdk/conformance/testbed_conformance.h"

VT_INSTANTIATE_TESTBED_CONFORMANCE(Qemu, {.backend = "qemu", .plugin_dirs = {VTRUN_PLUGIN_DIR}},
                                   {.backend = "qemu",
                                    .plugin_dirs = {VTRUN_PLUGIN_DIR},
                                    .params = {{"channel", "ssh"}}});
