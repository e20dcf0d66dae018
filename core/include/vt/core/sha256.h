// SHA-256 (OpenSSL's libcrypto), for cache keys: image recipes, provider archives.
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

namespace vt::core {

class Sha256 {
 public:
  Sha256();  // throws sdk::Error when libcrypto cannot
  ~Sha256();
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;

  void add(std::string_view bytes);
  /// Length-prefixed, so that no two sequences of fields hash alike.
  void field(std::string_view bytes);
  /// The contents of `file`, length-prefixed. Throws sdk::Error naming it when unreadable.
  void add_file(const std::filesystem::path& file);
  /// Lower-case hex of the digest; call once.
  std::string hex();

 private:
  struct Context;
  std::unique_ptr<Context> ctx_;
};

/// The hex SHA-256 of a file's bytes (nothing prefixed: what `sha256sum` prints).
std::string sha256_of_file(const std::filesystem::path& file);

}  // namespace vt::core
