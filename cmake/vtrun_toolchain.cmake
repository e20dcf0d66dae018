# Compiler settings shared by every target of the project.
find_program(CCACHE_PROGRAM ccache)
if(CCACHE_PROGRAM)
  set(CMAKE_CXX_COMPILER_LAUNCHER ${CCACHE_PROGRAM})
endif()

add_library(vt_warnings INTERFACE)
target_compile_options(vt_warnings INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Wold-style-cast -Wcast-align
  -Woverloaded-virtual -Wimplicit-fallthrough
  # GCC 12 reports a false -Wrestrict inside libstdc++'s string concatenation at -O2/-O3
  # (GCC bug 105329); later GCCs keep the warning.
  $<$<AND:$<CXX_COMPILER_ID:GNU>,$<VERSION_LESS:$<CXX_COMPILER_VERSION>,13>>:-Wno-restrict>
  $<$<BOOL:${VTRUN_WERROR}>:-Werror>)

if(VTRUN_SANITIZE)
  # Applied globally so that plugins, the core and the tests share one sanitizer runtime.
  add_compile_options(-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
  add_link_options(-fsanitize=address,undefined)
  # GCC's flow analysis reports false "maybe uninitialized" inside libstdc++ (std::regex,
  # std::function) once ASan instruments it; the plain -Werror build keeps the warning.
  add_compile_options(-Wno-maybe-uninitialized)
endif()
