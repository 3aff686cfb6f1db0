// Kizuna. The fast JSON walk: simdjson On-Demand, reading only the mapped fields.
#pragma once

// OnDemandWalker reads one JSON line with simdjson's On-Demand API, visiting only the keys
// that are mapped paths or lead to one (json_paths.h) of the line's log type (its first
// "event_type" string, else its first "_path" string). Each line is entered once: until the
// log type is known, the top-level members (EVE puts "timestamp" and "flow_id" before
// "event_type") are looked up in the paths of the previous line's log type (lines of one
// type come in runs); those it maps are kept as views into the line and reported once the
// log type is known, the others skipped unread. A line without "event_type" is kept to its
// end. The line is walked the old way instead (the log type found first, then the walk from
// the start) when a kept member is one it does not keep (an object, an array, a boolean, a
// number other than a plain integer, an escaped string or key), or a skipped member is
// mapped in the log type found; so are the next 15 lines, and twice as many after each
// failed try that follows (up to 1023: Zeek JSON with arrays then rarely pays for a failed
// try). Both ways report the same scalars in the same order, and
// the same errors. Every other value is skipped without being parsed: the line's UTF-8,
// its strings and its brackets up to the end of the top-level object are checked, but a
// broken value inside a skipped field (`tru`, `[1 2]`) is not found, and skipped values are
// not depth-limited (skipping does not recurse). Strings without escapes, and integers
// written as the reader writes them back, are handed out as views into the line, so nothing
// is copied or converted.
//
// ondemand_walk.cc is compiled for the x86-64 ISA simdjson calls haswell (AVX2, BMI,
// PCLMUL, LZCNT); OnDemandSupported() says whether this CPU runs it. On other CPUs the
// reader uses its DOM walk, which parses and checks every value.
//
// Thread-safety: one thread per walker.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>

#include "kizuna/detect/readers/json_walk.h"

namespace kizuna::detect {

class OnDemandWalker {
 public:
  // REQUIRES: OnDemandSupported().
  explicit OnDemandWalker(size_t max_line_bytes);
  ~OnDemandWalker();
  OnDemandWalker(const OnDemandWalker&) = delete;
  OnDemandWalker& operator=(const OnDemandWalker&) = delete;

  // Walks `line`, reporting to `sink` (json_walk.h); returns why the line is malformed, or
  // kOk. REQUIRES: simdjson::SIMDJSON_PADDING readable bytes follow the line (LineReader's
  // blocks guarantee them) and line.size() <= max_line_bytes.
  JsonWalkResult Walk(std::string_view line, JsonSink& sink);

  // Lines walked in two passes so far (the log type found first, then the walk), whether
  // after a failed first try or as one of the lines that follow one.
  uint64_t two_pass_lines() const;
  // Of those, the lines whose one-pass walk was tried and abandoned.
  uint64_t restarted_lines() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// True when this CPU can run OnDemandWalker (defined in json_reader.cc, which is compiled
// for every CPU).
bool OnDemandSupported();

// The simdjson implementation ondemand_walk.cc was compiled for ("haswell" on x86-64).
extern const char kOnDemandImplementation[];

}  // namespace kizuna::detect
