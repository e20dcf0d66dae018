// The `local` backend passes the SDK's testbed conformance suite through the real loader.
#include "vt/sdk/conformance/testbed_conformance.h"

VT_INSTANTIATE_TESTBED_CONFORMANCE(Local, {.backend = "local", .plugin_dirs = {VTRUN_PLUGIN_DIR}});
