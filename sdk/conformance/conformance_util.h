// Helpers shared by the conformance suite's source files (not part of its public header).
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

#include "vt/sdk/types.h"

namespace vt::sdk::conformance {

/// "equal", or where and how two byte strings differ, without printing megabytes.
std::string describe_difference(std::string_view expected, std::string_view got);

/// One line describing a command's result for failure messages (status, flags, output heads).
std::string describe(const ExecResult& result);

/// Host file helpers; they fail the current test (ADD_FAILURE) instead of throwing.
void write_host_file(const std::filesystem::path& path, std::string_view content);
std::string read_host_file(const std::filesystem::path& path);

/// `size` bytes from a fixed-seed generator, covering every byte value (NUL, 0xff, CR, LF).
std::string random_bytes(std::size_t size, unsigned seed);

// One per source file of the suite, referenced by link_testbed_conformance().
int link_exec_tests();
int link_stream_tests();
int link_copy_tests();
int link_lifecycle_tests();

}  // namespace vt::sdk::conformance
