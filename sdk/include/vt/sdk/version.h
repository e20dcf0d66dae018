// SDK version, ABI version and build fingerprint.
//
// Rule for bumping `abi_version` (checked by the `sdk.abi_lock` test): any change to a type,
// virtual function, struct member or enumerator in an SDK header — added, removed, reordered or
// retyped — bumps it by one and records the new header hash in sdk/abi.lock
// (`cmake -DUPDATE=ON -P sdk/cmake/check_abi.cmake`). Comment and whitespace changes do not count.
#pragma once

#include <cstdint>

namespace vt::sdk {

/// Version of the SDK package (vtrunConfigVersion.cmake uses SameMajorVersion on it).
inline constexpr const char* sdk_version = "0.1.0";

/// Binary interface version. The loader refuses a plugin whose value differs from the core's.
inline constexpr std::uint32_t abi_version = 3;

#define VT_SDK_STR_(x) #x
#define VT_SDK_STR(x) VT_SDK_STR_(x)

#if defined(__clang__)
#define VT_SDK_COMPILER "clang " __clang_version__
#elif defined(__GNUC__)
#define VT_SDK_COMPILER "gcc " VT_SDK_STR(__GNUC__) "." VT_SDK_STR(__GNUC_MINOR__)
#else
#define VT_SDK_COMPILER "unknown-compiler"
#endif

#if defined(_GLIBCXX_RELEASE)
#define VT_SDK_STDLIB \
  "libstdc++ " VT_SDK_STR(_GLIBCXX_RELEASE) " cxx11-abi " VT_SDK_STR(_GLIBCXX_USE_CXX11_ABI)
#elif defined(_LIBCPP_VERSION)
#define VT_SDK_STDLIB "libc++ " VT_SDK_STR(_LIBCPP_VERSION)
#else
// <cstdint> above pulls in the standard library's configuration macros on every known library.
#define VT_SDK_STDLIB "unknown-stdlib"
#endif

/// What must match between the core and a plugin beyond the ABI version: the C++ types that
/// cross the boundary (std::string, std::vector, ...) are only compatible within one toolchain.
/// Evaluated in each translation unit, so a plugin reports the toolchain it was built with.
#define VT_SDK_BUILD_FINGERPRINT VT_SDK_COMPILER "; " VT_SDK_STDLIB "; sdk 0"

}  // namespace vt::sdk
