# vt_add_plugin(<name> SOURCES <src>... [LIBRARIES <lib>...] [OUTPUT_DIRECTORY <dir>] [NO_INSTALL])
#
# Builds every plugin the same way: a MODULE library named libvt_<name>.so that links only the
# SDK (plus the given private libraries), hidden visibility so that only `vt_plugin_v1` is
# exported, and --no-undefined so a missing symbol fails the build, not the load.
# In the vtrun tree the output goes to VTRUN_PLUGIN_BUILD_DIR, where the build's vtrun finds it.
# `cmake --install` puts it in <libdir>/vtrun/plugins, where an installed vtrun looks.
function(vt_add_plugin name)
  cmake_parse_arguments(PARSE_ARGV 1 arg "NO_INSTALL" "OUTPUT_DIRECTORY" "SOURCES;LIBRARIES")
  if(NOT arg_SOURCES)
    message(FATAL_ERROR "vt_add_plugin(${name}): SOURCES is required")
  endif()
  add_library(vt_${name} MODULE ${arg_SOURCES})
  target_link_libraries(vt_${name} PRIVATE vtrun::sdk ${arg_LIBRARIES})
  if(TARGET vt_boost)
    target_link_libraries(vt_${name} PRIVATE vt_boost vt_warnings)
  else()
    find_package(Boost 1.74 REQUIRED)
    target_link_libraries(vt_${name} PRIVATE Boost::headers)
  endif()
  if(NOT arg_OUTPUT_DIRECTORY AND DEFINED VTRUN_PLUGIN_BUILD_DIR)
    set(arg_OUTPUT_DIRECTORY ${VTRUN_PLUGIN_BUILD_DIR})
  endif()
  set_target_properties(vt_${name} PROPERTIES
    PREFIX "lib"
    OUTPUT_NAME "vt_${name}"
    CXX_VISIBILITY_PRESET hidden
    VISIBILITY_INLINES_HIDDEN ON)
  if(arg_OUTPUT_DIRECTORY)
    set_target_properties(vt_${name} PROPERTIES LIBRARY_OUTPUT_DIRECTORY ${arg_OUTPUT_DIRECTORY})
  endif()
  target_link_options(vt_${name} PRIVATE "LINKER:--no-undefined")
  if(NOT arg_NO_INSTALL)
    include(GNUInstallDirs)
    install(TARGETS vt_${name} LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}/vtrun/plugins)
  endif()
endfunction()
