// The vtctl <-> runner wire protocol: frames byte for byte, and the unix socket helpers.
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <thread>

#include "support/test_support.h"
#include "vt/core/control_protocol.h"

namespace vt::core::control {
namespace {

namespace fs = std::filesystem;

class FrameTest : public testing::Test {
 protected:
  void SetUp() override { ASSERT_EQ(socketpair(AF_UNIX, SOCK_STREAM, 0, fds_), 0); }
  void TearDown() override {
    for (int fd : fds_)
      if (fd >= 0) close(fd);
  }
  void close_end(int i) {
    close(fds_[i]);
    fds_[i] = -1;
  }
  void close_writer() { close_end(0); }
  void close_reader() { close_end(1); }
  int writer() const { return fds_[0]; }
  int reader() const { return fds_[1]; }

 private:
  int fds_[2] = {-1, -1};
};

TEST_F(FrameTest, RoundTripsTypeAndPayload) {
  ASSERT_TRUE(write_frame(writer(), FrameType::request, R"({"op":"exec"})"));
  ASSERT_TRUE(write_frame(writer(), FrameType::stdin_data, ""));
  ASSERT_TRUE(write_frame(writer(), FrameType::result, R"({"exit": 3})"));
  auto frame = read_frame(reader());
  ASSERT_TRUE(frame);
  EXPECT_EQ(frame->type, FrameType::request);
  EXPECT_EQ(frame->payload, R"({"op":"exec"})");
  frame = read_frame(reader());
  ASSERT_TRUE(frame);
  EXPECT_EQ(frame->type, FrameType::stdin_data);
  EXPECT_EQ(frame->payload, "");
  frame = read_frame(reader());
  ASSERT_TRUE(frame);
  EXPECT_EQ(frame->type, FrameType::result);
  EXPECT_EQ(frame->payload, R"({"exit": 3})");
}

TEST_F(FrameTest, UsesTheDocumentedWireFormat) {
  ASSERT_TRUE(write_frame(writer(), FrameType::stdout_data, "hi"));
  char bytes[8] = {};
  ASSERT_EQ(read(reader(), bytes, sizeof bytes), 7);
  EXPECT_EQ(std::string(bytes, 7), std::string("O\0\0\0\2hi", 7));
}

TEST_F(FrameTest, PassesEveryByteValueThrough) {
  std::string payload;
  for (int i = 0; i < 256; ++i) payload.push_back(static_cast<char>(i));
  payload += payload;
  ASSERT_TRUE(write_frame(writer(), FrameType::stderr_data, payload));
  const auto frame = read_frame(reader());
  ASSERT_TRUE(frame);
  EXPECT_EQ(frame->type, FrameType::stderr_data);
  EXPECT_EQ(frame->payload.size(), 512u);
  EXPECT_EQ(frame->payload, payload);
}

TEST_F(FrameTest, CarriesATenMebibytePayload) {
  std::string payload(10u << 20, '\0');
  for (std::size_t i = 0; i < payload.size(); ++i) payload[i] = static_cast<char>(i * 7 % 251);
  bool written = false;
  // The socket buffer holds far less than 10 MiB: the writer blocks until the reader reads.
  std::thread sender([&] { written = write_frame(writer(), FrameType::stdout_data, payload); });
  const auto frame = read_frame(reader());
  sender.join();
  EXPECT_TRUE(written);
  ASSERT_TRUE(frame);
  EXPECT_EQ(frame->type, FrameType::stdout_data);
  EXPECT_EQ(frame->payload.size(), payload.size());
  EXPECT_TRUE(frame->payload == payload);
}

TEST_F(FrameTest, TruncatedPayloadIsNoFrame) {
  ASSERT_EQ(write(writer(),
                  "O\0\0\0\x0a"
                  "abc",
                  8),
            8);
  close_writer();
  EXPECT_EQ(read_frame(reader()), std::nullopt);
}

TEST_F(FrameTest, TruncatedHeaderIsNoFrame) {
  ASSERT_EQ(write(writer(), "O\0\0", 3), 3);
  close_writer();
  EXPECT_EQ(read_frame(reader()), std::nullopt);
}

TEST_F(FrameTest, EndOfStreamIsNoFrame) {
  ASSERT_TRUE(write_frame(writer(), FrameType::result, "{}"));
  close_writer();
  ASSERT_TRUE(read_frame(reader()));
  EXPECT_EQ(read_frame(reader()), std::nullopt);
}

TEST_F(FrameTest, RefusesAPayloadOver256MiBFromTheHeaderAlone) {
  // A reader that tried to read the payload would wait; make it give up instead of hanging.
  const timeval one_second{1, 0};
  ASSERT_EQ(setsockopt(reader(), SOL_SOCKET, SO_RCVTIMEO, &one_second, sizeof one_second), 0);
  for (const char* header : {"O\xff\xff\xff\xff", "O\x10\x00\x00\x01"}) {
    ASSERT_EQ(write(writer(), header, 5), 5);
    ASSERT_EQ(write(writer(), "tail", 4), 4);
    EXPECT_EQ(read_frame(reader()), std::nullopt);
    // Refused before reading on: the bytes after the header are still there.
    char rest[8] = {};
    EXPECT_EQ(recv(reader(), rest, sizeof rest, MSG_DONTWAIT), 4);
    EXPECT_EQ(std::string(rest), "tail");
  }
}

TEST_F(FrameTest, WritingToAGonePeerFailsWithoutSigpipe) {
  close_reader();
  // The peer is gone: the write fails with EPIPE, which must not raise SIGPIPE.
  EXPECT_FALSE(write_frame(writer(), FrameType::stdout_data, std::string(1u << 20, 'x')));
}

class UnixSocketTest : public testing::Test {
 protected:
  const test_support::TempDir tmp_{"vt_ctl_"};
  const fs::path dir_ = tmp_.path();
};

TEST_F(UnixSocketTest, ListenAndConnectExchangeFrames) {
  const std::string path = (dir_ / "control.sock").string();
  const int server = listen_unix(path);
  ASSERT_GE(server, 0) << std::strerror(errno);
  struct stat st {};
  ASSERT_EQ(stat(path.c_str(), &st), 0);
  EXPECT_TRUE(S_ISSOCK(st.st_mode));
  EXPECT_EQ(st.st_mode & 0777, 0600u);

  const int client = connect_unix(path);
  ASSERT_GE(client, 0) << std::strerror(errno);
  const int conn = accept(server, nullptr, nullptr);
  ASSERT_GE(conn, 0);
  EXPECT_TRUE(write_frame(client, FrameType::request, "ping"));
  auto frame = read_frame(conn);
  ASSERT_TRUE(frame);
  EXPECT_EQ(frame->payload, "ping");
  EXPECT_TRUE(write_frame(conn, FrameType::result, "pong"));
  frame = read_frame(client);
  ASSERT_TRUE(frame);
  EXPECT_EQ(frame->type, FrameType::result);
  EXPECT_EQ(frame->payload, "pong");
  close(conn);
  close(client);
  close(server);

  // A stale socket file from an earlier run is replaced.
  const int again = listen_unix(path);
  EXPECT_GE(again, 0) << std::strerror(errno);
  close(again);
}

TEST_F(UnixSocketTest, ConnectingToNothingFails) {
  errno = 0;
  EXPECT_EQ(connect_unix((dir_ / "nobody.sock").string()), -1);
  EXPECT_EQ(errno, ENOENT);
}

TEST_F(UnixSocketTest, TooLongPathFailsWithENAMETOOLONG) {
  const std::string path = (dir_ / std::string(200, 's')).string();
  errno = 0;
  EXPECT_EQ(listen_unix(path), -1);
  EXPECT_EQ(errno, ENAMETOOLONG);
  errno = 0;
  EXPECT_EQ(connect_unix(path), -1);
  EXPECT_EQ(errno, ENAMETOOLONG);
  EXPECT_FALSE(fs::exists(path));
}

}  // namespace
}  // namespace vt::core::control
