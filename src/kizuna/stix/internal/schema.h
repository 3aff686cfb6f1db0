// Kizuna. The STIX object model as immutable tables: object types, their properties, value
// kinds, and the constraints between properties.
#pragma once

// The tables themselves are generated (internal/schema_table.cc, by scripts/gen_stix_schema.py
// from schema/stix21.txt; see that file for the meaning of every field). This header declares
// their shape and the lookups the validator uses. Properties of each object are sorted by name
// so a lookup is a binary search; required properties and constraints refer to properties by
// their index in that sorted array.
//
// Thread-safety: constant data only.

#include <cstdint>
#include <span>
#include <string_view>

namespace kizuna::stix_internal {

// What a property's value must be (for list properties: what each item must be).
enum class ValueKind : uint8_t {
  kSkip,  // checked by IndexObject (type, id)
  kString,
  kBoolean,
  kInteger,           // 54-bit signed (STIX 2.1 §2.10), optionally range-limited
  kFloat,             // optionally range-limited
  kTimestamp,         // §2.16; kMillis in flags: at least millisecond precision
  kBinary,            // base64 (§2.1)
  kHex,               // even number of lower-case hex digits (§2.8)
  kHashes,            // §2.7
  kLangTag,           // RFC 5646 language tag
  kIdentifier,        // §2.9; arg: the TargetClass the identifier must point to
  kOpenVocab,         // any string; arg: the suggested Vocabulary
  kEnum,              // one of the terms; arg: the Vocabulary
  kStruct,            // nested object; arg: index into Structs()
  kDictionary,        // §2.3; dict_value says what the values are
  kExtensions,        // the `extensions` common property (§3.2, §7.3)
  kContainer,         // deprecated observable container (§2.13)
  kLanguageContents,  // language-content `contents` (§7.1)
  kAny,               // any JSON value (checked by a rule, or free-form)
  kReserved,          // reserved name: must not be present (§3.8)
};

// What the values of a kDictionary property must be.
enum class DictValue : uint8_t {
  kAny,  // any STIX value (not null)
  kString,
  kInteger,
  kIntegerOrString,
  kStringList,  // non-empty list of strings
};

// PropertySpec::flags.
inline constexpr uint16_t kList = 1 << 0;        // a non-empty list of `kind`
inline constexpr uint16_t kRequired20 = 1 << 1;  // required in STIX 2.0 objects
inline constexpr uint16_t kRequired21 = 1 << 2;  // required in STIX 2.1 objects
inline constexpr uint16_t kOnly20 = 1 << 3;      // defined in STIX 2.0 only
inline constexpr uint16_t kOnly21 = 1 << 4;      // defined in STIX 2.1 only
inline constexpr uint16_t kMillis = 1 << 5;      // timestamp needs >= 3 fraction digits
inline constexpr uint16_t kForbidden = 1 << 6;   // "not applicable" here: must not appear
inline constexpr uint16_t kHasMin = 1 << 7;      // `min` applies
inline constexpr uint16_t kHasMax = 1 << 8;      // `max` applies

// PropertySpec::slot when the property is not captured.
inline constexpr uint8_t kNoSlot = 0xff;
// Most properties an object's rules and order constraints capture.
inline constexpr int kMaxSlots = 8;
// Most properties one object (or struct) may define; the validator's seen-set is a bitmask.
inline constexpr int kMaxProperties = 64;

struct PropertySpec {
  std::string_view name;
  ValueKind kind;
  DictValue dict_value;
  uint16_t flags;
  uint8_t slot;  // capture slot (ObjectSpec::captured), or kNoSlot
  uint16_t arg;  // TargetClass, Vocabulary or struct index, by kind
  double min;    // integer/float range, with kHasMin/kHasMax
  double max;
};

enum class ConstraintOp : uint8_t {
  kOrderGe,   // slot a >= slot b (timestamps), when both present
  kOrderGt,   // slot a > slot b
  kOneOf,     // exactly one property of `mask` present
  kAnyOf,     // at least one property of `mask` present
  kRequires,  // property a present => property b present
};

struct Constraint {
  ConstraintOp op;
  uint8_t a;  // slot (order) or property index (requires)
  uint8_t b;
  uint64_t mask;  // property-index bits (oneof, anyof)
};

// Hand-written checks, one per `rule` line of the data file (internal/type_rules.cc).
enum class Rule : uint8_t {
  kNone,
  kCapecIds,
  kCveIds,
  kEmailMessage,
  kExtensionDefinition,
  kGranularMarking,
  kIpv4Value,
  kIpv6Value,
  kLocation,
  kMacValue,
  kMalware,
  kMarkingDefinition,
  kNetworkTraffic,
  kObservedData,
  kRelationship,
};

enum class SpecClass : uint8_t { kSdo, kSro, kSco, kMeta, kCustom, kStruct, kExtension };

// The hash of a property name in ObjectSpec::lookup (scripts/gen_stix_schema.py computes the
// same): length and three characters, enough to spread the names of one object type.
constexpr uint32_t PropertyHash(std::string_view name) {
  if (name.empty()) return 0;
  uint32_t h = static_cast<uint32_t>(name.size());
  h = h * 131 + static_cast<unsigned char>(name.front());
  h = h * 131 + static_cast<unsigned char>(name[name.size() / 2]);
  h = h * 131 + static_cast<unsigned char>(name.back());
  return h ^ (h >> 7);
}

struct ObjectSpec {
  std::string_view name;
  std::string_view section;  // of the STIX 2.1 standard, for messages
  SpecClass spec_class;
  bool since21;                              // the type does not exist in STIX 2.0
  std::string_view owner;                    // extensions: the object type they belong to
  std::span<const PropertySpec> properties;  // sorted by name
  // Open-addressing table over `properties`: a power-of-two number of slots, each 0 (empty) or
  // 1 + a property index; probe linearly from PropertyHash(name) & (size - 1).
  std::span<const uint8_t> lookup;
  std::span<const uint8_t> required;  // property indices, in the data file's order
  std::span<const Constraint> constraints;
  std::span<const uint8_t> captured;  // property index of each capture slot
  uint64_t nonempty_mask;             // at least one of these present (0: no such rule)
  Rule rule;
};

// TargetClass::groups.
inline constexpr uint8_t kGroupAny = 1 << 0;  // every valid type name
inline constexpr uint8_t kGroupSdo = 1 << 1;
inline constexpr uint8_t kGroupSro = 1 << 2;
inline constexpr uint8_t kGroupSco = 1 << 3;
inline constexpr uint8_t kGroupMeta = 1 << 4;
inline constexpr uint8_t kGroupCustom = 1 << 5;  // type names the standard does not define

struct TargetClass {
  std::string_view name;  // for messages, e.g. "identity or location"
  uint8_t groups;
  std::span<const std::string_view> types;
};

struct Vocabulary {
  std::string_view name;  // e.g. "opinion-enum"
  bool closed;            // an enumeration rather than an open vocabulary
  std::span<const std::string_view> terms;
};

// ----- The generated tables (schema_table.cc) -----
extern const std::span<const ObjectSpec> kTypes;       // top-level types, sorted by name
extern const std::span<const ObjectSpec> kStructs;     // indexed by PropertySpec::arg
extern const std::span<const ObjectSpec> kExtensions;  // predefined extensions, sorted by name
extern const ObjectSpec& kCustomType;                  // any other type name
extern const std::span<const TargetClass> kClasses;
extern const std::span<const Vocabulary> kVocabularies;

// ----- Lookups (schema.cc) -----

// Returns the spec of top-level type `type`, or nullptr for a custom type name.
const ObjectSpec* FindType(std::string_view type);

// Returns the predefined extension named `name` (e.g. "ntfs-ext"), or nullptr.
const ObjectSpec* FindExtension(std::string_view name);

// Returns the index of property `name` in spec.properties, or -1. One hash probe and usually
// one string comparison.
int FindProperty(const ObjectSpec& spec, std::string_view name);

// Returns true if `type` may be the target of an identifier of class `target`.
bool ClassAccepts(const TargetClass& target, std::string_view type);

// Returns true if `term` is one of vocabulary's terms.
bool VocabularyContains(const Vocabulary& vocabulary, std::string_view term);

}  // namespace kizuna::stix_internal
