// Kizuna. Event times of telemetry records.
#pragma once

// Zeek writes `ts` as epoch seconds with a fraction ("1521911720.865716") in TSV and, in
// JSON, either so or as RFC 3339 ("2018-03-24T17:15:20.865716Z"); Suricata writes
// "2018-03-24T17:15:20.865716+0000". ParseEventTime reads all three.
//
// Thread-safety: stateless.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace kizuna::detect {

// Returns microseconds since the epoch, or nullopt when `text` is none of the forms above
// (years 1970..9999; offsets +HH:MM, +HHMM, Z).
std::optional<int64_t> ParseEventTime(std::string_view text);

// Formats microseconds since the epoch as RFC 3339 UTC with microseconds
// ("2018-03-24T17:15:20.865716Z"), as STIX timestamps are written.
std::string FormatEventTime(int64_t micros);

}  // namespace kizuna::detect
