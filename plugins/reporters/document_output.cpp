#include "document_output.h"

#include <cerrno>
#include <cstring>
#include <string>

#include "vt/sdk/error.h"
#include "vt/sdk/files.h"

namespace vt::reporters {

void write_document(const std::filesystem::path& output, std::FILE* out, std::string_view document,
                    std::string_view reporter) {
  if (output != "-") {
    vt::sdk::write_file_atomic(output, document);
    return;
  }
  if (std::fwrite(document.data(), 1, document.size(), out) != document.size() ||
      std::fflush(out) != 0) {
    throw vt::sdk::Error(std::string(reporter) +
                         " reporter: cannot write to stdout: " + std::strerror(errno) +
                         " — give a file instead: --reporter " + std::string(reporter) + ":PATH");
  }
}

}  // namespace vt::reporters
