// Kizuna. STIX and TAXII timestamps: parsing, comparison and formatting.
#pragma once

// STIX timestamps (STIX 2.1 §2.16) are RFC 3339 in UTC with a mandatory `Z` and any number
// of fraction digits: `2016-05-12T08:17:27.000Z`. Objects keep their JSON text as given, so
// the digits a producer wrote are never rewritten; a Timestamp carries the value (to the
// nanosecond) plus how many fraction digits the text had, for precision rules such as
// "created needs at least millisecond precision". TAXII timestamps (TAXII 2.1 §2) always have
// exactly six fraction digits; FormatTaxii writes them.
//
//   KZ_ASSIGN_OR_RETURN(Timestamp t, ParseTimestamp("2016-05-12T08:17:27.123Z"));
//   t.fraction_digits == 3; FormatTaxii(t.Micros()) == "2016-05-12T08:17:27.123000Z"
//
// Thread-safety: stateless.

#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace kizuna::stix {

struct Timestamp {
  int64_t seconds = 0;        // since 1970-01-01T00:00:00Z; years 0000..9999
  int32_t nanos = 0;          // 0..999,999,999; digits past the ninth are dropped
  int32_t fraction_digits = 0;  // digits after the '.' in the text; 0 when there was no '.'

  // Returns microseconds since the epoch (truncated); covers every year 0000..9999.
  int64_t Micros() const { return seconds * 1000000 + nanos / 1000; }
  // Returns nanoseconds since the epoch, or nullopt outside 1678..2261 (int64 range).
  std::optional<int64_t> Nanos() const;

  // Compares the instants only; precision does not take part.
  friend bool operator==(const Timestamp& a, const Timestamp& b) {
    return a.seconds == b.seconds && a.nanos == b.nanos;
  }
  friend std::strong_ordering operator<=>(const Timestamp& a, const Timestamp& b) {
    if (auto c = a.seconds <=> b.seconds; c != 0) return c;
    return a.nanos <=> b.nanos;
  }
};

// Parses `YYYY-MM-DDTHH:MM:SS[.fraction]Z`. Checks calendar validity (month lengths, leap
// years); a leap second (:60) is accepted as RFC 3339 allows. On failure returns
// InvalidArgument saying what was expected at which character.
absl::StatusOr<Timestamp> ParseTimestamp(std::string_view text);

// Formats with exactly `fraction_digits` digits (0..9; 0 writes no '.'), e.g. for STIX
// output with millisecond precision pass 3.
std::string FormatTimestamp(const Timestamp& t, int fraction_digits);

// Returns the days since 1970-01-01 of the proleptic Gregorian date y-m-d (m 1..12).
int64_t DaysFromCivil(int64_t y, int64_t m, int64_t d);

// Formats microseconds since the epoch as a TAXII timestamp: six fraction digits.
std::string FormatTaxii(int64_t micros);

// Parses a TAXII or STIX timestamp into microseconds since the epoch (used for
// `added_after`). Same errors as ParseTimestamp.
absl::StatusOr<int64_t> ParseMicros(std::string_view text);

}  // namespace kizuna::stix
