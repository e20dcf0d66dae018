// The golden-output verdict policy (pv-test@1): the test's captured output, filtered line by
// line, must equal the recorded `output` file byte for byte; `vtrun run -o` records it.
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

#include "runner/verdict.h"

namespace vt::core {

/// pv-test@1's filter (`grep -vE` in pvtest-run): xtrace lines, old (`+ `) and new (PS4
/// `[pvtest] <epoch> DEBUG -- [test-script]:`) style, and lines starting with `$`.
inline constexpr const char* default_golden_output_filter =
    R"(^(\+|\$|\[+pvtest\] [0-9]+ DEBUG -- \[test-script\]:))";

/// Drops the lines of a text that match a POSIX extended regular expression, as `grep -vE`
/// does: lines end at '\n' (a CR stays part of its line) and every kept line is written back
/// with a '\n', also a last line that had none. Thread-safe once built.
class LineFilter {
 public:
  /// Throws sdk::ConfigError naming `param` and regcomp's message when `pattern` is invalid.
  LineFilter(const std::string& pattern, const std::string& param);
  std::string apply(std::string_view text) const;

 private:
  struct Regex;
  std::shared_ptr<const Regex> regex_;
};

/// Params: `golden_output_file` (default `output`, relative to the test's directory),
/// `golden_output_filter` (default default_golden_output_filter; empty: compare every byte),
/// `golden_output_diff` (`unified`, the default, or `normal`: the `diff` file as plain `diff`
/// prints it, which is what pvtest-run leaves).
class GoldenOutputPolicy final : public VerdictPolicy {
 public:
  /// Throws sdk::ConfigError for an empty file name or an invalid filter, naming the param.
  explicit GoldenOutputPolicy(const sdk::Params& params);
  Verdict decide(const VerdictInput& input) const override;

 private:
  Verdict compare(const VerdictInput& input, const std::filesystem::path& expected_path,
                  std::string_view captured) const;
  std::string filtered(std::string_view text) const;

  std::filesystem::path file_;
  std::unique_ptr<LineFilter> filter_;  // null: filtering disabled
  bool normal_diff_ = false;            // the diff file in diff's normal format (pv-test)
};

/// A unified diff (`diff -u`, labels `expected` and `actual`) of two texts, made by the
/// system's diff program; empty when they are equal. Throws sdk::Error when diff cannot run.
std::string unified_diff(std::string_view expected, std::string_view actual);

/// As unified_diff, or in diff's normal format (`2d1`, `< line`) when `unified` is false.
std::string text_diff(std::string_view expected, std::string_view actual, bool unified);

/// How many lines a unified diff changes: for each run of `-`/`+` lines, the larger count.
int changed_lines(std::string_view unified_diff);

}  // namespace vt::core
