#include "vt/core/sha256.h"

#include <openssl/evp.h>

#include <array>
#include <fstream>

#include "vt/sdk/error.h"

namespace vt::core {

struct Sha256::Context {
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> md{EVP_MD_CTX_new(), &EVP_MD_CTX_free};
};

Sha256::Sha256() : ctx_(std::make_unique<Context>()) {
  if (!ctx_->md || EVP_DigestInit_ex(ctx_->md.get(), EVP_sha256(), nullptr) != 1)
    throw sdk::Error("cannot initialise SHA-256 (OpenSSL's libcrypto)");
}

Sha256::~Sha256() = default;

void Sha256::add(std::string_view bytes) {
  if (EVP_DigestUpdate(ctx_->md.get(), bytes.data(), bytes.size()) != 1)
    throw sdk::Error("SHA-256 update failed (OpenSSL's libcrypto)");
}

void Sha256::field(std::string_view bytes) {
  add(std::to_string(bytes.size()) + ":");
  add(bytes);
}

namespace {
void add_bytes_of(Sha256& sha, const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw sdk::Error("cannot read '" + file.string() + "'");
  std::array<char, 65536> buf{};
  while (in.read(buf.data(), buf.size()) || in.gcount() > 0)
    sha.add(std::string_view(buf.data(), static_cast<std::size_t>(in.gcount())));
}
}  // namespace

void Sha256::add_file(const std::filesystem::path& file) {
  std::error_code ec;
  const auto size = std::filesystem::file_size(file, ec);
  if (ec) throw sdk::Error("cannot read '" + file.string() + "': " + ec.message());
  add(std::to_string(size) + ":");
  add_bytes_of(*this, file);
}

std::string Sha256::hex() {
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int size = 0;
  if (EVP_DigestFinal_ex(ctx_->md.get(), digest.data(), &size) != 1)
    throw sdk::Error("SHA-256 final failed (OpenSSL's libcrypto)");
  static const char* digits = "0123456789abcdef";
  std::string out;
  for (unsigned i = 0; i < size; ++i) {
    out += digits[digest[i] >> 4];
    out += digits[digest[i] & 0xf];
  }
  return out;
}

std::string sha256_of_file(const std::filesystem::path& file) {
  Sha256 sha;
  add_bytes_of(sha, file);
  return sha.hex();
}

}  // namespace vt::core
