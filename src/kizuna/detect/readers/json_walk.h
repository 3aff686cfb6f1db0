// Kizuna. What a JSON walk reports: the interface between JsonReader and its two walkers.
#pragma once

// A walker (the On-Demand one in ondemand_walk.h, the DOM one in json_reader.cc) reads one
// line, asks its JsonSink for the paths of the line's log type, and hands it each scalar
// found at a mapped path, in document order.
//
// Thread-safety: one thread.

#include <cstdint>
#include <string_view>

#include "kizuna/detect/readers/json_paths.h"

namespace kizuna::detect {

struct JsonScalar {
  enum class Kind : uint8_t { kString, kInt64, kUint64, kDouble };
  Kind kind = Kind::kString;
  // kString: the value. It views the line itself when `in_line`, else a parser buffer that
  // the next line overwrites. A walker may also hand out an integer as kString, when its text
  // is what the reader would write for it (decimal digits, no leading zero, no "-0").
  std::string_view text;
  bool in_line = false;
  int64_t int64 = 0;    // kInt64
  uint64_t uint64 = 0;  // kUint64
  double number = 0;    // kDouble
};

class JsonSink {
 public:
  // Returns the paths of the line's log type, given the top-level "event_type" and "_path"
  // strings (null when absent or not strings). Called before Scalar(), once per line, or a
  // second time with the same strings when the On-Demand walk starts the line over
  // (ondemand_walk.h). The paths returned must stay valid while the walker is given this
  // sink (it guesses the next line's log type from them).
  virtual const JsonPaths& Paths(const std::string_view* event_type,
                                 const std::string_view* zeek_path) = 0;
  // One scalar at `path` (a path with a role). Booleans and nulls are not reported.
  virtual void Scalar(const JsonPath& path, const JsonScalar& value) = 0;

 protected:
  ~JsonSink() = default;
};

// Why a walker rejected a line; kOk when it did not.
enum class JsonWalkError : uint8_t { kOk, kInvalidJson, kNotObject, kTooDeep };

struct JsonWalkResult {
  JsonWalkError error = JsonWalkError::kOk;
  const char* detail = "";  // kInvalidJson: simdjson's message
};

// Deepest nesting a walker descends into (the On-Demand walker only counts the values it
// descends into; skipped values are not parsed).
inline constexpr int kMaxJsonWalkDepth = 32;

}  // namespace kizuna::detect
