#include "providers/signature_check.h"

#include <stdlib.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <fstream>
#include <iterator>
#include <optional>
#include <sstream>
#include <string_view>
#include <system_error>
#include <utility>

#include "providers/gpg_output.h"
#include "vt/core/process.h"
#include "vt/core/sha256.h"
#include "vt/sdk/error.h"
#include "vt/sdk/files.h"

namespace vt::core {

namespace fs = std::filesystem;

namespace {

using gpg::find;
using gpg::gpg_said;
using gpg::parse_status;
using gpg::split;
using gpg::StatusLine;
using gpg::unescape;

constexpr std::chrono::seconds tool_timeout{60};
// Written last into a keyring directory: its presence means the import completed.
constexpr const char* marker_name = "vtrun-keyring";
constexpr std::string_view marker_header = "vtrun keyring 1";

// `argv` with GNUPGHOME = `home`; in the C locale, so gpg's and git's words can be parsed.
sdk::ExecResult run_tool(const std::vector<std::string>& argv, const fs::path& home,
                         std::string stdin_data = {}) {
  sdk::ExecRequest request;
  request.argv = argv;
  request.env = {{"LC_ALL", "C"}, {"GNUPGHOME", home.string()}};
  request.stdin_data = std::move(stdin_data);
  request.timeout = tool_timeout;
  sdk::ExecResult result;
  try {
    result = run_process(request, nullptr);
  } catch (const sdk::Error& e) {
    throw sdk::Error(std::string(e.what()) +
                     " — install GnuPG ('gpg') and git to check the signatures of providers");
  }
  if (result.timed_out)
    throw sdk::TimeoutError("'" + argv.front() + "' did not finish within " +
                            std::to_string(tool_timeout.count()) + " s (GNUPGHOME '" +
                            home.string() + "') — check that gpg works on this host");
  return result;
}

// gpg without a terminal, agent or network: `no-autostart` in the keyring's gpg.conf keeps it
// from starting gpg-agent or dirmngr, also when git is the one running gpg.
std::vector<std::string> gpg_argv(std::initializer_list<std::string> args) {
  std::vector<std::string> argv{"gpg", "--batch", "--no-tty", "--quiet"};
  argv.insert(argv.end(), args);
  return argv;
}

std::string read_pubkey(const fs::path& file) {
  const std::string remedy = " — export the signers' keys with 'gpg --armor --export KEYID > " +
                             file.string() + "' and commit it with the provider definition";
  std::error_code ec;
  if (!fs::is_regular_file(file, ec))
    throw sdk::ConfigError("pubkey file '" + file.string() + "' " +
                           (fs::exists(file, ec) ? "is not a regular file" : "does not exist") +
                           remedy);
  std::ifstream in(file, std::ios::binary);
  std::string content((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (!in && !in.eof())
    throw sdk::ConfigError("cannot read the pubkey file '" + file.string() +
                           "': " + std::strerror(errno) + remedy);
  return content;
}

// Primary fingerprints and first user ids from `gpg --with-colons --list-keys`.
std::vector<std::pair<std::string, std::string>> parse_key_listing(const std::string& colons) {
  std::vector<std::pair<std::string, std::string>> keys;
  bool want_fpr = false;
  std::istringstream in(colons);
  std::string line;
  while (std::getline(in, line)) {
    const auto fields = split(line, ':');
    if (fields[0] == "pub") {
      keys.emplace_back();
      want_fpr = true;
    } else if (fields[0] == "sub") {
      want_fpr = false;  // a subkey's fpr line follows: not what signatures are checked against
    } else if (fields[0] == "fpr" && want_fpr && fields.size() > 9) {
      keys.back().first = fields[9];
      want_fpr = false;
    } else if (fields[0] == "uid" && !keys.empty() && keys.back().second.empty() &&
               fields.size() > 9) {
      keys.back().second = unescape(fields[9]);
    }
  }
  std::erase_if(keys, [](const auto& key) { return key.first.empty(); });
  return keys;
}

// The keyring's configuration, read by every gpg that git starts too. An empty common.conf
// stops GnuPG 2.4 from enabling keyboxd (a daemon) in a fresh home; `trust-model always`
// keeps verification from rewriting the trustdb of a directory other processes share.
void write_home_config(const fs::path& home) {
  sdk::write_file_atomic(home / "gpg.conf",
                         "no-autostart\nno-auto-key-retrieve\ntrust-model always\n");
  sdk::write_file_atomic(home / "common.conf", "# no use-keyboxd: keys stay in pubring.kbx\n");
}

std::optional<Keyring> read_marker(const fs::path& home, const fs::path& source) {
  std::ifstream in(home / marker_name);
  std::string line;
  if (!std::getline(in, line) || line != marker_header) return std::nullopt;
  Keyring keyring{home, source, {}, {}};
  while (std::getline(in, line)) {
    const auto tab = line.find('\t');
    if (tab == std::string::npos) return std::nullopt;
    keyring.fingerprints.push_back(line.substr(0, tab));
    keyring.uids[line.substr(0, tab)] = line.substr(tab + 1);
  }
  if (keyring.fingerprints.empty()) return std::nullopt;
  return keyring;
}

[[noreturn]] void refuse_pubkey(const fs::path& source, const std::string& what,
                                const std::string& said) {
  throw sdk::ConfigError("pubkey file '" + source.string() + "': " + what + ", gpg said " + said +
                         " — export the public keys only, with 'gpg --armor --export KEYID'");
}

// Judged by gpg's IMPORT_RES counts, not its exit status: after importing, gpg asks the agent
// about secret keys, and with a home path too long for a socket that fails (exit 2) although
// the keys are in.
void import_keys(const fs::path& home, const std::string& content, const fs::path& source) {
  const auto result = run_tool(gpg_argv({"--status-fd", "1", "--import"}), home, content);
  const auto lines = parse_status(result.stdout_data);
  const StatusLine* res = find(lines, "IMPORT_RES");
  // IMPORT_RES <count> <no_user_id> <imported> <rsa> <unchanged> <uids> <subkeys> <sigs>
  //            <revocations> <sec_read> <sec_imported> <sec_dups> <skipped> <not_imported> ...
  const auto count = [&](std::size_t field) {
    return res != nullptr && res->args.size() > field
               ? std::strtol(res->args[field].c_str(), nullptr, 10)
               : 0L;
  };
  const std::string said = gpg_said(result.stderr_data);
  if (count(9) > 0)
    refuse_pubkey(source, "expected public keys only, got a secret key (treat it as exposed)",
                  said);
  if (count(2) + count(4) == 0)
    refuse_pubkey(source, "expected one or more OpenPGP public keys, got none", said);
  if (find(lines, "IMPORT_PROBLEM") != nullptr || count(1) > 0 || count(13) > 0)
    refuse_pubkey(source,
                  "expected every key to import, " + std::to_string(count(1) + count(13)) + " of " +
                      std::to_string(count(0)) + " did not",
                  said);
}

// Imports `content` into the fresh directory `home` and writes the marker, last.
void build_keyring(const fs::path& home, const std::string& content, const fs::path& source) {
  write_home_config(home);
  import_keys(home, content, source);
  const auto listed =
      run_tool(gpg_argv({"--with-colons", "--fixed-list-mode", "--list-keys"}), home);
  // Only a gpg that ignored no-autostart could have started an agent; stop it, if so.
  run_tool({"gpgconf", "--kill", "all"}, home);
  const auto keys = parse_key_listing(listed.stdout_data);
  if (listed.exit_status != 0 || keys.empty())
    refuse_pubkey(source, "expected one or more OpenPGP public keys, gpg lists none",
                  gpg_said(listed.stderr_data));
  std::string marker = std::string(marker_header) + "\n";
  for (const auto& [fingerprint, uid] : keys) marker += fingerprint + "\t" + uid + "\n";
  sdk::write_file_atomic(home / marker_name, marker);
}

// Removes a directory on scope exit unless it was renamed into place.
struct RemoveUnlessKept {
  fs::path dir;
  bool kept = false;
  ~RemoveUnlessKept() {
    std::error_code ignored;
    if (!kept) fs::remove_all(dir, ignored);
  }
};

fs::path make_temp_sibling(const fs::path& target, const std::string& suffix) {
  std::string pattern = target.string() + suffix + "-XXXXXX";
  if (mkdtemp(pattern.data()) == nullptr)
    throw sdk::Error("cannot create a directory next to '" + target.string() +
                     "': " + std::strerror(errno) + " — check that the cache is writable");
  return pattern;
}

// The primary fingerprint in `keyring` for a long key id or fingerprint gpg reported.
std::string primary_for(const std::string& id, const Keyring& keyring) {
  for (const auto& fingerprint : keyring.fingerprints)
    if (!id.empty() && fingerprint.size() >= id.size() &&
        fingerprint.compare(fingerprint.size() - id.size(), id.size(), id) == 0)
      return fingerprint;
  return "";
}

}  // namespace

std::string describe_keys(const Keyring& keyring) {
  std::string list;
  for (const auto& fingerprint : keyring.fingerprints) {
    if (!list.empty()) list += ", ";
    list += fingerprint;
    if (const auto it = keyring.uids.find(fingerprint); it != keyring.uids.end())
      list += " " + it->second;
  }
  return list;
}

namespace {

// "key FPR (uid)" for the signer of `line` (GOODSIG/BADSIG/EXP*SIG: "<keyid> <user id>").
SignatureCheck signer_of(const StatusLine& line, const Keyring& keyring) {
  SignatureCheck check;
  const std::string id = line.args.empty() ? "" : line.args[0];
  check.fingerprint = primary_for(id, keyring);
  const auto known = keyring.uids.find(check.fingerprint);
  const auto space = line.rest.find(' ');
  check.uid = known != keyring.uids.end()  ? known->second
              : space != std::string::npos ? unescape(line.rest.substr(space + 1))
                                           : "";
  check.problem = "key " + (check.fingerprint.empty() ? id : check.fingerprint) +
                  (check.uid.empty() ? "" : " (" + check.uid + ")");
  return check;
}

SignatureCheck not_among(const std::string& key, const Keyring& keyring) {
  return {false, key.size() == 40 ? key : "", "",
          "is signed by key " + key + " which is not among the keys in '" +
              keyring.source.string() + "' (" + describe_keys(keyring) + ")"};
}

SignatureCheck errsig(const StatusLine& line, const Keyring& keyring) {
  // ERRSIG <keyid> <pkalgo> <hashalgo> <class> <time> <rc> [<fpr>]; rc 9: no public key.
  const auto& a = line.args;
  const std::string key = a.size() > 6 && a[6].size() == 40 ? a[6] : a.empty() ? "?" : a[0];
  const std::string rc = a.size() > 5 ? a[5] : "?";
  if (rc == "9") return not_among(key, keyring);
  return {false, "", "",
          "has a signature that could not be checked (by key " + key + ", gpg error " + rc +
              (rc == "4" ? ": unsupported algorithm" : "") + ")"};
}

// The verdict from gpg's status lines; `said` is what gpg or git wrote besides them.
SignatureCheck evaluate(const std::vector<StatusLine>& lines, const std::string& said,
                        const Keyring& keyring) {
  const std::pair<const char*, const char*> bad[] = {
      {"BADSIG", "has a BAD signature by "},
      {"REVKEYSIG", "is signed by a revoked "},
      {"EXPKEYSIG", "is signed by an expired "},
      {"EXPSIG", "has an expired signature by "},
  };
  for (const auto& [keyword, phrase] : bad)
    if (const auto* line = find(lines, keyword)) {
      auto check = signer_of(*line, keyring);
      check.problem = phrase + check.problem;
      if (std::string_view(keyword) == "BADSIG")
        check.problem += ": the object changed after it was signed";
      return check;
    }
  if (const auto* line = find(lines, "ERRSIG")) return errsig(*line, keyring);
  std::optional<SignatureCheck> valid;
  for (const auto& line : lines) {
    if (line.keyword != "VALIDSIG" || line.args.empty()) continue;
    // VALIDSIG <fpr> ... <primary fpr>: the last of its ten fields names the primary key.
    const std::string primary = line.args.size() > 9 ? line.args.back() : line.args.front();
    if (std::find(keyring.fingerprints.begin(), keyring.fingerprints.end(), primary) ==
        keyring.fingerprints.end())
      return not_among(primary, keyring);
    valid = SignatureCheck{true, primary, "", ""};
    if (const auto it = keyring.uids.find(primary); it != keyring.uids.end())
      valid->uid = it->second;
  }
  if (valid) return *valid;
  if (lines.empty() || find(lines, "NODATA") != nullptr)
    return {false, "", "", "carries no signature"};
  return {false, "", "", "has a signature that could not be checked (gpg said " + said + ")"};
}

}  // namespace

Keyring prepare_keyring(const fs::path& pubkey_file, const fs::path& cache_parent) {
  const std::string content = read_pubkey(pubkey_file);
  Sha256 digest;
  digest.add(content);
  const fs::path home = fs::absolute(cache_parent) / ("gnupg-" + digest.hex().substr(0, 16));
  if (auto done = read_marker(home, pubkey_file)) return *std::move(done);

  std::error_code ec;
  fs::create_directories(home.parent_path(), ec);
  RemoveUnlessKept temp{make_temp_sibling(home, ".partial")};  // mkdtemp: mode 0700
  build_keyring(temp.dir, content, pubkey_file);
  // Another process may have completed the same keyring meanwhile: use that one.
  if (auto done = read_marker(home, pubkey_file)) return *std::move(done);
  if (fs::exists(home, ec)) {
    // Not complete (no marker) yet there: set it aside rather than delete under a reader.
    RemoveUnlessKept stale{make_temp_sibling(home, ".stale")};
    fs::rename(home, stale.dir / "old", ec);
  }
  fs::rename(temp.dir, home, ec);
  temp.kept = !ec;
  // Losing a race to rename is fine too: the winner's copy is complete.
  if (auto done = read_marker(home, pubkey_file)) return *std::move(done);
  throw sdk::Error("cannot move the keyring for '" + pubkey_file.string() + "' into '" +
                   home.string() + "': " + (ec ? ec.message() : "its marker is missing") +
                   " — remove that directory and retry");
}

SignatureCheck verify_git_signature(const fs::path& git_dir, const std::string& object,
                                    SignedObject kind, const Keyring& keyring) {
  // --git-dir wins over a GIT_DIR in the environment; -c wins over every config file, so
  // neither can swap gpg for another program or OpenPGP for SSH signatures.
  std::error_code ec;
  const fs::path dot_git = git_dir / ".git";
  const fs::path repo = fs::absolute(fs::exists(dot_git, ec) ? dot_git : git_dir);
  const auto result =
      run_tool({"git", "--git-dir=" + repo.string(), "-c", "gpg.format=openpgp", "-c",
                "gpg.program=gpg", "-c", "gpg.openpgp.program=gpg",
                kind == SignedObject::tag ? "verify-tag" : "verify-commit", "--raw", "--", object},
               keyring.home);
  // --raw: gpg's status lines go to stderr, between git's own messages.
  const std::string output = result.stdout_data + result.stderr_data;
  const auto lines = parse_status(output);
  if (lines.empty() && output.find("no signature found") == std::string::npos &&
      result.stderr_data.find_first_not_of(" \n") != std::string::npos) {
    std::string said = result.stderr_data.substr(0, result.stderr_data.find('\n'));
    if (said.rfind("error: ", 0) == 0) said.erase(0, 7);
    return {false, "", "", "could not be checked (git said '" + said + "')"};
  }
  return evaluate(lines, gpg_said(output), keyring);
}

SignatureCheck verify_detached_signature(const fs::path& file, const fs::path& signature,
                                         const Keyring& keyring) {
  std::error_code ec;
  if (!fs::exists(signature, ec))
    return {false, "", "", "has no signature: '" + signature.string() + "' does not exist"};
  // Signature first, then the data: two files make gpg insist on a detached signature.
  const auto result =
      run_tool(gpg_argv({"--status-fd", "1", "--verify", fs::absolute(signature).string(),
                         fs::absolute(file).string()}),
               keyring.home);
  const auto lines = parse_status(result.stdout_data);
  const std::string said = gpg_said(result.stderr_data);
  // No status at all: gpg gave up before reading a signature (the data file is unreadable).
  if (lines.empty())
    return {false, "", "", "has a signature that could not be checked (gpg said " + said + ")"};
  auto check = evaluate(lines, said, keyring);
  if (!check.valid && check.problem == "carries no signature")
    check.problem = "has no signature: '" + signature.string() + "' holds no OpenPGP signature";
  return check;
}

}  // namespace vt::core
