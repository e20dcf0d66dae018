// QEMU's machine protocol (QMP) over the control socket: commands, their replies, and the
// events QEMU sends in between (VSERPORT_CHANGE tells when the guest agent opened its port).
#pragma once

#include <deque>
#include <filesystem>
#include <mutex>
#include <string>

#include "json_channel.h"

namespace vt::qemu {

class QmpClient {
 public:
  /// Connects and leaves capabilities negotiation mode. Throws sdk::InfrastructureError.
  void connect(const std::filesystem::path& socket, Clock::time_point deadline,
               bool (*alive)(void*), void* context);

  /// Runs `command` and returns its "return" value. A QMP error throws
  /// sdk::InfrastructureError with QEMU's description. Thread-safe.
  nlohmann::json execute(const std::string& command,
                         const nlohmann::json& arguments = nlohmann::json::object(),
                         Clock::time_point deadline = Clock::now() + std::chrono::seconds(30));

  /// `getfd`: hands QEMU a duplicate of `fd` under `name` (SCM_RIGHTS), e.g. for migration.
  void send_fd(const std::string& name, int fd, Clock::time_point deadline);

  /// Waits for an event `name` whose "data" satisfies `match` (an object of fields that must
  /// be equal; empty matches any). Events seen earlier are searched first. False at deadline.
  bool wait_event(const std::string& name, const nlohmann::json& match, Clock::time_point deadline);

  void shutdown() noexcept { channel_.shutdown(); }

 private:
  nlohmann::json await_reply(const std::string& command, Clock::time_point deadline);

  std::mutex mutex_;
  JsonChannel channel_;
  std::deque<nlohmann::json> events_;
};

}  // namespace vt::qemu
