// Kizuna.
#include "kizuna/stix/timestamp.h"

#include <array>

#include "kizuna/base/strings.h"

namespace kizuna::stix {
namespace {

constexpr int64_t kNanosPerSecond = 1000000000;
constexpr std::string_view kShape = "YYYY-MM-DDTHH:MM:SS[.s+]Z";

bool IsLeapYear(int64_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

int DaysInMonth(int64_t year, int month) {
  static constexpr std::array<int, 12> kDays = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return month == 2 && IsLeapYear(year) ? 29 : kDays[month - 1];
}

void CivilFromDays(int64_t z, int64_t& y, int& m, int& d) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const int64_t doe = z - era * 146097;
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int64_t mp = (5 * doy + 2) / 153;
  d = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  m = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  y = yoe + era * 400 + (m <= 2);
}

absl::Status Bad(std::string_view text, size_t pos, std::string_view what) {
  return absl::InvalidArgumentError(StrCat("invalid timestamp '", text.substr(0, 64),
                                                 "': ", what, " at character ", pos + 1,
                                                 " (expected ", kShape, ")"));
}

// Reads `n` decimal digits at `pos`; returns -1 if any is not a digit.
int64_t Digits(std::string_view text, size_t pos, size_t n) {
  if (pos + n > text.size()) return -1;
  int64_t v = 0;
  for (size_t i = 0; i < n; ++i) {
    char c = text[pos + i];
    if (c < '0' || c > '9') return -1;
    v = v * 10 + (c - '0');
  }
  return v;
}

}  // namespace

// Howard Hinnant's days_from_civil.
int64_t DaysFromCivil(int64_t y, int64_t m, int64_t d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const int64_t yoe = y - era * 400;
  const int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

std::optional<int64_t> Timestamp::Nanos() const {
  constexpr int64_t kMinSeconds = -9223372036LL + 1;  // keeps seconds * 1e9 + nanos in range
  constexpr int64_t kMaxSeconds = 9223372036LL - 1;
  if (seconds < kMinSeconds || seconds > kMaxSeconds) return std::nullopt;
  return seconds * kNanosPerSecond + nanos;
}

absl::StatusOr<Timestamp> ParseTimestamp(std::string_view text) {
  // Fixed-position fields, then the separators between them.
  struct Field { size_t pos, len; int64_t min, max; const char* name; };
  static constexpr std::array<Field, 6> kFields = {{{0, 4, 0, 9999, "year"},
                                                    {5, 2, 1, 12, "month"},
                                                    {8, 2, 1, 31, "day"},
                                                    {11, 2, 0, 23, "hour"},
                                                    {14, 2, 0, 59, "minute"},
                                                    {17, 2, 0, 60, "second"}}};
  static constexpr std::array<std::pair<size_t, char>, 5> kSeparators = {
      {{4, '-'}, {7, '-'}, {10, 'T'}, {13, ':'}, {16, ':'}}};
  if (text.size() < 20) return Bad(text, text.size(), "too short");
  std::array<int64_t, 6> v{};
  for (size_t i = 0; i < kFields.size(); ++i) {
    const Field& f = kFields[i];
    v[i] = Digits(text, f.pos, f.len);
    if (v[i] < 0) return Bad(text, f.pos, StrCat("expected ", f.len, " digits of the ", f.name));
    if (v[i] < f.min || v[i] > f.max) return Bad(text, f.pos, StrCat(f.name, " out of range"));
  }
  for (auto [pos, want] : kSeparators) {
    if (text[pos] != want) return Bad(text, pos, StrCat("expected '", std::string(1, want), "'"));
  }
  if (v[2] > DaysInMonth(v[0], static_cast<int>(v[1]))) return Bad(text, 8, "no such day in that month");
  Timestamp t;
  size_t pos = 19;
  if (text[pos] == '.') {
    ++pos;
    size_t start = pos;
    int64_t nanos = 0;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
      if (pos - start < 9) nanos = nanos * 10 + (text[pos] - '0');
      ++pos;
    }
    size_t digits = pos - start;
    if (digits == 0) return Bad(text, pos, "expected fraction digits after '.'");
    for (size_t i = digits; i < 9; ++i) nanos *= 10;
    t.nanos = static_cast<int32_t>(nanos);
    t.fraction_digits = static_cast<int32_t>(digits);
  }
  if (pos >= text.size() || text[pos] != 'Z') return Bad(text, pos, "expected 'Z' (UTC)");
  if (pos + 1 != text.size()) return Bad(text, pos + 1, "unexpected text after 'Z'");
  t.seconds = DaysFromCivil(v[0], v[1], v[2]) * 86400 + v[3] * 3600 + v[4] * 60 + v[5];
  return t;
}

std::string FormatTimestamp(const Timestamp& t, int fraction_digits) {
  int64_t days = t.seconds >= 0 ? t.seconds / 86400 : (t.seconds - 86399) / 86400;
  int64_t rem = t.seconds - days * 86400;
  int64_t year;
  int month, day;
  CivilFromDays(days, year, month, day);
  if (fraction_digits > 9) fraction_digits = 9;
  // YYYY-MM-DDTHH:MM:SS[.fff]Z, written digit by digit: this runs for every stored object.
  char buf[32] = "0000-00-00T00:00:00";
  auto put = [&buf](int pos, int64_t value, int width) {
    for (int i = width - 1; i >= 0; --i, value /= 10) buf[pos + i] = static_cast<char>('0' + value % 10);
  };
  put(0, year, 4);
  put(5, month, 2);
  put(8, day, 2);
  put(11, rem / 3600, 2);
  put(14, rem / 60 % 60, 2);
  put(17, rem % 60, 2);
  int len = 19;
  if (fraction_digits > 0) {
    buf[len++] = '.';
    int64_t frac = t.nanos;
    for (int i = 9; i > fraction_digits; --i) frac /= 10;
    put(len, frac, fraction_digits);
    len += fraction_digits;
  }
  buf[len++] = 'Z';
  return std::string(buf, len);
}

std::string FormatTaxii(int64_t micros) {
  int64_t seconds = micros >= 0 ? micros / 1000000 : (micros - 999999) / 1000000;
  Timestamp t{seconds, static_cast<int32_t>((micros - seconds * 1000000) * 1000), 6};
  return FormatTimestamp(t, 6);
}

absl::StatusOr<int64_t> ParseMicros(std::string_view text) {
  absl::StatusOr<Timestamp> t = ParseTimestamp(text);
  if (!t.ok()) return t.status();
  return t->Micros();
}

}  // namespace kizuna::stix
