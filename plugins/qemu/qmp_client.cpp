#include "qmp_client.h"

#include <sys/socket.h>

#include <cerrno>
#include <cstring>

#include "vt/sdk/error.h"

namespace vt::qemu {

using nlohmann::json;

void QmpClient::connect(const std::filesystem::path& socket, Clock::time_point deadline,
                        bool (*alive)(void*), void* context) {
  channel_.connect(socket, deadline, alive, context);
  // The greeting, then the mode switch that makes every other command available.
  for (;;) {
    auto greeting = channel_.receive(deadline);
    if (!greeting) throw sdk::InfrastructureError("QMP sent no greeting in time");
    if (greeting->contains("QMP")) break;
  }
  execute("qmp_capabilities", json::object(), deadline);
}

json QmpClient::await_reply(const std::string& command, Clock::time_point deadline) {
  for (;;) {
    auto message = channel_.receive(deadline);
    if (!message) throw sdk::InfrastructureError("QMP command '" + command + "' timed out");
    if (message->contains("event")) {
      events_.push_back(std::move(*message));
      if (events_.size() > 256) events_.pop_front();
      continue;
    }
    if (auto it = message->find("return"); it != message->end()) return *it;
    if (auto it = message->find("error"); it != message->end())
      throw sdk::InfrastructureError("QMP command '" + command +
                                     "' failed: " + it->value("desc", it->dump()));
  }
}

json QmpClient::execute(const std::string& command, const json& arguments,
                        Clock::time_point deadline) {
  std::lock_guard lock(mutex_);
  json request = {{"execute", command}};
  if (!arguments.empty()) request["arguments"] = arguments;
  channel_.send(request.dump() + "\n", deadline);
  return await_reply(command, deadline);
}

void QmpClient::send_fd(const std::string& name, int fd, Clock::time_point deadline) {
  std::lock_guard lock(mutex_);
  const std::string text =
      json{{"execute", "getfd"}, {"arguments", {{"fdname", name}}}}.dump() + "\n";
  msghdr msg{};
  iovec iov{const_cast<char*>(text.data()), text.size()};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int))] = {};
  msg.msg_control = control;
  msg.msg_controllen = sizeof control;
  cmsghdr* cm = CMSG_FIRSTHDR(&msg);
  cm->cmsg_level = SOL_SOCKET;
  cm->cmsg_type = SCM_RIGHTS;
  cm->cmsg_len = CMSG_LEN(sizeof(int));
  std::memcpy(CMSG_DATA(cm), &fd, sizeof fd);
  if (sendmsg(channel_.fd(), &msg, MSG_NOSIGNAL) != static_cast<ssize_t>(text.size()))
    throw sdk::InfrastructureError(std::string("QMP getfd failed: ") + std::strerror(errno));
  await_reply("getfd", deadline);
}

bool QmpClient::wait_event(const std::string& name, const json& match, Clock::time_point deadline) {
  std::lock_guard lock(mutex_);
  auto matches = [&](const json& event) {
    if (event.value("event", "") != name) return false;
    const json data = event.value("data", json::object());
    for (const auto& [key, value] : match.items())
      if (!data.contains(key) || data[key] != value) return false;
    return true;
  };
  for (auto it = events_.begin(); it != events_.end(); ++it)
    if (matches(*it)) {
      events_.erase(events_.begin(), it + 1);
      return true;
    }
  events_.clear();
  for (;;) {
    auto message = channel_.receive(deadline);
    if (!message) return false;
    if (matches(*message)) return true;
  }
}

}  // namespace vt::qemu
