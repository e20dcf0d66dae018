// Git providers for real: repositories served by `git daemon` and dumb HTTP on 127.0.0.1 and
// over file://, pinned refs, followed branches, signed tags checked with throw-away GnuPG keys,
// moved tags, providers.lock and --locked, offline use, concurrent updates, replay of the
// recorded commit, and Avocado-VT's [provider] + [qemu] subdir layout.
#include <gtest/gtest.h>

#include <pwd.h>
#include <unistd.h>

#include <future>

#include "support/gpg_keys.h"
#include "support/loopback_servers.h"
#include "vt/core/providers_lock.h"
#include "vtrun_env.h"

namespace vt::e2e {
namespace {

using test_support::LoopbackServer;
using test_support::shell_quote;
using test_support::start_git_daemon;
using test_support::start_http_server;

const char* const one_test = R"([[test]]
name = "hello"
command = ["sh", "-c", "echo hello"]
)";

class ProvidersFetch : public ::testing::Test {
 protected:
  TempDir tmp;
  test_support::GpgKeys keys;  // also runs git with a fixed identity and no user config
  fs::path served = tmp.path() / "served";  // repositories the servers export
  fs::path work = tmp.path() / "work";      // the working copy commits are made in
  fs::path cwd = tmp.path() / "user";       // where vtrun runs: providers.d, providers.lock

  void SetUp() override {
    fs::create_directories(served);
    fs::create_directories(cwd / "providers.d");
    sh("git init -q -b main " + shell_quote(work.string()));
    sh("git init -q --bare -b main " + shell_quote((served / "tests.git").string()));
    sh("git remote add origin " + shell_quote((served / "tests.git").string()), work);
  }

