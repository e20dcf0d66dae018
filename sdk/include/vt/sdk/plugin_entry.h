// Include from exactly one source file of a plugin, then write
//   VT_PLUGIN_ENTRY(my_manifest_function)
// where `const vt::sdk::Manifest* my_manifest_function()` returns a static manifest.
// Kept apart from plugin.h so that Boost.DLL's headers reach only that one file.
#pragma once

#include <boost/dll/alias.hpp>

#include "vt/sdk/plugin.h"
#include "vt/sdk/version.h"

#define VT_PLUGIN_ENTRY(manifest_function)                                                        \
  namespace vt_plugin_entry_detail {                                                              \
  const ::vt::sdk::PluginHeader* entry() {                                                        \
    static const ::vt::sdk::PluginHeader header{sizeof(::vt::sdk::PluginHeader),                  \
                                                ::vt::sdk::abi_version, VT_SDK_BUILD_FINGERPRINT, \
                                                &manifest_function};                              \
    return &header;                                                                               \
  }                                                                                               \
  }                                                                                               \
  BOOST_DLL_ALIAS(vt_plugin_entry_detail::entry, vt_plugin_v1)
