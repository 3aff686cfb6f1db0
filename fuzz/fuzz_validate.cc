// Kizuna. Fuzz target: STIX object validation (IndexObject, then ValidateObject) on any JSON.
// The validator must return a status, never crash, hang or recurse without bound.
#include <cstddef>
#include <cstdint>

#include "kizuna/stix/validate.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  simdjson::dom::parser parser;
  simdjson::padded_string json(reinterpret_cast<const char*>(data), size);
  simdjson::dom::object object;
  if (parser.parse(json).get_object().get(object) != simdjson::SUCCESS) return 0;
  absl::StatusOr<kizuna::stix::ObjectIndex> index = kizuna::stix::IndexObject(object);
  if (!index.ok()) return 0;
  absl::Status status = kizuna::stix::ValidateObject(object, *index);
  return status.ok() ? 0 : 0;
}
