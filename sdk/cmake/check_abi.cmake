# Fails when the SDK headers changed but sdk/abi.lock (and so vt::sdk::abi_version) did not.
#   cmake -DSDK_DIR=sdk -P sdk/cmake/check_abi.cmake              check
#   cmake -DSDK_DIR=sdk -DUPDATE=ON -P sdk/cmake/check_abi.cmake  record after bumping
# The hash ignores comments, whitespace and line continuations, so documentation and
# formatting edits need no bump.
if(NOT SDK_DIR)
  get_filename_component(SDK_DIR "${CMAKE_CURRENT_LIST_DIR}/.." ABSOLUTE)
endif()
file(GLOB headers "${SDK_DIR}/include/vt/sdk/*.h")
list(SORT headers)
set(normalised "")
foreach(h IN LISTS headers)
  file(READ "${h}" text)
  string(REGEX REPLACE "/\\*([^*]|\\*+[^*/])*\\*+/" "" text "${text}")
  string(REGEX REPLACE "//[^\n]*" "" text "${text}")
  string(REGEX REPLACE "\\\\\n" "" text "${text}")  # line continuations
  string(REGEX REPLACE "[ \t\r\n]+" "" text "${text}")
  get_filename_component(base "${h}" NAME)
  string(APPEND normalised "== ${base} ==${text}")
endforeach()
string(SHA256 hash "${normalised}")

file(READ "${SDK_DIR}/include/vt/sdk/version.h" version_h)
string(REGEX MATCH "abi_version = ([0-9]+);" _ "${version_h}")
set(abi "${CMAKE_MATCH_1}")
set(lock_file "${SDK_DIR}/abi.lock")

if(UPDATE)
  file(WRITE "${lock_file}" "abi_version=${abi}\nheaders_sha256=${hash}\n")
  message(STATUS "recorded ABI ${abi} with headers hash ${hash} in ${lock_file}")
  return()
endif()

file(STRINGS "${lock_file}" lock)
string(REGEX MATCH "abi_version=([0-9]+)" _ "${lock}")
set(locked_abi "${CMAKE_MATCH_1}")
string(REGEX MATCH "headers_sha256=([0-9a-f]+)" _ "${lock}")
set(locked_hash "${CMAKE_MATCH_1}")

if(NOT locked_hash STREQUAL hash)
  if(locked_abi STREQUAL abi)
    message(FATAL_ERROR "SDK headers changed (hash ${hash}, sdk/abi.lock has ${locked_hash}) "
      "but vt::sdk::abi_version is still ${abi} — bump abi_version in sdk/include/vt/sdk/version.h, "
      "then run: cmake -DUPDATE=ON -P sdk/cmake/check_abi.cmake")
  else()
    message(FATAL_ERROR "abi_version is ${abi} but sdk/abi.lock records ${locked_abi} for other headers "
      "— run: cmake -DUPDATE=ON -P sdk/cmake/check_abi.cmake")
  endif()
endif()
if(NOT locked_abi STREQUAL abi)
  message(FATAL_ERROR "sdk/abi.lock records ABI ${locked_abi} but version.h says ${abi} — run: "
    "cmake -DUPDATE=ON -P sdk/cmake/check_abi.cmake")
endif()
message(STATUS "SDK ABI ${abi}: headers match sdk/abi.lock")
