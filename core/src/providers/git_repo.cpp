#include "providers/git_repo.h"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <sstream>

#include "providers/archive_extract.h"
#include "vt/core/process.h"
#include "vt/sdk/error.h"

namespace vt::core {

namespace fs = std::filesystem;

namespace {

// A fetch of a large repository over a slow link takes minutes; one that takes longer than
// this is stuck (git has no inactivity timeout of its own for every transport).
constexpr std::chrono::minutes fetch_timeout{15};
constexpr std::chrono::minutes local_timeout{5};

sdk::ExecResult git(const fs::path& repo, std::vector<std::string> args,
                    std::chrono::milliseconds timeout) {
  sdk::ExecRequest request;
  request.argv = {"git", "--git-dir=" + repo.string()};
  request.argv.insert(request.argv.end(), args.begin(), args.end());
  request.timeout = timeout;
  // Never wait for a password prompt nobody sees; messages in English, to quote them.
  request.env["GIT_TERMINAL_PROMPT"] = "0";
  request.env["LC_ALL"] = "C";
  if (std::getenv("GIT_SSH_COMMAND") == nullptr && std::getenv("GIT_SSH") == nullptr)
    request.env["GIT_SSH_COMMAND"] = "ssh -o BatchMode=yes";
  return run_process(request, nullptr);
}

// git's explanation: its last non-empty stderr line ("fatal: unable to connect ...").
std::string last_words(const sdk::ExecResult& r) {
  if (r.timed_out) return "git did not finish within its time limit";
  std::istringstream lines(r.stderr_data);
  std::string line, last;
  while (std::getline(lines, line))
    if (line.find_first_not_of(" \t\r") != std::string::npos) last = line;
  return last.empty() ? "git exited with status " + std::to_string(r.exit_status) : last;
}

std::string trimmed(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ')) s.pop_back();
  return s;
}

}  // namespace

bool looks_like_commit_id(const std::string& text, std::size_t min_length) {
  return text.size() >= min_length && text.size() <= 64 &&
         std::all_of(text.begin(), text.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
         });
}

GitRepo::GitRepo(fs::path dir) : dir_(std::move(dir)) {
  std::error_code ec;
  if (fs::exists(dir_ / "HEAD", ec)) return;
  // Initialised beside and renamed, so an interrupted init never looks like a repository.
  const fs::path partial = dir_.string() + ".partial-" + std::to_string(getpid());
  fs::remove_all(partial, ec);
  const sdk::ExecResult r =
      git(partial, {"init", "--bare", "--quiet", partial.string()}, local_timeout);
  if (r.exit_status != 0)
    throw sdk::Error("cannot create the git cache '" + dir_.string() + "': " + last_words(r));
  fs::remove_all(dir_, ec);
  fs::rename(partial, dir_, ec);
  if (ec) throw sdk::Error("cannot create the git cache '" + dir_.string() + "': " + ec.message());
}

std::optional<std::string> GitRepo::fetch_all(const std::string& uri, bool head) const {
  std::vector<std::string> args = {"fetch",
                                   "--quiet",
                                   "--prune",
                                   "--no-tags",
                                   "--no-write-fetch-head",
                                   "--",
                                   uri,
                                   "+refs/heads/*:refs/vtrun/heads/*",
                                   "+refs/tags/*:refs/vtrun/tags/*"};
  // Only when the default branch is followed: a remote whose HEAD dangles is still usable
  // through its branches and tags.
  if (head) args.push_back("+HEAD:refs/vtrun/HEAD");
  const sdk::ExecResult r = git(dir_, args, fetch_timeout);
  if (r.exit_status == 0) return std::nullopt;
  return last_words(r);
}

std::optional<std::string> GitRepo::fetch_commit(const std::string& uri,
                                                 const std::string& id) const {
  const sdk::ExecResult r =
      git(dir_, {"fetch", "--quiet", "--no-tags", "--no-write-fetch-head", "--", uri, id},
          fetch_timeout);
  if (r.exit_status == 0) return std::nullopt;
  return last_words(r);
}

std::optional<std::string> GitRepo::resolve(const std::string& spec) const {
  const sdk::ExecResult r =
      git(dir_, {"rev-parse", "--verify", "--quiet", "--end-of-options", spec}, local_timeout);
  if (r.exit_status != 0) return std::nullopt;
  return trimmed(r.stdout_data);
}

std::string GitRepo::object_type(const std::string& id) const {
  const sdk::ExecResult r = git(dir_, {"cat-file", "-t", id}, local_timeout);
  return r.exit_status == 0 ? trimmed(r.stdout_data) : std::string();
}

std::vector<std::string> GitRepo::names(const std::string& kind) const {
  const std::string prefix = "refs/vtrun/" + kind + "/";
  const sdk::ExecResult r =
      git(dir_, {"for-each-ref", "--format=%(refname)", prefix}, local_timeout);
  std::vector<std::string> out;
  std::istringstream lines(r.stdout_data);
  for (std::string line; std::getline(lines, line);)
    if (line.starts_with(prefix)) out.push_back(line.substr(prefix.size()));
  std::sort(out.begin(), out.end());
  return out;
}

void GitRepo::check_out(const std::string& commit, const fs::path& dest) const {
  const fs::path tar = dest.string() + ".tar-" + std::to_string(getpid());
  const sdk::ExecResult r =
      git(dir_, {"archive", "--format=tar", "-o", tar.string(), commit}, local_timeout);
  std::error_code ec;
  if (r.exit_status != 0) {
    fs::remove(tar, ec);
    throw sdk::Error("cannot check out commit " + commit + " from '" + dir_.string() +
                     "': " + last_words(r));
  }
  try {
    extract_archive(tar, dest);
  } catch (...) {
    fs::remove(tar, ec);
    throw;
  }
  fs::remove(tar, ec);
}

}  // namespace vt::core
