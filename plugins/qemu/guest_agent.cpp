#include "guest_agent.h"

#include <openssl/evp.h>
#include <unistd.h>

#include <random>

#include "vt/sdk/error.h"

namespace vt::qemu {

using nlohmann::json;

void GuestAgent::connect(const std::filesystem::path& socket, Clock::time_point deadline,
                         bool (*alive)(void*), void* context) {
  std::lock_guard lock(mutex_);
  channel_.connect(socket, deadline, alive, context);
  next_sync_ = std::random_device{}() & 0xffffff;
}

void GuestAgent::sync(Clock::time_point deadline, bool (*alive)(void*), void* context) {
  std::lock_guard lock(mutex_);
  for (;;) {
    const unsigned long id = ++next_sync_;
    // 0xFF makes the agent drop a half-read request; its reply starts with 0xFF too.
    channel_.send(
        "\xff" + json{{"execute", "guest-sync-delimited"}, {"arguments", {{"id", id}}}}.dump() +
            "\n",
        deadline);
    const auto retry_at = std::min(deadline, Clock::now() + std::chrono::milliseconds(250));
    while (auto reply = channel_.receive(retry_at))
      if (reply->value("return", json()) == id) return;
    if (alive != nullptr && !alive(context))
      throw sdk::InfrastructureError("QEMU exited before the guest agent answered");
    if (Clock::now() >= deadline)
      throw sdk::InfrastructureError("the guest agent did not answer in time");
  }
}

json GuestAgent::call(const std::string& command, const json& arguments,
                      std::chrono::milliseconds timeout) {
  if (broken_) throw sdk::InfrastructureError("the guest agent channel is closed");
  std::lock_guard lock(mutex_);
  if (broken_) throw sdk::InfrastructureError("the guest agent channel is closed");
  const auto deadline = Clock::now() + timeout;
  try {
    channel_.send(json{{"execute", command}, {"arguments", arguments}}.dump() + "\n", deadline);
    for (;;) {
      auto reply = channel_.receive(deadline);
      if (!reply)
        throw sdk::InfrastructureError("the guest agent did not answer '" + command + "' in " +
                                       std::to_string(timeout.count()) + " ms");
      if (auto it = reply->find("return"); it != reply->end()) return *it;
      if (auto it = reply->find("error"); it != reply->end())
        throw sdk::Error("guest agent: " + command + ": " + it->value("desc", it->dump()));
    }
  } catch (const sdk::InfrastructureError&) {
    broken_ = true;
    throw;
  }
}

void GuestAgent::shutdown() noexcept {
  broken_ = true;
  channel_.shutdown();
}

std::int64_t GuestAgent::open_file(const std::string& path, const std::string& mode) {
  return call("guest-file-open", {{"path", path}, {"mode", mode}}).get<std::int64_t>();
}

bool GuestAgent::read_file(std::int64_t handle, std::size_t count, std::string& out) {
  const json r = call("guest-file-read", {{"handle", handle}, {"count", count}});
  out += base64_decode(r.value("buf-b64", ""));
  return r.value("eof", false) || r.value("count", 0) == 0;
}

void GuestAgent::write_file(std::int64_t handle, std::string_view data) {
  const json r = call("guest-file-write", {{"handle", handle}, {"buf-b64", base64_encode(data)}});
  if (r.value("count", std::size_t{0}) != data.size())
    throw sdk::InfrastructureError("guest agent wrote " + std::to_string(r.value("count", 0)) +
                                   " of " + std::to_string(data.size()) + " bytes");
}

void GuestAgent::close_file(std::int64_t handle) noexcept {
  try {
    call("guest-file-close", {{"handle", handle}});
  } catch (const std::exception&) {
    // a handle the agent no longer knows, or a broken channel: nothing left to release
  }
}

std::string base64_encode(std::string_view data) {
  std::string out(4 * ((data.size() + 2) / 3), '\0');
  const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(data.data()),
                                static_cast<int>(data.size()));
  out.resize(static_cast<std::size_t>(n));
  return out;
}

std::string base64_decode(std::string_view text) {
  if (text.empty()) return {};
  std::string out(3 * (text.size() / 4) + 3, '\0');
  const int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(text.data()),
                                static_cast<int>(text.size()));
  if (n < 0) throw sdk::InfrastructureError("the guest agent sent invalid base64");
  // DecodeBlock counts the padding as data: drop one byte per '='.
  std::size_t size = static_cast<std::size_t>(n);
  for (std::size_t i = text.size(); i > 0 && text[i - 1] == '='; --i) --size;
  out.resize(size);
  return out;
}

}  // namespace vt::qemu
