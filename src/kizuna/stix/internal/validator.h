// Kizuna. The validation engine: one pass over an object's members, each looked up in the
// object type's property table (internal/schema.h).
#pragma once

// Validator checks one parsed STIX object. For every member it finds the property spec by
// binary search and checks the value by kind (recursing into lists, nested structures,
// dictionaries, extensions and custom values, bounded by limits::kMaxJsonDepth); members the
// table does not know are custom properties, which must have valid names and no duplicate
// member names inside. After the pass it checks the required properties, the constraints
// between properties (order, oneof, anyof, requires, nonempty) and the type's hand-written
// rule (internal/type_rules.h). The first failure is returned.
//
// Nothing is allocated unless a check fails, an object has more than 32 custom members, or a
// dictionary has more than 32 keys.
//
// Thread-safety: a Validator is used by one thread for one object.

#include <array>
#include <cstdint>
#include <string_view>

#include "absl/status/status.h"
#include "kizuna/stix/internal/error_path.h"
#include "kizuna/stix/internal/schema.h"
#include "kizuna/stix/object.h"
#include "kizuna/stix/timestamp.h"
#include "simdjson.h"

namespace kizuna::stix_internal {

// What one pass over an object recorded for its constraints and rule.
struct Captured {
  uint64_t seen = 0;    // bit i: property i of the spec was present
  uint8_t present = 0;  // bit s: capture slot s holds a value
  std::array<simdjson::dom::element, kMaxSlots> values;
  std::array<stix::Timestamp, kMaxSlots> times;  // parsed, for timestamp-valued slots

  // Returns the captured value of property `name`, or nullptr if it was absent or is not
  // captured by `spec` (see the `rule` lines of the data file).
  const simdjson::dom::element* Get(const ObjectSpec& spec, std::string_view name) const;
};

class Validator {
 public:
  // REQUIRES: `index` is IndexObject(root) and outlives the Validator.
  Validator(simdjson::dom::object root, const stix::ObjectIndex& index)
      : root_(root), index_(index) {}

  Validator(const Validator&) = delete;
  Validator& operator=(const Validator&) = delete;

  // Returns OK or InvalidArgument "<id>: <path>: <what was wrong; what was expected>".
  absl::Status Run();

  // ----- For rules (internal/type_rules.cc) -----

  // Returns InvalidArgument naming the current path (plus `property`, if not empty).
  absl::Status Error(std::string_view property, std::string_view what);

  // Checks `value` as an object of `spec` (a struct) at the current path plus `property`.
  absl::Status CheckAs(simdjson::dom::element value, const ObjectSpec& spec,
                       std::string_view property);

  ErrorPath& path() { return path_; }
  const stix::ObjectIndex& index() const { return index_; }
  simdjson::dom::object root() const { return root_; }
  bool is_v20() const { return index_.spec_version == stix::SpecVersion::k20; }

 private:
  absl::Status CheckVersion(const ObjectSpec& spec);
  absl::Status CheckObject(simdjson::dom::object object, const ObjectSpec& spec, int depth,
                           bool top_level);
  absl::Status CheckMember(std::string_view key, simdjson::dom::element value,
                           const ObjectSpec& spec, Captured& captured, int depth, bool top_level,
                           std::array<std::string_view, 32>& custom, size_t& custom_count);
  absl::Status CheckCustomMember(std::string_view key, simdjson::dom::element value, int depth,
                                 bool top_level);
  absl::Status CheckCustomSuffix(std::string_view key, simdjson::dom::element value);
  absl::Status CheckAfterPass(const ObjectSpec& spec, const Captured& captured);
  absl::Status CheckProperty(simdjson::dom::element value, const PropertySpec& prop,
                             Captured& captured, int depth);
  absl::Status CheckValue(simdjson::dom::element value, const PropertySpec& prop, int depth,
                          stix::Timestamp* timestamp);
  absl::Status CheckString(simdjson::dom::element value, std::string_view expected,
                           std::string_view& out);
  absl::Status CheckNumber(simdjson::dom::element value, const PropertySpec& prop);
  absl::Status CheckTimestamp(simdjson::dom::element value, const PropertySpec& prop,
                              stix::Timestamp* timestamp);
  absl::Status CheckIdentifier(simdjson::dom::element value, const PropertySpec& prop);
  absl::Status CheckVocabulary(simdjson::dom::element value, const PropertySpec& prop);

  // Compound values (validator_compound.cc).
  absl::Status CheckDictionary(simdjson::dom::element value, DictValue values, int depth);
  absl::Status CheckHashes(simdjson::dom::element value);
  absl::Status CheckExtensions(simdjson::dom::element value, int depth);
  absl::Status CheckExtension(std::string_view key, simdjson::dom::element value, int depth);
  absl::Status CheckExtensionDefinitionInstance(simdjson::dom::object object, int depth);
  absl::Status CheckContainer(simdjson::dom::element value, int depth);
  absl::Status CheckContents(simdjson::dom::element value, int depth);
  absl::Status CheckCustomValue(simdjson::dom::element value, int depth);
  absl::Status CheckNoDuplicateKeys(simdjson::dom::object object);
  absl::Status CheckDepth(int depth);

  simdjson::dom::object root_;
  const stix::ObjectIndex& index_;
  const ObjectSpec* spec_ = nullptr;  // of the top-level object
  ErrorPath path_;
};

// Returns a phrase for the JSON type of `value`: "a string", "an object", "null", ...
std::string_view DescribeJsonType(simdjson::dom::element value);

}  // namespace kizuna::stix_internal
