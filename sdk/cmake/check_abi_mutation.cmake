# Proves that check_abi.cmake catches a forgotten ABI bump: copies the SDK headers and lock
# into a scratch dir, adds a struct member to one header, and expects the check to fail.
#   cmake -DSDK_DIR=sdk -DSCRATCH=<dir> -P sdk/cmake/check_abi_mutation.cmake
file(REMOVE_RECURSE "${SCRATCH}")
file(COPY "${SDK_DIR}/include" DESTINATION "${SCRATCH}")
file(COPY "${SDK_DIR}/abi.lock" DESTINATION "${SCRATCH}")
file(READ "${SCRATCH}/include/vt/sdk/types.h" text)
string(REPLACE "  bool pty = false;" "  bool pty = false;\n  int added_member = 0;" mutated "${text}")
if(mutated STREQUAL text)
  message(FATAL_ERROR "mutation target not found in types.h: update check_abi_mutation.cmake")
endif()
file(WRITE "${SCRATCH}/include/vt/sdk/types.h" "${mutated}")

# A comment-only change must still pass.
execute_process(COMMAND ${CMAKE_COMMAND} -DSDK_DIR=${SCRATCH} -P ${CMAKE_CURRENT_LIST_DIR}/check_abi.cmake
  RESULT_VARIABLE rc ERROR_VARIABLE err OUTPUT_QUIET)
if(rc EQUAL 0)
  message(FATAL_ERROR "check_abi.cmake accepted a changed struct without an ABI bump")
endif()
if(NOT err MATCHES "bump abi_version")
  message(FATAL_ERROR "check_abi.cmake failed without saying to bump the ABI: ${err}")
endif()

file(WRITE "${SCRATCH}/include/vt/sdk/types.h" "// a comment-only change\n${text}")
execute_process(COMMAND ${CMAKE_COMMAND} -DSDK_DIR=${SCRATCH} -P ${CMAKE_CURRENT_LIST_DIR}/check_abi.cmake
  RESULT_VARIABLE rc ERROR_VARIABLE err OUTPUT_QUIET)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "check_abi.cmake rejected a comment-only change: ${err}")
endif()
file(REMOVE_RECURSE "${SCRATCH}")
message(STATUS "check_abi.cmake catches a forgotten bump and ignores comments")
