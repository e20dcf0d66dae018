// OpenPGP signatures of provider tags, commits and archives, checked by the real gpg and git
// in throw-away repositories, keyrings and GnuPG homes: who signed is reported, every way a
// signature can be wrong is refused with a phrase naming the key, and no gpg daemon is left.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <string>

#include "providers/signature_check.h"
#include "support/gpg_keys.h"
#include "support/test_support.h"
#include "vt/sdk/error.h"

namespace vt::core {
namespace {

namespace fs = std::filesystem;
using test_support::error_message;
using test_support::GpgKeys;
using test_support::processes_mentioning;
using test_support::shell_quote;
using test_support::TempDir;
using test_support::write_file;

// The long key id gpg prints in status lines: the last 16 hex digits of the fingerprint.
std::string key_id(const std::string& fingerprint) {
  return fingerprint.substr(fingerprint.size() - 16);
}

class SignatureTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (gpg_.run("command -v gpg gpgconf gpg-agent git >/dev/null") != 0)
      GTEST_SKIP() << "gpg, gpgconf, gpg-agent or git is not installed";
    git("git init -q . && git commit -q --allow-empty -m first");
  }

  // Once the functions return, no gpg-agent, dirmngr or keyboxd may run for their homes (the
  // signing agent of gpg_ lives elsewhere, until gpg_ goes).
  void TearDown() override {
    EXPECT_EQ(processes_mentioning(work_.path()).size(), 0u)
        << "a process still runs for a keyring under " << work_.path();
  }

  std::string git(const std::string& command) { return gpg_.output(command, repo_); }
  std::string rev(const std::string& name) {
    auto id = git("git rev-parse " + name);
    return id.substr(0, id.find('\n'));
  }
  // A keyring for the public keys `fingerprints`, exported to keys/<file>.
  Keyring keyring_of(const std::string& fingerprints, const std::string& file = "org.asc") {
    return prepare_keyring(gpg_.export_public(fingerprints, work_.path() / "keys" / file), cache_);
  }
  SignatureCheck verify_tag(const std::string& tag, const Keyring& keyring) {
    return verify_git_signature(repo_, rev(tag), SignedObject::tag, keyring);
  }

  GpgKeys gpg_;
  TempDir work_{"vt-sig-"};
  fs::path cache_ = work_.path() / "cache";
  fs::path repo_ = [this] {
    fs::create_directories(work_.path() / "repo");
    return work_.path() / "repo";
  }();
};

TEST_F(SignatureTest, TagSignedByAKeyOfTheKeyringIsValidAndNamesTheSigner) {
  const auto alice = gpg_.generate("Alice <alice@example.org>");
  git("git tag -s -u " + alice + " -m release v1");
  const auto keyring = keyring_of(alice);
  EXPECT_EQ(keyring.fingerprints, std::vector<std::string>{alice});
  EXPECT_EQ(keyring.uids.at(alice), "Alice <alice@example.org>");

  const auto check = verify_tag("v1", keyring);
  EXPECT_TRUE(check.valid) << check.problem;
  EXPECT_EQ(check.fingerprint, alice);
  EXPECT_EQ(check.uid, "Alice <alice@example.org>");
  EXPECT_EQ(check.problem, "");
}

