#include "console_reporter.h"

#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <string>
#include <string_view>
#include <utility>

#include "vt/sdk/error.h"

namespace vt::reporters {

namespace {

using vt::sdk::Status;

constexpr std::string_view clear_line = "\r\x1b[K";
constexpr std::size_t status_width = 11;  // "INTERRUPTED"

// Ids and reasons come from provider repositories and test output; a stray escape sequence or
// newline in them must not corrupt the terminal or split a result line.
std::string printable(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    const auto b = static_cast<unsigned char>(c);
    if (b < 0x20 || b == 0x7F) c = '?';
  }
  return out;
}

std::string seconds(std::chrono::duration<double> d) {
  std::array<char, 32> buf{};
  std::snprintf(buf.data(), buf.size(), "%.2f s", std::max(0.0, d.count()));
  return buf.data();
}

std::string pad(std::string_view text, std::size_t width) {
  std::string out(text);
  if (out.size() < width) out.append(width - out.size(), ' ');
  return out;
}

// A transient line longer than the terminal wraps, and "\r\x1b[K" would then erase only its
// last row; cut it at the terminal width (on a UTF-8 boundary). 0 when not a terminal.
std::size_t terminal_columns(std::FILE* out) {
  const int fd = ::fileno(out);
  winsize size{};
  if (fd < 0 || ::ioctl(fd, TIOCGWINSZ, &size) != 0) return 0;
  return size.ws_col;
}

std::string fit(std::string line, std::size_t columns) {
  if (columns == 0 || line.size() < columns) return line;
  std::size_t cut = columns - 1;
  while (cut > 0 && (static_cast<unsigned char>(line[cut]) & 0xC0) == 0x80) --cut;
  line.resize(cut);
  return line;
}

}  // namespace

ConsoleReporter::ConsoleReporter(std::FILE* out, bool terminal) : out_(out), terminal_(terminal) {}

void ConsoleReporter::on_job_start(const vt::sdk::JobInfo& job) {
  total_ = job.test_count;
  finished_ = 0;
  running_.clear();
}

void ConsoleReporter::on_test_start(const vt::sdk::TestInfo& test) {
  if (!terminal_) return;
  running_.push_back(test.id);
  show_running();
}

void ConsoleReporter::on_test_end(const vt::sdk::TestResult& result) {
  ++finished_;
  std::erase(running_, result.id);
  std::array<char, 32> duration{};
  std::snprintf(duration.data(), duration.size(), "%7.2f s",
                std::max(0.0, result.duration.count()));
  std::string line = take_running() + counter();
  line += pad(vt::sdk::to_string(result.status), status_width);
  line += ' ';
  line += duration.data();
  line += "  ";
  line += printable(result.id);
  if (!result.reason.empty()) line += " (" + printable(result.reason) + ")";
  write(line + "\n");
  if (terminal_ && !running_.empty()) show_running();
}

void ConsoleReporter::on_job_end(const vt::sdk::JobSummary& summary) {
  std::array<std::size_t, 7> counts{};
  for (const vt::sdk::TestResult& r : summary.tests)
    ++counts.at(static_cast<std::size_t>(r.status));
  std::string line = take_running() + "RESULTS : ";
  for (Status s : {Status::pass, Status::fail, Status::error, Status::skip, Status::warn,
                   Status::cancel, Status::interrupted}) {
    if (s != Status::pass) line += " | ";
    line += vt::sdk::to_string(s);
    line += ' ';
    line += std::to_string(counts.at(static_cast<std::size_t>(s)));
  }
  write(line + "\n");
  write("JOB TIME: " + seconds(summary.finished - summary.job.started) + "\n");
  if (!summary.error.empty()) write("JOB ERROR: " + printable(summary.error) + "\n");
}

std::string ConsoleReporter::counter() const {
  if (!terminal_) return {};
  const std::size_t total = std::max(total_, finished_);
  const std::string total_text = std::to_string(total);
  const std::string done = std::to_string(finished_);
  return "[" + std::string(total_text.size() - std::min(done.size(), total_text.size()), ' ') +
         done + "/" + total_text + "] ";
}

void ConsoleReporter::show_running() {
  std::string line = counter() + "RUNNING " + printable(running_.back());
  if (running_.size() > 1) line += " (+" + std::to_string(running_.size() - 1) + " more)";
  write(take_running() + fit(std::move(line), terminal_columns(out_)));
  running_shown_ = true;
}

// Returned rather than written so that erasing and redrawing reach the terminal in one flush.
std::string ConsoleReporter::take_running() {
  if (!running_shown_) return {};
  running_shown_ = false;
  return std::string(clear_line);
}

void ConsoleReporter::write(const std::string& text) {
  if (std::fwrite(text.data(), 1, text.size(), out_) != text.size() || std::fflush(out_) != 0) {
    // A closed stdout (`vtrun run | head`) must not fail the job; the core disables this
    // reporter on the exception and keeps the other reporters.
    throw vt::sdk::Error(std::string("console reporter: cannot write to stdout: ") +
                         std::strerror(errno) + " — keep vtrun's stdout open for the whole run");
  }
}

std::unique_ptr<vt::sdk::Reporter> make_console_reporter(vt::sdk::Host& /*host*/,
                                                         const vt::sdk::ReporterSpec& spec) {
  return std::make_unique<ConsoleReporter>(stdout, spec.terminal);
}

}  // namespace vt::reporters
