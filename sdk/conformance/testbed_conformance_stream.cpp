// Conformance of Testbed::exec over time: timeouts kill the whole tree, a pty merges the
// streams, and an OutputSink sees output while the command still runs.
#include <mutex>
#include <vector>

#include "conformance_util.h"
#include "vt/sdk/conformance/testbed_conformance.h"

namespace vt::sdk::conformance {

int link_stream_tests() {
  return 0;
}

namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

// Exits 0 when the process whose pid is in `pid_file` is gone (or a zombie nobody reaped yet,
// which is dead all the same), 1 when it is still alive after ~5 s, 2 when there is no pid.
std::string gone_script(const std::string& pid_file) {
  return "p=$(cat " + shell_quote(pid_file) +
         ") && [ -n \"$p\" ] || exit 2\n"
         "i=0\n"
         "while kill -0 \"$p\" 2>/dev/null; do\n"
         "  s=$(cut -d' ' -f3 /proc/$p/stat 2>/dev/null)\n"
         "  [ \"$s\" = Z ] && exit 0\n"
         "  i=$((i+1)); [ $i -ge 50 ] && exit 1\n"
         "  sleep 0.1\n"
         "done\n";
}

TEST_P(TestbedConformance, ExecTimeoutKillsTheCommandAndItsChildren) {
  ExecRequest request;
  // The shell records its own pid and a background child's, then sleeps past the timeout.
  request.argv = {"sh", "-c", "sleep 300 & echo $! > child.pid; echo $$ > shell.pid; sleep 30"};
  request.timeout = milliseconds(1000);
  const auto started = Clock::now();
  const ExecResult r = run(request);
  const auto took = std::chrono::duration_cast<milliseconds>(Clock::now() - started);
  EXPECT_TRUE(r.timed_out) << "`sleep 30` with a 1 s timeout must come back with timed_out: "
                           << describe(r);
  EXPECT_LT(took, milliseconds(10'000)) << "a 1 s timeout took " << took.count() << " ms to return";
  for (const char* file : {"shell.pid", "child.pid"}) {
    const ExecResult gone = sh(gone_script(on_testbed(file)));
    EXPECT_EQ(gone.exit_status, 0)
        << "after a timeout the command's whole process tree must be killed, but the process in "
        << file << " (exit 1: alive, 2: no pid written) is not gone: " << describe(gone);
  }
}

TEST_P(TestbedConformance, ExecReturnsWhenTheCommandExitsDespiteABackgroundChild) {
  // The child inherits stdout and stderr; waiting for their EOF instead of the command's exit
  // would hang (a classic with ssh). Whether the child survives is the backend's choice.
  const auto started = Clock::now();
  const ExecResult r = sh("sleep 20 & echo started", milliseconds(60'000));
  const auto took = std::chrono::duration_cast<milliseconds>(Clock::now() - started);
  EXPECT_EQ(r.exit_status, 0) << describe(r);
  EXPECT_FALSE(r.timed_out) << describe(r);
  EXPECT_EQ(r.stdout_data, "started\n");
  EXPECT_LT(took, milliseconds(10'000))
      << "exec took " << took.count()
      << " ms for a command that exits at once: it waited for a background child that still "
         "holds stdout";
}

TEST_P(TestbedConformance, ExecWithinItsTimeoutIsNotTimedOut) {
  const ExecResult r = sh("sleep 0.2; exit 3", milliseconds(30'000));
  EXPECT_FALSE(r.timed_out) << describe(r);
  EXPECT_EQ(r.exit_status, 3) << describe(r);
}

TEST_P(TestbedConformance, ExecUnderAPtyMergesStreamsInOrderWithCrLf) {
  ExecRequest request;
  request.argv = {"sh", "-c", "echo one; sleep 0.1; echo two >&2; sleep 0.1; echo three"};
  request.pty = true;
  request.timeout = milliseconds(60'000);
  const ExecResult r = run(request);
  EXPECT_EQ(r.exit_status, 0) << describe(r);
  EXPECT_EQ(r.stdout_data, "one\r\ntwo\r\nthree\r\n")
      << "with pty=true stdout and stderr arrive merged, in order, with a terminal's CR LF";
  EXPECT_EQ(r.stderr_data, "") << "with pty=true stderr_data stays empty (types.h)";

  request.argv = {"sh", "-c", "test -t 0 && test -t 1 && test -t 2"};
  const ExecResult tty = run(request);
  EXPECT_EQ(tty.exit_status, 0) << "with pty=true stdin, stdout and stderr must be a terminal: "
                                << describe(tty);
}

// Records every chunk with the time it arrived.
class RecordingSink final : public OutputSink {
 public:
  struct Chunk {
    Clock::time_point at;
    Stream stream;
    std::string bytes;
  };
  void on_output(Stream stream, std::string_view bytes) override {
    std::lock_guard lock(mutex_);
    chunks_.push_back({Clock::now(), stream, std::string(bytes)});
  }
  std::vector<Chunk> chunks() {
    std::lock_guard lock(mutex_);
    return chunks_;
  }

 private:
  std::mutex mutex_;
  std::vector<Chunk> chunks_;
};

TEST_P(TestbedConformance, ExecStreamsToTheSinkWhileTheCommandRuns) {
  ExecRequest request;
  request.argv = {"sh", "-c", "echo first; echo early-err >&2; sleep 1; echo second"};
  request.timeout = milliseconds(60'000);
  RecordingSink sink;
  ExecResult r;
  try {
    r = testbed().exec(request, &sink);
  } catch (const std::exception& e) {
    FAIL() << "exec with a sink threw: " << e.what();
  }
  const auto ended = Clock::now();
  EXPECT_EQ(r.exit_status, 0) << describe(r);
  EXPECT_EQ(r.stdout_data, "") << "with a sink, output goes to the sink only (types.h)";
  EXPECT_EQ(r.stderr_data, "") << "with a sink, output goes to the sink only (types.h)";

  std::string out, err;
  std::optional<Clock::time_point> first_seen;
  for (const auto& chunk : sink.chunks()) {
    (chunk.stream == Stream::out ? out : err) += chunk.bytes;
    if (!first_seen && out.find("first") != std::string::npos) first_seen = chunk.at;
  }
  EXPECT_EQ(out, "first\nsecond\n") << "the sink's stdout chunks, joined";
  EXPECT_EQ(err, "early-err\n") << "the sink's stderr chunks, joined";
  ASSERT_TRUE(first_seen.has_value()) << "'first' never reached the sink";
  const auto lead = std::chrono::duration_cast<milliseconds>(ended - *first_seen);
  EXPECT_GE(lead, milliseconds(500))
      << "'first' reached the sink only " << lead.count()
      << " ms before exec returned; the command slept 1 s after printing it, so output is "
         "buffered instead of streamed";
}

}  // namespace
}  // namespace vt::sdk::conformance
