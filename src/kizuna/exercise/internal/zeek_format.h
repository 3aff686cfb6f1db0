// Kizuna. Zeek log formats: the six logs' schemas, TSV and JSON records, TSV headers.
#pragma once

// A record is a list of Values in the order of its log's Schema; the same values give the
// TSV line (Zeek's escaping: \x09 for a tab, "-" unset, "(empty)" for an empty string or
// set) and the JSON line (`_path` first, `ts` as epoch seconds, unset fields left out), the
// two forms Zeek writes.
//
// Thread-safety: stateless.

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace kizuna::exercise_internal {

enum class Log : uint8_t { kConn, kDns, kHttp, kSsl, kFiles, kNotice };
inline constexpr int kLogCount = 6;

struct Value {
  enum class Kind : uint8_t { kUnset, kString, kCount, kTime, kInterval, kBool, kList };
  Kind kind = Kind::kUnset;
  std::string_view text;
  uint64_t count = 0;
  int64_t us = 0;  // kTime: microseconds since the epoch; kInterval: microseconds
  bool flag = false;
  std::span<const std::string> list;

  static Value Of(Kind kind) {
    Value v;
    v.kind = kind;
    return v;
  }
  static Value Str(std::string_view s) {
    Value v = Of(Kind::kString);
    v.text = s;
    return v;
  }
  static Value Count(uint64_t n) {
    Value v = Of(Kind::kCount);
    v.count = n;
    return v;
  }
  static Value Time(int64_t us) {
    Value v = Of(Kind::kTime);
    v.us = us;
    return v;
  }
  static Value Interval(int64_t us) {
    Value v = Of(Kind::kInterval);
    v.us = us;
    return v;
  }
  static Value Bool(bool b) {
    Value v = Of(Kind::kBool);
    v.flag = b;
    return v;
  }
  static Value List(std::span<const std::string> l) {
    Value v = Of(Kind::kList);
    v.list = l;
    return v;
  }
  static Value Unset() { return Value(); }
};

// The log's name ("conn") and its number of fields.
std::string_view LogName(Log log);
size_t FieldCount(Log log);

// The eight header lines of a Zeek TSV log, #open at `open_us`.
std::string TsvHeader(Log log, int64_t open_us);
// The #close line.
std::string TsvFooter(int64_t close_us);

// Appends one record as a TSV line / a Zeek JSON line, with the newline.
// REQUIRES: values.size() == FieldCount(log).
void AppendTsv(std::span<const Value> values, std::string& out);
void AppendZeekJson(Log log, std::span<const Value> values, std::string& out);

// Appends `us` as epoch seconds with six decimals ("1764547200.000123").
void AppendEpoch(int64_t us, std::string& out);
// Appends `n` in decimal.
void AppendUint(uint64_t n, std::string& out);
// Appends `us` as RFC 3339 with microseconds and Suricata's "+0000".
void AppendEveTime(int64_t us, std::string& out);

}  // namespace kizuna::exercise_internal
