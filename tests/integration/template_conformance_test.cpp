// The backend template (sdk/templates/backend) passes the testbed conformance suite, so a new
// backend starts from something that works.
#include "vt/sdk/conformance/testbed_conformance.h"

VT_INSTANTIATE_TESTBED_CONFORMANCE(Template, {.backend = "mybackend",
                                              .plugin_dirs = {VTRUN_TEMPLATE_PLUGIN_DIR}});
