// Kizuna. Which STIX version's patterning rules apply.
#pragma once

// STIX 2.0 and 2.1 patterns differ in a few places (README.md, "STIX 2.0"): 2.0 writes
// START/STOP times as plain strings; 2.1 adds EXISTS. Observed data differs too: 2.0 embeds
// SCOs in `objects`, 2.1 lists them in `object_refs`.
// Thread-safety: plain values.

#include <cstdint>
#include <optional>
#include <string_view>

namespace kizuna::pattern {

enum class StixVersion : uint8_t { k20, k21 };

// Returns "2.0" or "2.1".
std::string_view VersionName(StixVersion version);

// Parses "2.0" or "2.1"; nullopt otherwise.
std::optional<StixVersion> ParseVersion(std::string_view text);

}  // namespace kizuna::pattern
