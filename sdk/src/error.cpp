#include "vt/sdk/error.h"

namespace vt::sdk {

// Out-of-line destructors are the key functions: they pin each class's typeinfo to libvtsdk,
// so an exception thrown in a plugin is caught by type in the core.
Error::Error(const std::string& message) : std::runtime_error(message) {}
Error::~Error() = default;

namespace {
std::string with_place(const std::string& file, int line, const std::string& message) {
  if (file.empty()) return message;
  return file + (line > 0 ? ":" + std::to_string(line) : std::string()) + ": " + message;
}
}  // namespace

ConfigError::ConfigError(const std::string& message) : Error(message) {}
ConfigError::ConfigError(const std::string& file, int line, const std::string& message)
    : Error(with_place(file, line, message)), file_(file), line_(line) {}
ConfigError::~ConfigError() = default;

UnavailableError::UnavailableError(const std::string& message) : Error(message) {}
UnavailableError::~UnavailableError() = default;

TimeoutError::TimeoutError(const std::string& message) : Error(message) {}
TimeoutError::~TimeoutError() = default;

InfrastructureError::InfrastructureError(const std::string& message) : Error(message) {}
InfrastructureError::~InfrastructureError() = default;

}  // namespace vt::sdk
