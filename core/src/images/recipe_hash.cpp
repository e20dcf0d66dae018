// The cache key of an image: SHA-256 over everything that decides what build.sh produces that
// vtrun can see — the recipe folder and the inputs build.sh declares.
#include <openssl/evp.h>

#include <algorithm>
#include <array>
#include <fstream>
#include <memory>

#include "vt/core/images.h"

namespace vt::core {

namespace fs = std::filesystem;

namespace {

class Sha256 {
 public:
  Sha256() : ctx_(EVP_MD_CTX_new(), &EVP_MD_CTX_free) {
    if (!ctx_ || EVP_DigestInit_ex(ctx_.get(), EVP_sha256(), nullptr) != 1)
      throw sdk::Error("cannot initialise SHA-256 (OpenSSL's libcrypto)");
  }
  void add(std::string_view bytes) {
    if (EVP_DigestUpdate(ctx_.get(), bytes.data(), bytes.size()) != 1)
      throw sdk::Error("SHA-256 update failed (OpenSSL's libcrypto)");
  }
  // Length-prefixed, so that no two sequences of fields hash alike.
  void field(std::string_view bytes) {
    add(std::to_string(bytes.size()) + ":");
    add(bytes);
  }
  std::string hex() {
    std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
    unsigned int size = 0;
    if (EVP_DigestFinal_ex(ctx_.get(), digest.data(), &size) != 1)
      throw sdk::Error("SHA-256 final failed (OpenSSL's libcrypto)");
    static const char* digits = "0123456789abcdef";
    std::string out;
    for (unsigned i = 0; i < size; ++i) {
      out += digits[digest[i] >> 4];
      out += digits[digest[i] & 0xf];
    }
    return out;
  }

 private:
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx_;
};

void add_file_contents(Sha256& sha, const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw sdk::Error("cannot read '" + file.string() + "' of an image recipe");
  const auto size = fs::file_size(file);
  sha.add(std::to_string(size) + ":");
  std::array<char, 65536> buf{};
  while (in.read(buf.data(), buf.size()) || in.gcount() > 0)
    sha.add(std::string_view(buf.data(), static_cast<std::size_t>(in.gcount())));
}

std::string first_line(const std::string& text) {
  const auto start = text.find_first_not_of(" \t\r\n");
  if (start == std::string::npos) return {};
  return text.substr(start, text.find('\n', start) - start);
}

std::string declared_inputs(const ImageRecipe& recipe, sdk::Host& host) {
  sdk::ExecRequest request;
  request.argv = {(recipe.dir / "build.sh").string(), "--inputs"};
  request.cwd = recipe.dir.string();
  request.timeout = std::chrono::seconds(120);
  const auto result = host.run(request, nullptr);
  const std::string what = "image '" + recipe.name + "': `build.sh --inputs` ";
  if (result.timed_out) throw sdk::Error(what + "did not finish in 120 s — fix the recipe");
  if (result.exit_status != 0) {
    const auto why = first_line(result.stderr_data);
    throw sdk::Error(what + "exited " + std::to_string(result.exit_status) +
                     (why.empty() ? "" : ": " + why) + " — fix the recipe in '" +
                     recipe.dir.string() + "'");
  }
  return result.stdout_data;
}

}  // namespace

std::string recipe_hash(const ImageRecipe& recipe, sdk::Host& host) {
  std::vector<fs::path> entries;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(recipe.dir, ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec))
    entries.push_back(it->path().lexically_relative(recipe.dir));
  if (ec)
    throw sdk::Error("cannot read the image recipe '" + recipe.dir.string() + "': " + ec.message());
  std::sort(entries.begin(), entries.end(), [](const fs::path& a, const fs::path& b) {
    return a.generic_string() < b.generic_string();
  });

  Sha256 sha;
  sha.field("vtrun image recipe v1");
  for (const auto& rel : entries) {
    const fs::path file = recipe.dir / rel;
    const auto status = fs::symlink_status(file);
    if (fs::is_symlink(status)) {
      sha.field("link");
      sha.field(rel.generic_string());
      sha.field(fs::read_symlink(file).string());
    } else if (fs::is_directory(status)) {
      sha.field("dir");
      sha.field(rel.generic_string());
    } else if (fs::is_regular_file(status)) {
      const bool executable = (status.permissions() & fs::perms::owner_exec) != fs::perms::none;
      sha.field(executable ? "exec" : "file");
      sha.field(rel.generic_string());
      add_file_contents(sha, file);
    }
  }
  sha.field("inputs");
  sha.field(declared_inputs(recipe, host));
  return sha.hex();
}

}  // namespace vt::core
