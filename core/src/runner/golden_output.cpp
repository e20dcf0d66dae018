#include "runner/golden_output.h"

#include <regex.h>
#include <stdlib.h>

#include <algorithm>
#include <cerrno>
#include <system_error>

#include "vt/core/atomic_file.h"
#include "vt/core/process.h"
#include "vt/sdk/error.h"

namespace vt::core {

namespace fs = std::filesystem;

struct LineFilter::Regex {
  regex_t compiled{};
  bool ok = false;  // regfree only what regcomp built
  ~Regex() {
    if (ok) regfree(&compiled);
  }
};

LineFilter::LineFilter(const std::string& pattern, const std::string& param) {
  auto regex = std::make_shared<Regex>();
  if (const int rc = regcomp(&regex->compiled, pattern.c_str(), REG_EXTENDED | REG_NOSUB);
      rc != 0) {
    char message[256];
    regerror(rc, &regex->compiled, message, sizeof message);
    throw sdk::ConfigError("param '" + param + "': '" + pattern +
                           "' is not a POSIX extended regular expression (" + message +
                           ") — fix it, or set it empty to compare every line");
  }
  regex->ok = true;
  regex_ = std::move(regex);
}

std::string LineFilter::apply(std::string_view text) const {
  std::string kept;
  kept.reserve(text.size());
  std::size_t start = 0;
  while (start < text.size()) {
    const std::size_t newline = text.find('\n', start);
    const std::size_t end = newline == std::string_view::npos ? text.size() : newline;
    const std::string_view line = text.substr(start, end - start);
    regmatch_t range[1];
    range[0].rm_so = 0;
    range[0].rm_eo = static_cast<regoff_t>(line.size());
    // REG_STARTEND: the line is not NUL-terminated and may hold NULs, as grep allows.
    const bool match = regexec(&regex_->compiled, line.data(), 1, range, REG_STARTEND) == 0;
    if (!match) {
      kept += line;
      kept += '\n';
    }
    start = end + 1;
  }
  return kept;
}

namespace {

std::string param_or(const sdk::Params& params, const std::string& key, std::string fallback) {
  const auto it = params.find(key);
  return it == params.end() ? std::move(fallback) : it->second;
}

// A private directory under $TMPDIR, removed with everything in it at the end of its scope.
class TempDir {
 public:
  TempDir() {
    std::string name = (fs::temp_directory_path() / "vtrun-diff.XXXXXX").string();
    if (!mkdtemp(name.data()))
      throw sdk::Error("cannot create a temporary directory '" + name +
                       "': " + std::error_code(errno, std::generic_category()).message());
    path_ = name;
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

std::string lines_differ(int n) {
  return std::to_string(n) + (n == 1 ? " line differs" : " lines differ");
}

}  // namespace

std::string unified_diff(std::string_view expected, std::string_view actual) {
  return text_diff(expected, actual, true);
}

std::string text_diff(std::string_view expected, std::string_view actual, bool unified) {
  const TempDir dir;
  const fs::path expected_file = dir.path() / "expected", actual_file = dir.path() / "actual";
  write_file_atomic(expected_file, expected);
  write_file_atomic(actual_file, actual);
  sdk::ExecRequest request;
  if (unified)
    request.argv = {"diff", "-u", "--label", "expected", "--label", "actual"};
  else
    request.argv = {"diff"};
  request.argv.push_back(expected_file.string());
  request.argv.push_back(actual_file.string());
  request.env = {{"LC_ALL", "C"}};
  request.timeout = std::chrono::seconds(60);
  const sdk::ExecResult result = run_process(request, nullptr);
  if (result.exit_status == 0) return "";
  if (result.exit_status == 1 && !result.timed_out) return result.stdout_data;
  std::string why = result.stderr_data;
  while (!why.empty() && (why.back() == '\n' || why.back() == '\r')) why.pop_back();
  throw sdk::Error(std::string(unified ? "'diff -u'" : "'diff'") + " failed with exit status " +
                   std::to_string(result.exit_status) + (why.empty() ? "" : ": " + why) +
                   " — is diffutils installed?");
}

int changed_lines(std::string_view diff) {
  int total = 0, removed = 0, added = 0;
  bool in_hunk = false;
  std::size_t start = 0;
  while (start < diff.size()) {
    const std::size_t newline = diff.find('\n', start);
    const std::size_t end = newline == std::string_view::npos ? diff.size() : newline;
    const std::string_view line = diff.substr(start, end - start);
    start = end + 1;
    const char kind = line.empty() ? ' ' : line[0];
    if (kind == '@') in_hunk = true;
    if (!in_hunk) continue;  // the `---` / `+++` header
    if (kind == '-') {
      ++removed;
    } else if (kind == '+') {
      ++added;
    } else if (kind != '\\') {  // `\ No newline at end of file` belongs to the line above
      total += std::max(removed, added);
      removed = added = 0;
    }
  }
  return total + std::max(removed, added);
}

GoldenOutputPolicy::GoldenOutputPolicy(const sdk::Params& params)
    : file_(param_or(params, "golden_output_file", "output")) {
  if (file_.empty())
    throw sdk::ConfigError(
        "param 'golden_output_file': expected a file name, got an empty value — leave it unset "
        "for 'output'");
  const std::string style = param_or(params, "golden_output_diff", "unified");
  if (style != "unified" && style != "normal")
    throw sdk::ConfigError("param 'golden_output_diff': expected 'unified' or 'normal', got '" +
                           style + "'");
  normal_diff_ = style == "normal";
  const std::string filter = param_or(params, "golden_output_filter", default_golden_output_filter);
  if (!filter.empty()) filter_ = std::make_unique<LineFilter>(filter, "golden_output_filter");
}

std::string GoldenOutputPolicy::filtered(std::string_view text) const {
  return filter_ ? filter_->apply(text) : std::string(text);
}

Verdict GoldenOutputPolicy::decide(const VerdictInput& input) const {
  if (auto verdict = infrastructure_verdict(input)) return *verdict;
  const fs::path expected_path = input.test_dir / file_;
  try {
    const fs::path captured_path = input.logdir / "stdout";
    std::error_code ec;
    if (!fs::exists(captured_path, ec))
      return {sdk::Status::error,
              "no captured output to compare: '" + captured_path.string() + "' is missing"};
    const std::string captured = read_file(captured_path);
    if (input.overwrite) {
      write_file_atomic(expected_path, captured);
      return {sdk::Status::pass, "recorded golden output: " + expected_path.string() + " (" +
                                     std::to_string(captured.size()) + " bytes)"};
    }
    return compare(input, expected_path, captured);
  } catch (const std::exception& e) {
    return {sdk::Status::error, e.what()};
  }
}

Verdict GoldenOutputPolicy::compare(const VerdictInput& input, const fs::path& expected_path,
                                    std::string_view captured) const {
  std::error_code ec;
  if (!fs::exists(expected_path, ec))
    return {sdk::Status::fail, "no golden output '" + expected_path.string() +
                                   "' to compare with — record it with `vtrun run -o` "
                                   "(--overwrite) and check it in"};
  const std::string expected = filtered(read_file(expected_path));
  const std::string actual = filtered(captured);
  if (expected == actual) return {sdk::Status::pass, ""};
  const std::string differs = "output differs from " + file_.string();
  std::string diff;
  try {
    diff = unified_diff(expected, actual);
    write_file_atomic(input.logdir / "diff",
                      normal_diff_ ? text_diff(expected, actual, false) : diff);
  } catch (const std::exception& e) {
    // The comparison has decided; only the explanation is missing.
    return {sdk::Status::fail, differs + " (no diff: " + e.what() + ")"};
  }
  return {sdk::Status::fail, differs + " (" + lines_differ(changed_lines(diff)) + "; see diff)"};
}

}  // namespace vt::core
