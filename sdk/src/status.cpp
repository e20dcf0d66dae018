#include <array>
#include <utility>

#include "vt/sdk/types.h"

namespace vt::sdk {

namespace {
constexpr std::array<std::pair<Status, std::string_view>, 7> status_names{{
    {Status::pass, "PASS"},
    {Status::fail, "FAIL"},
    {Status::error, "ERROR"},
    {Status::skip, "SKIP"},
    {Status::warn, "WARN"},
    {Status::cancel, "CANCEL"},
    {Status::interrupted, "INTERRUPTED"},
}};
}  // namespace

std::string_view to_string(Status status) noexcept {
  for (const auto& [value, name] : status_names)
    if (value == status) return name;
  return "ERROR";
}

std::optional<Status> status_from_string(std::string_view name) noexcept {
  for (const auto& [value, text] : status_names)
    if (text == name) return value;
  return std::nullopt;
}

}  // namespace vt::sdk
