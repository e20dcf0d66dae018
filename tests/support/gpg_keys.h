// A throw-away GnuPG home for tests that sign things: ed25519 keys without passphrase, their
// public keys exported to files, and shell commands (`git tag -s`, `git commit -S`) run with
// it. Its gpg-agent is stopped when the object goes; nothing touches the user's ~/.gnupg or
// git config.
#pragma once

#include <stdio.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "support/test_support.h"

namespace vt::test_support {

/// `text` as one word for sh.
inline std::string shell_quote(std::string_view text) {
  std::string quoted = "'";
  for (const char c : text) quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return quoted + "'";
}

/// Pids of live processes whose command line mentions `path` (a gpg-agent started for a
/// GnuPG home under it names it in `--homedir`).
inline std::vector<int> processes_mentioning(const std::filesystem::path& path) {
  std::vector<int> pids;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator("/proc", ec)) {
    const std::string name = entry.path().filename().string();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::ifstream in(entry.path() / "cmdline", std::ios::binary);
    const std::string cmdline((std::istreambuf_iterator<char>(in)),
                              std::istreambuf_iterator<char>());
    if (cmdline.find(path.string()) != std::string::npos) pids.push_back(std::stoi(name));
  }
  return pids;
}

class GpgKeys {
 public:
  explicit GpgKeys(std::string_view prefix = "vt-gpg-") : dir_(prefix), home_(dir_.path() / "g") {
    std::filesystem::create_directory(home_);
    chmod(home_.c_str(), 0700);  // gpg warns about a home others can read
  }
  GpgKeys(const GpgKeys&) = delete;
  GpgKeys& operator=(const GpgKeys&) = delete;
  /// Stops the gpg-agent that signing started and waits (up to 5 s) until it is gone.
  ~GpgKeys() {
    run("gpgconf --kill all >/dev/null 2>&1");
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    while (!processes_mentioning(home_).empty() && std::chrono::steady_clock::now() < deadline)
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }

  /// The GNUPGHOME holding the secret keys.
  const std::filesystem::path& home() const { return home_; }

  /// Generates an ed25519 signing key without passphrase for `uid` ("Name <mail>"), expiring
  /// after `expiry` ("never", "1d", "2y"); `gpg_options` go before the command (for example
  /// "--faked-system-time 20200101T000000"). Returns its fingerprint, upper-case hex.
  std::string generate(const std::string& uid, const std::string& expiry = "never",
                       const std::string& gpg_options = "") const {
    const std::string status =
        output("gpg --batch --quiet --status-fd 1 --passphrase '' " + gpg_options +
               " --quick-gen-key " + shell_quote(uid) + " ed25519 sign " + expiry);
    // [GNUPG:] KEY_CREATED P <fingerprint>
    const auto at = status.find("KEY_CREATED ");
    if (at == std::string::npos) throw std::runtime_error("gpg created no key: " + status);
    std::istringstream in(status.substr(at));
    std::string keyword, type, fingerprint;
    in >> keyword >> type >> fingerprint;
    return fingerprint;
  }

  /// Writes the public keys `fingerprints` (space-separated) to `file`, armored or binary.
  std::filesystem::path export_public(const std::string& fingerprints,
                                      const std::filesystem::path& file, bool armor = true) const {
    if (file.has_parent_path()) std::filesystem::create_directories(file.parent_path());
    output(std::string("gpg --batch --quiet ") + (armor ? "--armor " : "") + "--output " +
           shell_quote(file.string()) + " --yes --export " + fingerprints);
    return file;
  }

  /// Revokes `fingerprint` with the revocation certificate gpg stored when generating it.
  void revoke(const std::string& fingerprint) const {
    const auto rev = home_ / "openpgp-revocs.d" / (fingerprint + ".rev");
    std::ifstream in(rev);
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    // gpg stores it "disarmed" with a ':' before the armor line, against accidental imports.
    if (const auto at = text.find(":-----BEGIN"); at != std::string::npos) text.erase(at, 1);
    const auto armored = write_file(dir_.path() / "revoke.asc", text);
    output("gpg --batch --quiet --import " + shell_quote(armored.string()));
  }

  /// Runs `command` with sh in `cwd` (when given) with GNUPGHOME = home(), HOME = a scratch
  /// directory and no system or global git config (so a user's `commit.gpgsign` or
  /// `gpg.format = ssh` cannot interfere), git identity "vtrun test <test@example.org>".
  /// Returns the exit status (-1 when sh cannot run).
  int run(const std::string& command, const std::filesystem::path& cwd = {}) const {
    const int status = std::system(wrap(command, cwd).c_str());
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }

  /// Like run(), returning stdout; throws std::runtime_error when the command fails.
  std::string output(const std::string& command, const std::filesystem::path& cwd = {}) const {
    FILE* pipe = popen(wrap(command, cwd).c_str(), "r");
    if (pipe == nullptr) throw std::runtime_error("cannot run: " + command);
    std::string text;
    char buffer[4096];
    std::size_t n = 0;
    while ((n = fread(buffer, 1, sizeof buffer, pipe)) > 0) text.append(buffer, n);
    const int status = pclose(pipe);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
      throw std::runtime_error("command failed (" + std::to_string(status) + "): " + command);
    return text;
  }

 private:
  std::string wrap(const std::string& command, const std::filesystem::path& cwd) const {
    std::string line = "export GNUPGHOME=" + shell_quote(home_.string()) +
                       " HOME=" + shell_quote(dir_.path().string()) +
                       " LC_ALL=C GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null"
                       " GIT_AUTHOR_NAME='vtrun test' GIT_AUTHOR_EMAIL=test@example.org"
                       " GIT_COMMITTER_NAME='vtrun test' GIT_COMMITTER_EMAIL=test@example.org; ";
    if (!cwd.empty()) line += "cd " + shell_quote(cwd.string()) + " && ";
    return line + "{ " + command + "; }";
  }

  TempDir dir_;
  std::filesystem::path home_;
};

}  // namespace vt::test_support
