// The command channels the qemu backend shares with other backends (plugins/shared), named in
// this backend's namespace.
#pragma once

#include "host_files.h"
#include "shell.h"
#include "ssh_shell.h"

namespace vt::qemu {
using namespace vt::backend;  // NOLINT(google-build-using-namespace): one backend's view of shared
                              // code
}  // namespace vt::qemu
