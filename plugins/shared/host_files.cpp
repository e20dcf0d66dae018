#include "host_files.h"

#include <sys/stat.h>

#include <cstdio>
#include <filesystem>

#include "vt/sdk/error.h"
#include "vt/sdk/files.h"

namespace vt::backend {

namespace fs = std::filesystem;

std::string pack_host_dir(sdk::Host& host, const std::string& dir) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec))
    throw sdk::ConfigError("copy_in: '" + dir + "' is not a directory");
  sdk::ExecRequest tar;
  tar.argv = {"tar", "-C", dir, "-cf", "-", "."};
  tar.timeout = std::chrono::seconds(300);
  sdk::ExecResult packed = host.run(tar, nullptr);
  if (packed.exit_status != 0)
    throw sdk::InfrastructureError("packing '" + dir + "' failed: " + packed.stderr_data);
  return std::move(packed.stdout_data);
}

void unpack_into_host_dir(sdk::Host& host, std::string tar_data, const std::string& dir) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  sdk::ExecRequest tar;
  tar.argv = {"tar", "-C", dir, "-xf", "-"};
  tar.stdin_data = std::move(tar_data);
  tar.timeout = std::chrono::seconds(300);
  const sdk::ExecResult unpacked = host.run(tar, nullptr);
  if (unpacked.exit_status != 0)
    throw sdk::InfrastructureError("unpacking into '" + dir + "' failed: " + unpacked.stderr_data);
}

std::string host_file_mode(const std::string& path) {
  struct stat st {};
  if (stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode))
    throw sdk::ConfigError("copy_in: '" + path + "' is not a regular file");
  char mode[8];
  std::snprintf(mode, sizeof mode, "%o", st.st_mode & 07777);
  return mode;
}

void write_host_file(const std::string& path, const std::string& data,
                     const std::string& octal_mode) {
  sdk::write_file_atomic(path, data);
  std::error_code ec;
  fs::permissions(path, static_cast<fs::perms>(std::stoul(octal_mode, nullptr, 8)), ec);
}

}  // namespace vt::backend
