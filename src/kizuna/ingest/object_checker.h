// Kizuna. The checks every incoming object passes, whichever way it comes in.
#pragma once

// ObjectChecker is the first step of the one ingest path (ingest/README.md): `kizuna import`,
// TAXII Add Objects, pulls from partner nodes, converted feeds and sightings all check each
// object with it before the store decides whether the writer may add it (store.h, Writer).
// It parses the JSON, reads the indexed properties and validates the object against STIX 2.1
// (stix::ObjectParser), then, for an indicator whose pattern is a STIX pattern (pattern_type
// "stix", or any STIX 2.0 indicator), parses and validates the pattern (STIX 2.1 §9: it MUST
// be valid), so a pattern that could never match is refused at the door, not found later by
// the matcher. An observable whose one ID contributing property is `value` (domain-name,
// email-addr, ipv4-addr, ipv6-addr, mac-addr, url) and whose id is a UUIDv5 must carry the
// UUIDv5 of that value: STIX 2.1 §2.9 only says SHOULD (`kizuna validate --warnings` reports
// other mismatches), but such an id names one value, and a writer who stored another value
// under it first would change what every partner's reference to that value resolves to. A
// UUIDv4 id stays accepted. It reuses its parsers' buffers, so keep one per thread.
//
//   ingest::ObjectChecker checker;
//   absl::StatusOr<stix::ObjectIndex> index = checker.Check(span.json, stix::Padding::kAbsent);
//
// Thread-safety: one ObjectChecker per thread.

#include <string_view>

#include "absl/status/statusor.h"
#include "kizuna/pattern/limits.h"
#include "kizuna/stix/object.h"
#include "kizuna/stix/parser.h"

namespace kizuna::ingest {

class ObjectChecker {
 public:
  explicit ObjectChecker(pattern::PatternLimits limits = {}) : limits_(limits) {}

  // Returns the object's index, or InvalidArgument reading "<id>: <property>: <problem>"
  // (stix::ObjectParser's errors), or for a pattern "<id>: pattern: offset <n>: <reason>:
  // <what>" (pattern/errors.h).
  absl::StatusOr<stix::ObjectIndex> Check(std::string_view json, stix::Padding padding);

  // The id and version of the last object whose JSON could be read, even if it was invalid;
  // empty when absent. Valid until the next call.
  std::string_view last_id() const { return parser_.last_id(); }
  std::string_view last_version() const { return parser_.last_version(); }

 private:
  const pattern::PatternLimits limits_;
  stix::ObjectParser parser_;
};

}  // namespace kizuna::ingest
