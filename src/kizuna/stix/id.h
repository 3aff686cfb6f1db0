// Kizuna. STIX identifiers: `object-type--UUID` (STIX 2.1 §2.9).
#pragma once

// Parses and checks identifiers and type names, and makes new ones: UUIDv4 for SDOs, SROs
// and meta objects, deterministic UUIDv5 for SCOs (see sco_id.h for the name it hashes).
// Thread-safety: stateless.

#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "kizuna/base/random.h"

namespace kizuna::stix {

// The namespace STIX 2.1 §2.9 gives for SCO UUIDv5 identifiers.
inline constexpr std::string_view kScoNamespace = "00abedb4-aa42-466c-9c01-fed23315a9b7";

struct StixId {
  std::string_view type;  // the part before "--"; views into the parsed text
  std::string_view uuid;  // 36 characters, 8-4-4-4-12 hex
};

// Splits `text` into type and UUID. Returns InvalidArgument unless the type is a valid type
// name and the UUID is an RFC 4122 UUID (hex, dashes in place, RFC 4122 variant bits).
absl::StatusOr<StixId> ParseId(std::string_view text);

// Returns true for a valid object type name: 3..250 of [a-z0-9-], starting with a letter,
// without "--" (STIX 2.1 §3.1 and the custom object rules of §11.1).
bool IsValidTypeName(std::string_view type);

// Returns true for a valid property name: 3..250 of [a-z0-9_] (custom: also as in §11.1);
// `id` and `x_...` short forms used by the standard itself are handled by the validator.
bool IsValidPropertyName(std::string_view name);

// Returns a new random (version 4) UUID in lowercase text form.
std::string NewUuidV4(Random& random);

// Returns the version 5 UUID of `name` in namespace `namespace_uuid` (text form, RFC 4122).
// REQUIRES: namespace_uuid is a valid UUID.
std::string UuidV5(std::string_view namespace_uuid, std::string_view name);

// Returns the version digit of the UUID in `id` ("type--xxxxxxxx-xxxx-Vxxx-..."), or 0 when
// `id` is too short to hold one.
char UuidVersion(std::string_view id);

// Returns `type--<new v4 uuid>`.
std::string NewId(std::string_view type, Random& random);

}  // namespace kizuna::stix