  void sh(const std::string& command, const fs::path& in = {}) {
    ASSERT_EQ(keys.run(command, in), 0) << command;
  }
  std::string out(const std::string& command, const fs::path& in = {}) {
    std::string text = keys.output(command, in);
    while (!text.empty() && text.back() == '\n') text.pop_back();
    return text;
  }
  // Commits `files` on the current branch of the working copy and pushes it with its tags.
  std::string commit(const std::map<std::string, std::string>& files, const std::string& msg) {
    for (const auto& [name, text] : files) sdk::write_file_atomic(work / name, text);
    EXPECT_EQ(keys.run("git add -A && git commit -q -m " + shell_quote(msg), work), 0);
    push();
    return out("git rev-parse HEAD", work);
  }
  void push() {
    EXPECT_EQ(keys.run("git push -q --all -f origin && git push -q -f --tags origin", work), 0);
  }
  std::string tests_named(const std::string& name) {
    return std::string("[[test]]\nname = \"") + name + "\"\ncommand = [\"true\"]\n";
  }
  void define(const std::string& ini) {
    sdk::write_file_atomic(cwd / "providers.d/tests.ini", ini);
  }
  std::map<std::string, std::string> env;  // more environment for vtrun
  sdk::ExecResult vtrun(const std::vector<std::string>& args, const fs::path& cache = {}) {
    std::map<std::string, std::string> all = env;
    all["VTRUN_BACKEND"] = "local";
    all["VTRUN_CACHE_DIR"] = (cache.empty() ? tmp.path() / "cache" : cache).string();
    all["GNUPGHOME"] = (tmp.path() / "no-user-keyring").string();
    return run_vtrun_env(args, cwd, all);
  }
  std::string listed(const std::vector<std::string>& extra = {}) {
    std::vector<std::string> args{"list"};
    args.insert(args.end(), extra.begin(), extra.end());
    const auto r = vtrun(args);
    EXPECT_EQ(r.exit_status, 0) << r.stderr_data;
    return r.stdout_data;
  }
  nlohmann::json recorded_provider() {
    return read_json(cwd / "vtrun-results/latest/job.json").at("providers").at(0);
  }
};

TEST_F(ProvidersFetch, DefaultBranchIsFollowedOverGitDaemon) {
  const std::string first = commit({{"vtrun.toml", tests_named("first")}}, "one");
  const auto daemon = start_git_daemon(served);
  define("[provider]\nuri: git://127.0.0.1:" + std::to_string(daemon->port()) + "/tests.git\n");
  EXPECT_EQ(listed(), "first\n");
  const std::string second = commit({{"vtrun.toml", tests_named("second")}}, "two");
  EXPECT_EQ(listed(), "second\n");  // the next command fetches and follows the branch
  const auto r = vtrun({"run"});
  ASSERT_EQ(r.exit_status, 0) << r.stderr_data;
  EXPECT_EQ(recorded_provider().at("commit"), second);
  EXPECT_EQ(recorded_provider().at("resolved_from"), "default branch");
  EXPECT_EQ(recorded_provider().at("from_cache"), false);
}

TEST_F(ProvidersFetch, NamedBranchAndPinnedRefs) {
  const std::string v1 = commit({{"vtrun.toml", tests_named("old")}}, "one");
  sh("git tag -a v1 -m v1 && git checkout -q -b dev", work);
  commit({{"vtrun.toml", tests_named("dev")}}, "dev work");
  sh("git checkout -q main", work);
  const std::string main_head = commit({{"vtrun.toml", tests_named("new")}}, "two");
  const std::string uri = "file://" + (served / "tests.git").string();

  define("[provider]\nuri: " + uri + "\nbranch: dev\n");
  EXPECT_EQ(listed(), "dev\n");
  define("[provider]\nuri: " + uri + "\nref: v1\n");
  EXPECT_EQ(listed(), "old\n");
  define("[provider]\nuri: " + uri + "\nref: " + main_head.substr(0, 10) + "\n");
  EXPECT_EQ(listed(), "new\n");
  define("[provider]\nuri: " + uri + "\nbranch: nope\n");
  auto r = vtrun({"list"});
  EXPECT_EQ(r.exit_status, 2);
  EXPECT_NE(r.stderr_data.find("tests.ini:3: provider 'tests': expected a branch 'nope'"),
            std::string::npos)
      << r.stderr_data;
  EXPECT_NE(r.stderr_data.find("branches: dev, main"), std::string::npos) << r.stderr_data;
  define("[provider]\nuri: " + uri + "\nref: v9\n");
  r = vtrun({"list"});
  EXPECT_EQ(r.exit_status, 2);
  EXPECT_NE(r.stderr_data.find("got 'v9' (tags: v1)"), std::string::npos) << r.stderr_data;
  (void)v1;
}

TEST_F(ProvidersFetch, DumbHttpRemote) {
  commit({{"vtrun.toml", tests_named("over_http")}}, "one");
  sh("git update-server-info", served / "tests.git");
  const auto http = start_http_server(served);
  define("[provider]\nuri: http://127.0.0.1:" + std::to_string(http->port()) +
         "/tests.git\nbranch: main\n");
  EXPECT_EQ(listed(), "over_http\n");
}

TEST_F(ProvidersFetch, SignedTagIsAcceptedAndRecorded) {
  const std::string fpr = keys.generate("Tests Signer <signer@example.org>");
  keys.export_public(fpr, cwd / "keys/org.asc");
  commit({{"vtrun.toml", one_test}}, "one");
  sh("git tag -s -u " + fpr + " -m 'release 1' v1 && git push -q origin v1", work);
  define("[provider]\nuri: file://" + (served / "tests.git").string() +
         "\nref: v1\npubkey: ../keys/org.asc\n");
  auto r = vtrun({"run"});
  ASSERT_EQ(r.exit_status, 0) << r.stderr_data;
  EXPECT_NE(recorded_provider().at("signer").get<std::string>().find(fpr), std::string::npos);
  EXPECT_NE(recorded_provider().at("signer").get<std::string>().find("signer@example.org"),
            std::string::npos);
  r = vtrun({"providers", "update"});
  ASSERT_EQ(r.exit_status, 0) << r.stderr_data;
  EXPECT_NE(r.stdout_data.find("tests: tag v1 -> "), std::string::npos) << r.stdout_data;
  EXPECT_NE(r.stdout_data.find("signed by " + fpr), std::string::npos) << r.stdout_data;
  const core::ProvidersLock lock = core::read_providers_lock(cwd / "providers.lock");
  ASSERT_EQ(lock.providers.count("tests"), 1U);
  EXPECT_EQ(lock.providers.at("tests").revision.signer.substr(0, fpr.size()), fpr);
  EXPECT_EQ(lock.providers.at("tests").revision.tag_object,
            out("git rev-parse v1", served / "tests.git"));
  r = vtrun({"providers", "verify"});
  EXPECT_EQ(r.exit_status, 0) << r.stdout_data;
  EXPECT_NE(r.stdout_data.find("tests: ok"), std::string::npos) << r.stdout_data;
}

// Every refusal stops the command before a test runs and says which ref, which key and why.
TEST_F(ProvidersFetch, UnsignedAndForeignSignaturesAreRefused) {
  const std::string ours = keys.generate("Ours <ours@example.org>");
  const std::string theirs = keys.generate("Theirs <theirs@example.org>");
  keys.export_public(ours, cwd / "keys/org.asc");
  commit({{"vtrun.toml", one_test}}, "one");
  sh("git tag -a -m plain plain && git tag -s -u " + theirs +
         " -m foreign foreign && git push -q --tags origin",
     work);
  const std::string uri = "file://" + (served / "tests.git").string();

  define("[provider]\nuri: " + uri + "\nref: plain\npubkey: ../keys/org.asc\n");
  auto r = vtrun({"run"});
  EXPECT_EQ(r.exit_status, 2);
  EXPECT_NE(r.stderr_data.find("tests.ini:3: provider 'tests': tag 'plain' carries no signature, "
                               "and its commit "),
            std::string::npos)
      << r.stderr_data;
  EXPECT_NE(r.stderr_data.find(ours), std::string::npos) << r.stderr_data;
  EXPECT_NE(r.stderr_data.find("nothing from this provider runs"), std::string::npos);
  EXPECT_FALSE(fs::exists(cwd / "vtrun-results/latest"));

  define("[provider]\nuri: " + uri + "\nref: foreign\npubkey: ../keys/org.asc\n");
  r = vtrun({"run"});
  EXPECT_EQ(r.exit_status, 2);
  EXPECT_NE(r.stderr_data.find("tag 'foreign'"), std::string::npos) << r.stderr_data;
  EXPECT_NE(r.stderr_data.find(theirs.substr(theirs.size() - 16)), std::string::npos)
      << r.stderr_data;
  EXPECT_FALSE(fs::exists(cwd / "vtrun-results/latest"));

  // A followed branch must be signed too: its head commit.
  define("[provider]\nuri: " + uri + "\npubkey: ../keys/org.asc\n");
  r = vtrun({"list"});
  EXPECT_EQ(r.exit_status, 2);
  EXPECT_NE(r.stderr_data.find("default branch: commit"), std::string::npos) << r.stderr_data;
  sh("git commit -q --allow-empty -S" + ours + " -m signed && git push -q origin main", work);
  EXPECT_EQ(listed(), "hello\n");
}

TEST_F(ProvidersFetch, MovedTagIsRefusedUntilUpdateAcceptsIt) {
  const std::string first = commit({{"vtrun.toml", tests_named("first")}}, "one");
  sh("git tag -a -m v1 v1 && git push -q origin v1", work);
  define("[provider]\nuri: file://" + (served / "tests.git").string() + "\nref: v1\n");
  EXPECT_EQ(listed(), "first\n");  // the cache remembers what v1 was
  const std::string second = commit({{"vtrun.toml", tests_named("second")}}, "two");
  sh("git tag -f -a -m v1 v1 && git push -q -f origin v1", work);
  auto r = vtrun({"list"});
  EXPECT_EQ(r.exit_status, 2);
  EXPECT_NE(r.stderr_data.find("tag 'v1' moved: it was first fetched as commit " +
                               first.substr(0, 12) + ", 'file://"),
            std::string::npos)
      << r.stderr_data;
  EXPECT_NE(r.stderr_data.find("now has commit " + second.substr(0, 12)), std::string::npos);
  EXPECT_NE(r.stderr_data.find("`vtrun providers update tests`"), std::string::npos);
  r = vtrun({"providers", "update", "tests"});
  ASSERT_EQ(r.exit_status, 0) << r.stderr_data;
  EXPECT_NE(r.stderr_data.find("(accepted by update)"), std::string::npos) << r.stderr_data;
  EXPECT_EQ(listed(), "second\n");

  // With a lock, the lock is what the tag must still name.
  sh("git tag -f -a -m v1 v1 " + first + " && git push -q -f origin v1", work);
  r = vtrun({"list"});
  EXPECT_EQ(r.exit_status, 2);
  EXPECT_NE(r.stderr_data.find("providers.lock records commit " + second.substr(0, 12)),
            std::string::npos)
      << r.stderr_data;
}

TEST_F(ProvidersFetch, LockFileRoundTripsAndLockedRefusesAMovedBranch) {
  const std::string first = commit({{"vtrun.toml", one_test}}, "one");
  define("[provider]\nuri: file://" + (served / "tests.git").string() + "\nbranch: main\n");
  auto r = vtrun({"providers", "update"});
  ASSERT_EQ(r.exit_status, 0) << r.stderr_data;
  EXPECT_NE(r.stdout_data.find("tests: branch main -> " + first.substr(0, 12) + " (new)"),
            std::string::npos)
      << r.stdout_data;
  core::ProvidersLock lock = core::read_providers_lock(cwd / "providers.lock");
  ASSERT_EQ(lock.providers.count("tests"), 1U);
  EXPECT_EQ(lock.providers.at("tests").revision.commit, first);
  EXPECT_EQ(lock.providers.at("tests").branch, "main");
  // Written back as read, it reads the same.
  lock.file = tmp.path() / "copy.lock";
  core::write_providers_lock(lock);
  const auto copy = core::read_providers_lock(tmp.path() / "copy.lock");
  EXPECT_EQ(copy.providers.at("tests").revision.commit, first);
  EXPECT_EQ(copy.providers.at("tests").updated, lock.providers.at("tests").updated);

  r = vtrun({"run", "--locked"});
  ASSERT_EQ(r.exit_status, 0) << r.stderr_data;
  const std::string second = commit({{"vtrun.toml", one_test}, {"more", "x"}}, "two");
  r = vtrun({"run", "--locked"});
  EXPECT_EQ(r.exit_status, 2);
  EXPECT_NE(r.stderr_data.find("--locked: provider 'tests' moved: providers.lock records commit " +
                               first.substr(0, 12) + ", branch main is now commit " +
                               second.substr(0, 12)),
            std::string::npos)
      << r.stderr_data;
  r = vtrun({"providers", "list"});
  EXPECT_NE(r.stdout_data.find("\tmoved\n"), std::string::npos) << r.stdout_data;
  r = vtrun({"providers", "verify"});
  EXPECT_EQ(r.exit_status, 1);
  EXPECT_NE(r.stdout_data.find("tests: FAILED"), std::string::npos) << r.stdout_data;
  r = vtrun({"run"});  // without --locked: it runs and says so
  EXPECT_EQ(r.exit_status, 0) << r.stderr_data;
  EXPECT_NE(r.stderr_data.find("provider 'tests' moved"), std::string::npos) << r.stderr_data;
  r = vtrun({"providers", "update"});
  EXPECT_NE(r.stdout_data.find("(was " + first.substr(0, 12) + ")"), std::string::npos);
  EXPECT_EQ(vtrun({"run", "--locked"}).exit_status, 0);

  // A definition changed since the lock was written makes its entry stale.
  define("[provider]\nuri: file://" + (served / "tests.git").string() + "\nbranch: dev\n");
  r = vtrun({"run", "--locked"});
  EXPECT_EQ(r.exit_status, 2);
  EXPECT_NE(r.stderr_data.find("'branch' is now 'dev', the lock has 'main'"), std::string::npos)
      << r.stderr_data;
}

TEST_F(ProvidersFetch, UnreachableRemoteFallsBackToTheCacheAndOfflineNeverFetches) {
  commit({{"vtrun.toml", one_test}}, "one");
  auto daemon = start_git_daemon(served);
  define("[provider]\nuri: git://127.0.0.1:" + std::to_string(daemon->port()) + "/tests.git\n");
  EXPECT_EQ(vtrun({"--offline", "list"}).exit_status, 2);  // nothing cached yet
  auto r = vtrun({"--offline", "list"});
  EXPECT_NE(r.stderr_data.find("offline, and 'git://127.0.0.1"), std::string::npos)
      << r.stderr_data;
  EXPECT_EQ(listed(), "hello\n");
  daemon->stop();
  r = vtrun({"run"});
  EXPECT_EQ(r.exit_status, 0) << r.stderr_data;
  EXPECT_NE(r.stderr_data.find("cannot fetch 'git://127.0.0.1"), std::string::npos)
      << r.stderr_data;
  EXPECT_NE(r.stderr_data.find("using the cache fetched 20"), std::string::npos);
  EXPECT_EQ(recorded_provider().at("from_cache"), true);
  r = vtrun({"--offline", "run"});
  EXPECT_EQ(r.exit_status, 0) << r.stderr_data;
  EXPECT_EQ(r.stderr_data.find("cannot fetch"), std::string::npos) << r.stderr_data;
  // Nothing cached and nothing reachable: a clear error, exit 2.
  r = vtrun({"list"}, tmp.path() / "empty-cache");
  EXPECT_EQ(r.exit_status, 2);
  EXPECT_NE(r.stderr_data.find("nothing is cached yet"), std::string::npos) << r.stderr_data;
}

TEST_F(ProvidersFetch, ConcurrentUpdatesOfOneProviderAreSafe) {
  commit({{"vtrun.toml", one_test}}, "one");
  const auto daemon = start_git_daemon(served);
  define("[provider]\nuri: git://127.0.0.1:" + std::to_string(daemon->port()) + "/tests.git\n");
  std::vector<std::future<sdk::ExecResult>> runs;
  for (int i = 0; i < 4; ++i)
    runs.push_back(std::async(std::launch::async, [&] { return vtrun({"list"}); }));
  for (auto& run : runs) {
    const auto r = run.get();
    EXPECT_EQ(r.exit_status, 0) << r.stderr_data;
    EXPECT_EQ(r.stdout_data, "hello\n");
  }
  sh("git --git-dir=" + shell_quote((tmp.path() / "cache/providers/tests/git").string()) +
     " fsck --no-progress");
}

// Updates of different providers at once keep each other's providers.lock entries.
TEST_F(ProvidersFetch, ConcurrentUpdatesKeepEveryLockEntry) {
  commit({{"vtrun.toml", one_test}}, "one");
  const std::string uri = "file://" + (served / "tests.git").string();
  for (const char* name : {"a", "b", "c", "d"})
    sdk::write_file_atomic(cwd / "providers.d" / (std::string(name) + ".ini"),
                           "[provider]\nuri: " + uri + "\n\n[none]\n");
  std::vector<std::future<sdk::ExecResult>> runs;
  for (const char* name : {"a", "b", "c", "d"})
    runs.push_back(std::async(std::launch::async, [this, name] {
      return vtrun({"providers", "update", name}, tmp.path() / (std::string("cache-") + name));
    }));
  for (auto& run : runs) EXPECT_EQ(run.get().exit_status, 0);
  EXPECT_EQ(core::read_providers_lock(cwd / "providers.lock").providers.size(), 4U);
}

TEST_F(ProvidersFetch, ReplayChecksOutTheRecordedCommit) {
  const std::string good = commit({{"vtrun.toml", one_test}}, "passes");
  define("[provider]\nuri: file://" + (served / "tests.git").string() + "\n");
  ASSERT_EQ(vtrun({"run"}).exit_status, 0);
  const std::string job = fs::read_symlink(cwd / "vtrun-results/latest").string();
  commit({{"vtrun.toml", "[[test]]\nname = \"hello\"\ncommand = [\"false\"]\n"}}, "breaks");
  EXPECT_EQ(vtrun({"run"}).exit_status, 1);
  const auto r = vtrun({"replay", job});
  EXPECT_EQ(r.exit_status, 0) << r.stderr_data;
  EXPECT_EQ(recorded_provider().at("commit"), good);
}

// ssh:// through a real sshd on 127.0.0.1 with its own host and client keys (never the user's).
TEST_F(ProvidersFetch, SshRemote) {
  if (!fs::exists("/usr/sbin/sshd")) GTEST_SKIP() << "no /usr/sbin/sshd (openssh-server)";
  // sshd running as root insists on its privilege separation directory.
  if (geteuid() == 0) fs::create_directories("/run/sshd");
  commit({{"vtrun.toml", one_test}}, "one");
  const fs::path ssh = tmp.path() / "ssh";
  fs::create_directories(ssh);
  sh("ssh-keygen -q -t ed25519 -N '' -f host && ssh-keygen -q -t ed25519 -N '' -f client && "
     "cp client.pub authorized_keys",
     ssh);
  sdk::write_file_atomic(ssh / "sshd_config",
                         "HostKey " + (ssh / "host").string() + "\nAuthorizedKeysFile " +
                             (ssh / "authorized_keys").string() +
                             "\nPidFile none\nUsePAM no\nPasswordAuthentication no\n"
                             "KbdInteractiveAuthentication no\nPermitRootLogin "
                             "prohibit-password\nStrictModes no\n");
  LoopbackServer sshd({"/usr/sbin/sshd", "-D", "-e", "-f", (ssh / "sshd_config").string(), "-o",
                       "ListenAddress=127.0.0.1", "-p", "{port}"});
  const std::string user = getpwuid(geteuid())->pw_name;
  define("[provider]\nuri: ssh://" + user + "@127.0.0.1:" + std::to_string(sshd.port()) +
         (served / "tests.git").string() + "\n");
  // Without a usable key git must fail at once, not wait at a prompt nobody sees.
  env["GIT_SSH_COMMAND"] =
      "ssh -F /dev/null -o UserKnownHostsFile=/dev/null -o "
      "StrictHostKeyChecking=no -o IdentitiesOnly=yes -o BatchMode=yes";
  auto r = vtrun({"list"});
  EXPECT_EQ(r.exit_status, 2);
  EXPECT_NE(r.stderr_data.find("nothing is cached yet"), std::string::npos) << r.stderr_data;
  env["GIT_SSH_COMMAND"] += " -i " + (ssh / "client").string();
  EXPECT_EQ(listed(), "hello\n");
}

// `vtrun check` says whether the tools the providers need are there.
TEST_F(ProvidersFetch, CheckReportsGitAndGpg) {
  define("[provider]\nuri: git://127.0.0.1:9/tests.git\npubkey: k.asc\n");
  auto r = vtrun({"check"});
  EXPECT_NE(r.stdout_data.find("providers ("), std::string::npos) << r.stdout_data;
  EXPECT_NE(r.stdout_data.find("  ok   git (for provider tests): git version "), std::string::npos)
      << r.stdout_data;
  EXPECT_NE(r.stdout_data.find("  ok   gpg (for provider tests's pubkey): gpg (GnuPG) "),
            std::string::npos)
      << r.stdout_data;
  env["PATH"] = (tmp.path() / "empty").string();
  r = vtrun({"check"});
  EXPECT_EQ(r.exit_status, 1);
  EXPECT_NE(r.stdout_data.find("  FAIL git (for provider tests): not found in PATH — apt-get "
                               "install git"),
            std::string::npos)
      << r.stdout_data;
}

// Archives with `pubkey` need a detached signature by one of the keys, over HTTP and file://.
TEST_F(ProvidersFetch, ArchivesNeedADetachedSignatureWithPubkey) {
  const std::string ours = keys.generate("Ours <ours@example.org>");
  const std::string theirs = keys.generate("Theirs <theirs@example.org>");
  keys.export_public(ours, cwd / "keys/org.asc");
  sdk::write_file_atomic(tmp.path() / "tree/tests-1.0/vtrun.toml", one_test);
  const fs::path archive = served / "tests-1.0.tar.gz";
  sh("tar -czf " + shell_quote(archive.string()) + " -C " +
     shell_quote((tmp.path() / "tree").string()) + " tests-1.0");
  const auto http = start_http_server(served);
  const std::string url = "http://127.0.0.1:" + std::to_string(http->port()) + "/tests-1.0.tar.gz";
  define("[provider]\nuri: " + url + "\npubkey: ../keys/org.asc\n");
  auto r = vtrun({"list"});
  EXPECT_EQ(r.exit_status, 2);
  EXPECT_NE(r.stderr_data.find("has no signature to check"), std::string::npos) << r.stderr_data;
  EXPECT_FALSE(fs::exists(tmp.path() / "cache/providers/tests/download/archive.tar.gz"));

  sh("gpg --batch --quiet --armor -u " + theirs + " --detach-sign -o " +
     shell_quote(archive.string() + ".asc") + " " + shell_quote(archive.string()));
  r = vtrun({"list"});
  EXPECT_EQ(r.exit_status, 2);
  EXPECT_NE(r.stderr_data.find("tests.ini:3: provider 'tests': archive '" + url + "' is signed by"),
            std::string::npos)
      << r.stderr_data;

  sh("gpg --batch --quiet --yes --armor -u " + ours + " --detach-sign -o " +
     shell_quote(archive.string() + ".asc") + " " + shell_quote(archive.string()));
  r = vtrun({"run"});
  ASSERT_EQ(r.exit_status, 0) << r.stderr_data;
  EXPECT_EQ(recorded_provider().at("signer").get<std::string>().substr(0, ours.size()), ours);
  http->stop();  // offline, the kept signature still vouches for the kept download
  r = vtrun({"--offline", "list"});
  EXPECT_EQ(r.exit_status, 0) << r.stderr_data;

  // file://: the signature sits beside the archive.
  define("[provider]\nuri: file://" + archive.string() + "\npubkey: ../keys/org.asc\n");
  EXPECT_EQ(listed(), "hello\n");
  fs::remove(archive.string() + ".asc");
  r = vtrun({"list"});
  EXPECT_EQ(r.exit_status, 2);
  EXPECT_NE(r.stderr_data.find("has no signature"), std::string::npos) << r.stderr_data;
}

// Avocado-VT's layout: [provider] + one section per backend with its subdir.
TEST_F(ProvidersFetch, AvocadoLayoutResolvesToTheSectionSubdirs) {
  commit({{"qemu/tests/cfg/boot.cfg",
           "- boot:\n    type = boot\n    variants:\n        - a:\n        - b:\n"},
          {"qemu/tests/boot.sh", "#!/bin/sh\n"},
          {"generic/vtrun.toml", one_test}},
         "layout");
  const auto daemon = start_git_daemon(served);
  define("[provider]\nuri: git://127.0.0.1:" + std::to_string(daemon->port()) +
         "/tests.git\n\n[generic]\nsubdir: generic/\n\n[qemu]\nsubdir: qemu/\n");
  auto r = vtrun({"-b", "qemu", "list"});
  EXPECT_EQ(r.exit_status, 0) << r.stderr_data;
  EXPECT_EQ(r.stdout_data, "boot.a\nboot.b\n");
  EXPECT_EQ(listed(), "hello\n");  // local has no section: [generic]
  r = vtrun({"providers", "show", "tests"});
  EXPECT_EQ(r.exit_status, 0) << r.stderr_data;
  EXPECT_NE(r.stdout_data.find("  qemu\tsubdir qemu\t2 tests"), std::string::npos) << r.stdout_data;
  EXPECT_NE(r.stdout_data.find("  generic\tsubdir generic\t1 tests"), std::string::npos)
      << r.stdout_data;
}

}  // namespace
}  // namespace vt::e2e
