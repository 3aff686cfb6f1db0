// Kizuna. A STIX object as Kizuna keeps it: the exact JSON text accepted, plus the common
// properties that queries, policy and versioning need, read once when the object enters.
#pragma once

// The JSON text is never rewritten: export and TAXII serve the bytes that came in (custom
// properties and extensions included). ObjectIndex holds copies of the indexed properties so
// it outlives the parse buffer.
//
//   simdjson::dom::object obj = ...;               // parsed from `text`
//   KZ_ASSIGN_OR_RETURN(ObjectIndex index, IndexObject(obj));
//   KZ_RETURN_IF_ERROR(ValidateObject(obj, index));  // validate.h
//
// Thread-safety: values only.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "kizuna/stix/timestamp.h"
#include "simdjson.h"

namespace kizuna::stix {

enum class SpecVersion : uint8_t {
  k20,  // STIX 2.0: a non-SCO object without `spec_version`
  k21,  // STIX 2.1: `spec_version` "2.1", or an SCO without it
};

// Returns "2.0" or "2.1".
std::string_view SpecVersionName(SpecVersion v);

// What kind of object a type name denotes (STIX 2.1 §4-§8).
enum class ObjectKind : uint8_t {
  kSdo,        // one of the 19 domain objects
  kSro,        // relationship, sighting
  kSco,        // one of the 18 cyber-observable objects
  kMeta,       // language-content, marking-definition, extension-definition
  kCustom,     // any other valid type name (e.g. x-mitre-tactic)
};

// Returns the kind of `type`.
ObjectKind KindOfType(std::string_view type);

// The indexed common properties of one object (STIX 2.1 §3.2).
struct ObjectIndex {
  std::string id;
  std::string type;
  ObjectKind kind = ObjectKind::kCustom;
  SpecVersion spec_version = SpecVersion::k21;
  std::optional<Timestamp> created;
  std::optional<Timestamp> modified;
  std::string created_by_ref;  // empty when absent
  bool revoked = false;
  // Identifiers in `object_marking_refs`, then every `marking_ref` in `granular_markings`.
  std::vector<std::string> object_marking_refs;
  std::vector<std::string> granular_marking_refs;
  // Indicators only: validity window (microseconds since the epoch).
  std::optional<int64_t> valid_from_us;
  std::optional<int64_t> valid_until_us;

  // The version timestamp: `modified`, else `created`, else none (SCOs and other
  // unversioned objects).
  const std::optional<Timestamp>& version() const { return modified ? modified : created; }
};

// Reads the common properties of `object`. Returns InvalidArgument, naming the object id (or
// "object" when even the id is unusable) and the property, when `type` or `id` is missing or
// not a string, the id's type prefix differs from `type`, `spec_version` is present but not
// "2.0"/"2.1", or `created`/`modified`/`valid_from`/`valid_until` is not a valid timestamp.
// Everything else is ValidateObject's job.
absl::StatusOr<ObjectIndex> IndexObject(simdjson::dom::object object);

}  // namespace kizuna::stix
