// Kizuna.
#include "kizuna/detect/event_time.h"

#include <bit>
#include <cstring>

#include "kizuna/stix/timestamp.h"

namespace kizuna::detect {
namespace {

constexpr int64_t kMicros = 1000000;

bool Digits(std::string_view s, size_t at, size_t n, int64_t& out) {
  if (at + n > s.size()) return false;
  out = 0;
  for (size_t i = at; i < at + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    out = out * 10 + (s[i] - '0');
  }
  return true;
}

// Reads ".ffffff" at `at` (any number of digits, the first six kept) into micros.
size_t Fraction(std::string_view s, size_t at, int64_t& micros) {
  micros = 0;
  if (at >= s.size() || s[at] != '.') return at;
  static constexpr int64_t kScale[7] = {1000000, 100000, 10000, 1000, 100, 10, 1};
  size_t i = at + 1, kept = 0;
  int64_t digits = 0;
  for (; i < s.size() && s[i] >= '0' && s[i] <= '9'; ++i) {
    if (kept < 6) {
      digits = digits * 10 + (s[i] - '0');
      ++kept;
    }
  }
  micros = digits * kScale[kept];
  return i == at + 1 ? std::string_view::npos : i;
}

// The eight digits at `p` as a number (SWAR: all eight at once, the first most significant),
// or false when one is not a digit.
inline bool EightDigits(const char* p, uint64_t& out) {
  uint64_t v;
  std::memcpy(&v, p, 8);
  constexpr uint64_t kHigh = 0xF0F0F0F0F0F0F0F0, kZeros = 0x3030303030303030;
  // Each byte 0x30..0x39: its high nibble is 3, and still 3 after adding 6.
  if ((v & kHigh) != kZeros || ((v + 0x0606060606060606) & kHigh) != kZeros) return false;
  if constexpr (std::endian::native == std::endian::big) v = __builtin_bswap64(v);
  v -= kZeros;
  v = v * 10 + (v >> 8);  // pairs of digits in every other byte
  v = (((v & 0x000000FF000000FF) * (100 + (1000000ULL << 32))) +
       (((v >> 16) & 0x000000FF000000FF) * (1 + (10000ULL << 32)))) >>
      32;
  out = v;
  return true;
}

std::optional<int64_t> Epoch(std::string_view s) {
  // Zeek's own form, "1521911720.865716" (ten digits, six after the point), read eight
  // digits at a time; anything else the general way below.
  if (s.size() == 17 && s[10] == '.') {
    const char* p = s.data();
    char fraction[8] = {'0', '0'};  // the six digits after two leading zeros
    std::memcpy(fraction + 2, p + 11, 6);
    uint64_t high, micros;
    if (EightDigits(p, high) && EightDigits(fraction, micros) && p[8] >= '0' && p[8] <= '9' &&
        p[9] >= '0' && p[9] <= '9') {
      const int64_t seconds = static_cast<int64_t>(high * 100) + (p[8] - '0') * 10 + (p[9] - '0');
      return seconds * kMicros + static_cast<int64_t>(micros);
    }
  }
  int64_t seconds = 0;
  size_t i = 0;
  for (; i < s.size() && s[i] >= '0' && s[i] <= '9'; ++i) {
    if (i >= 12) return std::nullopt;
    seconds = seconds * 10 + (s[i] - '0');
  }
  if (i == 0) return std::nullopt;
  int64_t micros = 0;
  i = Fraction(s, i, micros);
  if (i != s.size()) return std::nullopt;
  return seconds * kMicros + micros;
}

// Reads an RFC 3339 time. `minute` (when not null) receives the seconds since the epoch of
// its minute, less the offset, and `tail` where the offset starts: what the next time
// of the same minute and offset shares (EventTimeParser).
std::optional<int64_t> Rfc3339(std::string_view s, int64_t* minute = nullptr,
                               size_t* tail = nullptr) {
  int64_t y, mo, d, h, mi, se;
  if (!Digits(s, 0, 4, y) || s[4] != '-' || !Digits(s, 5, 2, mo) || s[7] != '-' ||
      !Digits(s, 8, 2, d) || (s[10] != 'T' && s[10] != ' ') || !Digits(s, 11, 2, h) ||
      s[13] != ':' || !Digits(s, 14, 2, mi) || s[16] != ':' || !Digits(s, 17, 2, se)) {
    return std::nullopt;
  }
  if (y < 1970 || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || se > 60) {
    return std::nullopt;
  }
  int64_t micros = 0;
  size_t i = Fraction(s, 19, micros);
  if (i == std::string_view::npos || i >= s.size()) return std::nullopt;
  const size_t offset_at = i;
  int64_t offset = 0;
  if (s[i] == 'Z' || s[i] == 'z') {
    ++i;
  } else if (s[i] == '+' || s[i] == '-') {
    const int64_t sign = s[i] == '-' ? -1 : 1;
    int64_t oh, om;
    if (!Digits(s, i + 1, 2, oh)) return std::nullopt;
    size_t j = i + 3;
    if (j < s.size() && s[j] == ':') ++j;
    if (!Digits(s, j, 2, om)) return std::nullopt;
    offset = sign * (oh * 3600 + om * 60);
    i = j + 2;
  } else {
    return std::nullopt;
  }
  if (i != s.size()) return std::nullopt;
  const int64_t base = stix::DaysFromCivil(y, mo, d) * 86400 + h * 3600 + mi * 60 - offset;
  if (minute != nullptr) *minute = base;
  if (tail != nullptr) *tail = offset_at;
  return (base + se) * kMicros + micros;
}

}  // namespace

std::optional<int64_t> ParseEventTime(std::string_view text) {
  if (text.size() >= 20 && text[4] == '-') return Rfc3339(text);
  return Epoch(text);
}

std::optional<int64_t> EventTimeParser::Parse(std::string_view text) {
  if (text.size() < 20 || text[4] != '-') return ParseEventTime(text);
  if (valid_ && text.substr(0, kMinuteBytes) == std::string_view(minute_text_, kMinuteBytes)) {
    // Same date, hour and minute: the seconds, the fraction, and the same offset text.
    int64_t se, micros;
    if (Digits(text, kMinuteBytes, 2, se) && se <= 60) {
      const size_t i = Fraction(text, kMinuteBytes + 2, micros);
      if (i != std::string_view::npos && i < text.size() && text.substr(i) == offset_text_) {
        return (minute_ + se) * kMicros + micros;
      }
    }
  }
  size_t tail = 0;
  std::optional<int64_t> t = Rfc3339(text, &minute_, &tail);
  valid_ = t.has_value() && text.size() - tail <= sizeof offset_buffer_;
  if (valid_) {
    std::memcpy(minute_text_, text.data(), kMinuteBytes);
    std::memcpy(offset_buffer_, text.data() + tail, text.size() - tail);
    offset_text_ = std::string_view(offset_buffer_, text.size() - tail);
  }
  return t;
}

std::string FormatEventTime(int64_t micros) {
  stix::Timestamp t;
  t.seconds = micros / kMicros;
  int64_t frac = micros % kMicros;
  if (frac < 0) {
    frac += kMicros;
    --t.seconds;
  }
  t.nanos = static_cast<int32_t>(frac * 1000);
  return stix::FormatTimestamp(t, 6);
}

}  // namespace kizuna::detect
