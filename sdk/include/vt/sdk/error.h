// The one error hierarchy of vtrun. Plugins throw these; the core catches them at the plugin
// boundary and re-throws with the plugin's name.
//
// Messages start lower-case, quote the thing, give expected vs got and end with a remedy.
#pragma once

#include <stdexcept>
#include <string>

namespace vt::sdk {

/// Base of every vtrun error. Thread-safe to copy; `what()` is the full user-facing message.
class Error : public std::runtime_error {
 public:
  explicit Error(const std::string& message);
  ~Error() override;
};

/// Bad user input: a config file, a provider definition, a command-line value.
/// `file` and `line` are set when the error has a place (line 0 = the whole file).
class ConfigError : public Error {
 public:
  explicit ConfigError(const std::string& message);
  ConfigError(const std::string& file, int line, const std::string& message);
  ~ConfigError() override;
  const std::string& file() const noexcept { return file_; }
  int line() const noexcept { return line_; }

 private:
  std::string file_;
  int line_ = 0;
};

/// A facility the host lacks (no /dev/kvm, no container engine): callers may SKIP on it.
class UnavailableError : public Error {
 public:
  explicit UnavailableError(const std::string& message);
  ~UnavailableError() override;
};

/// An operation ran out of time.
class TimeoutError : public Error {
 public:
  explicit TimeoutError(const std::string& message);
  ~TimeoutError() override;
};

/// The testbed or its channel broke (not the test): such tests are ERROR, never FAIL.
class InfrastructureError : public Error {
 public:
  explicit InfrastructureError(const std::string& message);
  ~InfrastructureError() override;
};

}  // namespace vt::sdk
