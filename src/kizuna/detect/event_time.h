// Kizuna. Event times of telemetry records.
#pragma once

// Zeek writes `ts` as epoch seconds with a fraction ("1521911720.865716") in TSV and, in
// JSON, either so or as RFC 3339 ("2018-03-24T17:15:20.865716Z"); Suricata writes
// "2018-03-24T17:15:20.865716+0000". ParseEventTime reads all three.
//
// Thread-safety: ParseEventTime and FormatEventTime are stateless; EventTimeParser below
// belongs to one thread.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace kizuna::detect {

// Returns microseconds since the epoch, or nullopt when `text` is none of the forms above
// (years 1970..9999; offsets +HH:MM, +HHMM, Z).
std::optional<int64_t> ParseEventTime(std::string_view text);

// ParseEventTime for a stream of times: consecutive events mostly share their date, hour,
// minute and offset, so it keeps those of the last RFC 3339 time and, when the next one
// starts with the same "YYYY-MM-DDTHH:MM:" and ends with the same offset, reads only the
// seconds and the fraction. Returns what ParseEventTime returns for every text.
// Thread-safety: one thread.
class EventTimeParser {
 public:
  std::optional<int64_t> Parse(std::string_view text);

 private:
  static constexpr size_t kMinuteBytes = 17;  // "2018-03-24T17:15:"
  bool valid_ = false;          // the fields below hold a time
  char minute_text_[kMinuteBytes] = {};
  char offset_buffer_[8] = {};  // "Z", "+0000", "+00:00"
  std::string_view offset_text_;
  int64_t minute_ = 0;          // seconds since the epoch of that minute, less the offset
};

// Formats microseconds since the epoch as RFC 3339 UTC with microseconds
// ("2018-03-24T17:15:20.865716Z"), as STIX timestamps are written.
std::string FormatEventTime(int64_t micros);

}  // namespace kizuna::detect
