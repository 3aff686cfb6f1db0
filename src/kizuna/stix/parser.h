// Kizuna. Turning the JSON text of one object into a checked ObjectIndex.
#pragma once

// ObjectParser runs the steps every incoming object goes through, whatever its source
// (import, TAXII POST, peer sync): parse the JSON (simdjson DOM, which also checks UTF-8),
// read the indexed properties (IndexObject), and validate (ValidateObject). It reuses its
// parser's buffers across objects, so keep one per thread.
//
//   ObjectParser parser;
//   absl::StatusOr<ObjectIndex> index = parser.Parse(span.json, Padding::kPresent);
//
// Thread-safety: one ObjectParser per thread.

#include <string_view>

#include "absl/status/statusor.h"
#include "kizuna/stix/object.h"
#include "simdjson.h"

namespace kizuna::stix {

// Whether at least simdjson::SIMDJSON_PADDING readable bytes follow the text (true for
// spans inside a simdjson::padded_string); without them the parser copies the text first.
enum class Padding : bool { kAbsent, kPresent };

class ObjectParser {
 public:
  ObjectParser();

  // Parses, indexes and validates one object. Returns its index, or InvalidArgument naming
  // the object id (when it could be read) and the problem: malformed JSON, invalid UTF-8,
  // nesting deeper than limits::kMaxJsonDepth, a missing or wrong property.
  absl::StatusOr<ObjectIndex> Parse(std::string_view json, Padding padding);

  // The parsed tree of the last successful Parse, valid until the next call.
  simdjson::dom::object last_object() const { return last_; }

 private:
  simdjson::dom::parser parser_;
  simdjson::dom::object last_;
};

}  // namespace kizuna::stix