TEST_F(SignatureTest, KeyringLivesInItsOwnPrivateDirectoryNamedByTheFileContent) {
  const auto alice = gpg_.generate("Alice <alice@example.org>");
  const auto keyring = keyring_of(alice);
  EXPECT_EQ(keyring.home.parent_path(), cache_);
  EXPECT_EQ(keyring.home.filename().string().substr(0, 6), "gnupg-");
  EXPECT_EQ(keyring.home.filename().string().size(), 6u + 16u);
  EXPECT_EQ(keyring.source, work_.path() / "keys" / "org.asc");
  struct stat st {};
  ASSERT_EQ(stat(keyring.home.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u);
  for (const auto& entry : fs::directory_iterator(cache_))
    EXPECT_EQ(entry.path(), keyring.home) << "a temporary directory was left behind";
}

TEST_F(SignatureTest, UnsignedAnnotatedTagCarriesNoSignature) {
  const auto alice = gpg_.generate("Alice <alice@example.org>");
  git("git tag -a -m release v1");
  const auto check = verify_tag("v1", keyring_of(alice));
  EXPECT_FALSE(check.valid);
  EXPECT_EQ(check.problem, "carries no signature");
}

TEST_F(SignatureTest, TagSignedByAnotherKeyNamesItAndListsTheKeyring) {
  const auto alice = gpg_.generate("Alice <alice@example.org>");
  const auto bob = gpg_.generate("Bob <bob@example.org>");
  git("git tag -s -u " + bob + " -m release v1");
  const auto check = verify_tag("v1", keyring_of(alice));
  EXPECT_FALSE(check.valid);
  EXPECT_NE(check.problem.find("is signed by key "), std::string::npos) << check.problem;
  EXPECT_NE(check.problem.find(key_id(bob)), std::string::npos) << check.problem;
  EXPECT_NE(check.problem.find("which is not among the keys in '" +
                               (work_.path() / "keys" / "org.asc").string() + "' (" + alice +
                               " Alice <alice@example.org>)"),
            std::string::npos)
      << check.problem;
}

TEST_F(SignatureTest, SignedCommitVerifiesAsACommitNotAsATag) {
  const auto alice = gpg_.generate("Alice <alice@example.org>");
  git("git commit -q --allow-empty -S" + alice + " -m signed");
  const auto keyring = keyring_of(alice);
  const auto check = verify_git_signature(repo_, rev("HEAD"), SignedObject::commit, keyring);
  EXPECT_TRUE(check.valid) << check.problem;
  EXPECT_EQ(check.fingerprint, alice);

  const auto as_tag = verify_git_signature(repo_, rev("HEAD"), SignedObject::tag, keyring);
  EXPECT_FALSE(as_tag.valid);
  EXPECT_NE(as_tag.problem.find("could not be checked (git said"), std::string::npos)
      << as_tag.problem;
}

TEST_F(SignatureTest, UnsignedCommitIsRefused) {
  const auto alice = gpg_.generate("Alice <alice@example.org>");
  const auto check =
      verify_git_signature(repo_, rev("HEAD"), SignedObject::commit, keyring_of(alice));
  EXPECT_FALSE(check.valid);
  EXPECT_EQ(check.problem, "carries no signature");
}

TEST_F(SignatureTest, UnknownObjectCouldNotBeChecked) {
  const auto alice = gpg_.generate("Alice <alice@example.org>");
  const auto check =
      verify_git_signature(repo_, std::string(40, 'a'), SignedObject::commit, keyring_of(alice));
  EXPECT_FALSE(check.valid);
  EXPECT_NE(check.problem.find("could not be checked (git said"), std::string::npos)
      << check.problem;
}

TEST_F(SignatureTest, KeyringWithTwoKeysAcceptsEither) {
  const auto alice = gpg_.generate("Alice <alice@example.org>");
  const auto bob = gpg_.generate("Bob <bob@example.org>");
  git("git tag -s -u " + alice + " -m one v1 && git tag -s -u " + bob + " -m two v2");
  const auto keyring = keyring_of(alice + " " + bob);
  EXPECT_EQ(keyring.fingerprints.size(), 2u);
  EXPECT_EQ(verify_tag("v1", keyring).fingerprint, alice);
  EXPECT_EQ(verify_tag("v2", keyring).fingerprint, bob);
  EXPECT_EQ(verify_tag("v2", keyring).uid, "Bob <bob@example.org>");
  EXPECT_TRUE(verify_tag("v1", keyring).valid && verify_tag("v2", keyring).valid);
}

TEST_F(SignatureTest, BinaryPubkeyFileWorksToo) {
  const auto alice = gpg_.generate("Alice <alice@example.org>");
  git("git tag -s -u " + alice + " -m release v1");
  const auto file = gpg_.export_public(alice, work_.path() / "keys" / "org.gpg", false);
  const auto check = verify_tag("v1", prepare_keyring(file, cache_));
  EXPECT_TRUE(check.valid) << check.problem;
}

// A tag object written by hand: another tag's signature over a changed message.
TEST_F(SignatureTest, TamperedTagHasABadSignature) {
  const auto alice = gpg_.generate("Alice <alice@example.org>");
  git("git tag -s -u " + alice + " -m honest v1");
  const auto forged = work_.path() / "forged";
  git("git cat-file tag v1 | sed 's/^honest$/evil/' > " + shell_quote(forged.string()));
  const auto object = git("git mktag < " + shell_quote(forged.string()));
  const auto check = verify_git_signature(repo_, object.substr(0, object.find('\n')),
                                          SignedObject::tag, keyring_of(alice));
  EXPECT_FALSE(check.valid);
  EXPECT_EQ(check.problem, "has a BAD signature by key " + alice +
                               " (Alice <alice@example.org>): the object changed after it was "
                               "signed");
}

// gpg's --faked-system-time makes a key that expired in 2020 and a tag it signed back then.
TEST_F(SignatureTest, SignatureByAnExpiredKeyIsRefused) {
  const std::string past = "--faked-system-time 20200101T000000";
  const auto old = gpg_.generate("Old <old@example.org>", "1d", past);
  const auto wrapper =
      write_file(work_.path() / "gpg-in-2020", "#!/bin/sh\nexec gpg " + past + " \"$@\"\n");
  fs::permissions(wrapper, fs::perms::owner_all);
  git("git -c gpg.program=" + shell_quote(wrapper.string()) + " tag -s -u " + old + " -m old v1");
  const auto check = verify_tag("v1", keyring_of(old));
  EXPECT_FALSE(check.valid);
  EXPECT_EQ(check.problem, "is signed by an expired key " + old + " (Old <old@example.org>)");
}

TEST_F(SignatureTest, SignatureByARevokedKeyIsRefused) {
  const auto alice = gpg_.generate("Alice <alice@example.org>");
  git("git tag -s -u " + alice + " -m release v1");
  gpg_.revoke(alice);
  const auto check = verify_tag("v1", keyring_of(alice));
  EXPECT_FALSE(check.valid);
  EXPECT_EQ(check.problem, "is signed by a revoked key " + alice + " (Alice <alice@example.org>)");
}

TEST_F(SignatureTest, GitConfigCannotRedirectTheCheck) {
  const auto alice = gpg_.generate("Alice <alice@example.org>");
  git("git tag -s -u " + alice + " -m release v1");
  git("git config gpg.program /bin/true && git config gpg.openpgp.program /bin/true &&"
      " git config gpg.format ssh");
  const auto check = verify_tag("v1", keyring_of(alice));
  EXPECT_TRUE(check.valid) << check.problem;
}

TEST_F(SignatureTest, MissingPubkeyFileIsAClearError) {
  const auto missing = work_.path() / "keys" / "nope.asc";
  const auto message = error_message<sdk::ConfigError>([&] { prepare_keyring(missing, cache_); });
  EXPECT_EQ(message, "pubkey file '" + missing.string() +
                         "' does not exist — export the signers' keys with 'gpg --armor "
                         "--export KEYID > " +
                         missing.string() + "' and commit it with the provider definition");
}

TEST_F(SignatureTest, PubkeyFileWithoutAKeyIsAClearErrorAndLeavesNothing) {
  for (const std::string content : {"this is not a key\n", ""}) {
    const auto file = write_file(work_.path() / "keys" / "org.asc", content);
    const auto message = error_message<sdk::ConfigError>([&] { prepare_keyring(file, cache_); });
    EXPECT_EQ(message, "pubkey file '" + file.string() +
                           "': expected one or more OpenPGP public keys, got none, gpg said 'no "
                           "valid OpenPGP data found.' — export the public keys only, with 'gpg "
                           "--armor --export KEYID'");
    EXPECT_TRUE(fs::is_empty(cache_)) << "a half-built keyring was left in " << cache_;
  }
}

TEST_F(SignatureTest, PubkeyFileWithASecretKeyIsRefused) {
  const auto alice = gpg_.generate("Alice <alice@example.org>");
  const auto file = work_.path() / "keys" / "org.asc";
  fs::create_directories(file.parent_path());
  gpg_.output("gpg --batch --quiet --pinentry-mode loopback --passphrase '' --armor --output " +
              shell_quote(file.string()) + " --export-secret-keys " + alice);
  const auto message = error_message<sdk::ConfigError>([&] { prepare_keyring(file, cache_); });
  EXPECT_NE(message.find("': expected public keys only, got a secret key (treat it as exposed)"),
            std::string::npos)
      << message;
  EXPECT_TRUE(fs::is_empty(cache_)) << "a half-built keyring was left in " << cache_;
}

TEST_F(SignatureTest, DetachedSignatureOfAnArchive) {
  const auto alice = gpg_.generate("Alice <alice@example.org>");
  const auto bob = gpg_.generate("Bob <bob@example.org>");
  const auto keyring = keyring_of(alice);
  const auto file = write_file(work_.path() / "p.tar.gz", "archive bytes");
  const auto asc = work_.path() / "p.tar.gz.asc";
  const auto sig = work_.path() / "p.tar.gz.sig";
  const auto sign = [&](const std::string& key, const std::string& options, const fs::path& to) {
    gpg_.output("gpg --batch --quiet --yes -u " + key + " " + options + " --output " +
                shell_quote(to.string()) + " --detach-sign " + shell_quote(file.string()));
  };
  sign(alice, "--armor", asc);
  sign(alice, "", sig);
  for (const auto& signature : {asc, sig}) {
    const auto check = verify_detached_signature(file, signature, keyring);
    EXPECT_TRUE(check.valid) << signature << ": " << check.problem;
    EXPECT_EQ(check.fingerprint, alice);
    EXPECT_EQ(check.uid, "Alice <alice@example.org>");
  }

  write_file(file, "archive bytes, changed");
  EXPECT_EQ(verify_detached_signature(file, asc, keyring).problem,
            "has a BAD signature by key " + alice +
                " (Alice <alice@example.org>): the object changed after it was signed");
  sign(bob, "--armor", asc);
  EXPECT_NE(verify_detached_signature(file, asc, keyring).problem.find(key_id(bob)),
            std::string::npos);

  const auto junk = write_file(work_.path() / "junk.asc", "not a signature\n");
  EXPECT_EQ(verify_detached_signature(file, junk, keyring).problem,
            "has no signature: '" + junk.string() + "' holds no OpenPGP signature");
  const auto gone = verify_detached_signature(work_.path() / "gone.tar.gz", asc, keyring);
  EXPECT_EQ(gone.problem,
            "has a signature that could not be checked (gpg said 'can't open signed "
            "data '" +
                (work_.path() / "gone.tar.gz").string() +
                "'; can't hash datafile: No such file or directory')");
  const auto none = work_.path() / "none.asc";
  EXPECT_EQ(verify_detached_signature(file, none, keyring).problem,
            "has no signature: '" + none.string() + "' does not exist");
}

TEST_F(SignatureTest, KeyringIsReusedAndRebuiltWhenTheFileChanges) {
  const auto alice = gpg_.generate("Alice <alice@example.org>");
  const auto bob = gpg_.generate("Bob <bob@example.org>");
  const auto first = keyring_of(alice);
  // Something only this directory holds: a second call finding it reused the directory.
  write_file(first.home / "left-by-first-call", "");
  const auto again = keyring_of(alice);
  EXPECT_EQ(again.home, first.home);
  EXPECT_EQ(again.fingerprints, first.fingerprints);
  EXPECT_EQ(again.uids, first.uids);
  EXPECT_TRUE(fs::exists(again.home / "left-by-first-call"));

  const auto changed = keyring_of(alice + " " + bob);
  EXPECT_NE(changed.home, first.home);
  EXPECT_EQ(changed.fingerprints.size(), 2u);
  EXPECT_TRUE(fs::exists(first.home)) << "the keyring of the old content is still in use";
}

// A directory without the marker is what a crash in an older build could leave: rebuilt.
TEST_F(SignatureTest, IncompleteKeyringDirectoryIsRebuilt) {
  const auto alice = gpg_.generate("Alice <alice@example.org>");
  const auto home = keyring_of(alice).home;
  fs::remove(home / "vtrun-keyring");
  fs::remove(home / "pubring.kbx");
  git("git tag -s -u " + alice + " -m release v1");
  const auto keyring = keyring_of(alice);
  EXPECT_EQ(keyring.home, home);
  EXPECT_TRUE(verify_tag("v1", keyring).valid);
  for (const auto& entry : fs::directory_iterator(cache_))
    EXPECT_EQ(entry.path(), home) << "a temporary directory was left behind";
}

// gpg's sockets have a path limit near 108 bytes: a deep cache must still work.
TEST_F(SignatureTest, LongCachePathWorks) {
  const auto alice = gpg_.generate("Alice <alice@example.org>");
  git("git tag -s -u " + alice + " -m release v1");
  cache_ = work_.path() / std::string(120, 'c') / std::string(120, 'd');
  const auto keyring = keyring_of(alice);
  ASSERT_GT(keyring.home.string().size(), 250u);
  const auto check = verify_tag("v1", keyring);
  EXPECT_TRUE(check.valid) << check.problem;
}

TEST(GpgKeys, StopsItsAgentWhenItGoes) {
  fs::path home;
  {
    GpgKeys gpg;
    if (gpg.run("command -v gpg gpgconf gpg-agent >/dev/null") != 0)
      GTEST_SKIP() << "gpg, gpgconf or gpg-agent is not installed";
    gpg.generate("Alice <alice@example.org>");  // needs the agent for the secret key
    home = gpg.home();
  }
  EXPECT_EQ(processes_mentioning(home).size(), 0u);
}

}  // namespace
}  // namespace vt::core
