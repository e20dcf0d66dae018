// Reading a scheduler's `--scheduler-option KEY=VALUE` map: every scheduler refuses keys it
// does not know, so that a typo never silently changes what a job runs.
#pragma once

#include <chrono>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>

#include "vt/sdk/types.h"

namespace vt::schedulers {

/// Throws sdk::ConfigError naming the first key of `options` not in `known`:
/// "scheduler 'shard': unknown option 'x' — it takes: shard".
void check_options(std::string_view scheduler, const sdk::Params& options,
                   std::initializer_list<std::string_view> known);

/// The value of `key`, or nullopt when it is not set.
std::optional<std::string> option(const sdk::Params& options, std::string_view key);

/// `yes`/`no` (also `true`/`false`, `on`/`off`, `1`/`0`); `fallback` when unset.
/// Throws sdk::ConfigError for anything else.
bool yes_no_option(std::string_view scheduler, const sdk::Params& options, std::string_view key,
                   bool fallback);

/// A whole number of seconds > 0; `fallback` when unset. Throws sdk::ConfigError otherwise.
std::chrono::seconds seconds_option(std::string_view scheduler, const sdk::Params& options,
                                    std::string_view key, std::chrono::seconds fallback);

/// A positive decimal integer without sign, spaces or leading '+'; nullopt otherwise.
std::optional<unsigned> parse_positive(std::string_view text);

}  // namespace vt::schedulers
