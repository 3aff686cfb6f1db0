// Kizuna.
#include "kizuna/stix/object.h"

#include <array>

#include "kizuna/base/limits.h"
#include "kizuna/base/status.h"
#include "kizuna/base/strings.h"
#include "kizuna/stix/id.h"

namespace kizuna::stix {
namespace {

constexpr std::array<std::string_view, 19> kSdoTypes = {
    "attack-pattern", "campaign",      "course-of-action", "grouping",         "identity",
    "incident",       "indicator",     "infrastructure",   "intrusion-set",    "location",
    "malware",        "malware-analysis", "note",          "observed-data",    "opinion",
    "report",         "threat-actor",  "tool",             "vulnerability"};
constexpr std::array<std::string_view, 18> kScoTypes = {
    "artifact",  "autonomous-system", "directory", "domain-name",  "email-addr",
    "email-message", "file",          "ipv4-addr", "ipv6-addr",    "mac-addr",
    "mutex",     "network-traffic",   "process",   "software",     "url",
    "user-account", "windows-registry-key", "x509-certificate"};
constexpr std::array<std::string_view, 3> kMetaTypes = {"language-content", "marking-definition",
                                                        "extension-definition"};

template <size_t N>
bool Contains(const std::array<std::string_view, N>& list, std::string_view v) {
  for (std::string_view x : list) {
    if (x == v) return true;
  }
  return false;
}

absl::Status Error(std::string_view id, std::string_view property, std::string_view what) {
  return absl::InvalidArgumentError(StrCat(id, ": ", property, ": ", what));
}

// Reads the value of string property `name`.
absl::Status StringValue(simdjson::dom::element v, std::string_view id, std::string_view name,
                         std::string_view& out) {
  if (v.get_string().get(out) != simdjson::SUCCESS) return Error(id, name, "expected a string");
  return absl::OkStatus();
}

absl::Status TimestampValue(simdjson::dom::element v, std::string_view id, std::string_view name,
                            std::optional<Timestamp>& out) {
  std::string_view text;
  KZ_RETURN_IF_ERROR(StringValue(v, id, name, text));
  absl::StatusOr<Timestamp> t = ParseTimestamp(text);
  if (!t.ok()) return Error(id, name, View(t.status().message()));
  out = *t;
  return absl::OkStatus();
}

absl::Status ObjectMarkingRefs(simdjson::dom::element v, std::string_view id, ObjectIndex& index) {
  simdjson::dom::array refs;
  if (v.get_array().get(refs) != simdjson::SUCCESS) {
    return Error(id, "object_marking_refs", "expected a list of marking-definition identifiers");
  }
  if (refs.size() > limits::kMaxMarkingRefs) {
    return Error(id, "object_marking_refs",
                 StrCat(refs.size(), " markings; at most ", limits::kMaxMarkingRefs, " are accepted"));
  }
  size_t i = 0;
  for (simdjson::dom::element ref : refs) {
    std::string_view s;
    if (ref.get_string().get(s) != simdjson::SUCCESS) {
      return Error(id, StrCat("object_marking_refs[", i, "]"), "expected an identifier string");
    }
    index.object_marking_refs.emplace_back(s);
    ++i;
  }
  return absl::OkStatus();
}

absl::Status GranularMarkingRefs(simdjson::dom::element v, std::string_view id, ObjectIndex& index) {
  simdjson::dom::array list;
  if (v.get_array().get(list) != simdjson::SUCCESS) {
    return Error(id, "granular_markings", "expected a list of granular markings");
  }
  if (list.size() > limits::kMaxMarkingRefs) {
    return Error(id, "granular_markings",
                 StrCat(list.size(), " granular markings; at most ", limits::kMaxMarkingRefs, " are accepted"));
  }
  size_t i = 0;
  for (simdjson::dom::element item : list) {
    simdjson::dom::object marking;
    if (item.get_object().get(marking) != simdjson::SUCCESS) {
      return Error(id, StrCat("granular_markings[", i, "]"), "expected a granular-marking object");
    }
    std::string_view ref;
    if (marking["marking_ref"].get_string().get(ref) == simdjson::SUCCESS) {
      index.granular_marking_refs.emplace_back(ref);
    }
    ++i;
  }
  return absl::OkStatus();
}

}  // namespace

std::string_view SpecVersionName(SpecVersion v) { return v == SpecVersion::k20 ? "2.0" : "2.1"; }

ObjectKind KindOfType(std::string_view type) {
  if (Contains(kSdoTypes, type)) return ObjectKind::kSdo;
  if (type == "relationship" || type == "sighting") return ObjectKind::kSro;
  if (Contains(kScoTypes, type)) return ObjectKind::kSco;
  if (Contains(kMetaTypes, type)) return ObjectKind::kMeta;
  return ObjectKind::kCustom;
}

absl::StatusOr<ObjectIndex> IndexObject(simdjson::dom::object object) {
  // One pass over the members finds the indexed ones; the id is needed for messages, so
  // values are checked after the pass.
  simdjson::dom::element id_v, type_v, spec_v, created_v, modified_v, creator_v, revoked_v,
      markings_v, granular_v, from_v, until_v;
  bool has_id = false, has_type = false, has_spec = false, has_created = false,
       has_modified = false, has_creator = false, has_revoked = false, has_markings = false,
       has_granular = false, has_from = false, has_until = false;
  for (auto field : object) {
    std::string_view key = field.key;
    simdjson::dom::element* slot = nullptr;
    bool* seen = nullptr;
    // Dispatch on the length first: most members are not indexed and cost one comparison.
    switch (key.size()) {
      case 2: if (key == "id") slot = &id_v, seen = &has_id; break;
      case 4: if (key == "type") slot = &type_v, seen = &has_type; break;
      case 7:
        if (key == "created") slot = &created_v, seen = &has_created;
        else if (key == "revoked") slot = &revoked_v, seen = &has_revoked;
        break;
      case 8: if (key == "modified") slot = &modified_v, seen = &has_modified; break;
      case 10: if (key == "valid_from") slot = &from_v, seen = &has_from; break;
      case 11: if (key == "valid_until") slot = &until_v, seen = &has_until; break;
      case 12: if (key == "spec_version") slot = &spec_v, seen = &has_spec; break;
      case 14: if (key == "created_by_ref") slot = &creator_v, seen = &has_creator; break;
      case 17: if (key == "granular_markings") slot = &granular_v, seen = &has_granular; break;
      case 19: if (key == "object_marking_refs") slot = &markings_v, seen = &has_markings; break;
      default: break;
    }
    if (slot != nullptr) {
      *slot = field.value;
      *seen = true;
    }
  }
  ObjectIndex index;
  std::string_view id, type;
  if (!has_id || id_v.get_string().get(id) != simdjson::SUCCESS) {
    std::string_view t;
    std::string where = has_type && type_v.get_string().get(t) == simdjson::SUCCESS
                            ? StrCat("object of type '", t.substr(0, 250), "'")
                            : std::string("object");
    return Error(where, "id", has_id ? "expected an identifier string" : "required property is missing");
  }
  if (!has_type || type_v.get_string().get(type) != simdjson::SUCCESS) {
    return Error(id, "type", has_type ? "expected a string" : "required property is missing");
  }
  absl::StatusOr<StixId> parsed = ParseId(id);
  if (!parsed.ok()) return Error(id.substr(0, 300), "id", View(parsed.status().message()));
  if (parsed->type != type) {
    return Error(id, "id", StrCat("identifier type '", parsed->type, "' differs from type '", type, "'"));
  }
  index.id = std::string(id);
  index.type = std::string(type);
  index.kind = KindOfType(type);

  if (has_spec) {
    std::string_view spec;
    KZ_RETURN_IF_ERROR(StringValue(spec_v, id, "spec_version", spec));
    if (spec == "2.1") {
      index.spec_version = SpecVersion::k21;
    } else if (spec == "2.0") {
      index.spec_version = SpecVersion::k20;
    } else {
      return Error(id, "spec_version", StrCat("expected \"2.1\" (or \"2.0\"), got \"", spec.substr(0, 40), "\""));
    }
  } else {
    index.spec_version = index.kind == ObjectKind::kSco ? SpecVersion::k21 : SpecVersion::k20;
  }
  if (has_created) KZ_RETURN_IF_ERROR(TimestampValue(created_v, id, "created", index.created));
  if (has_modified) KZ_RETURN_IF_ERROR(TimestampValue(modified_v, id, "modified", index.modified));
  if (has_creator) {
    std::string_view creator;
    KZ_RETURN_IF_ERROR(StringValue(creator_v, id, "created_by_ref", creator));
    index.created_by_ref = std::string(creator);
  }
  if (has_revoked && revoked_v.get_bool().get(index.revoked) != simdjson::SUCCESS) {
    return Error(id, "revoked", "expected a boolean");
  }
  if (has_markings) KZ_RETURN_IF_ERROR(ObjectMarkingRefs(markings_v, id, index));
  if (has_granular) KZ_RETURN_IF_ERROR(GranularMarkingRefs(granular_v, id, index));
  if (type == "indicator") {
    std::optional<Timestamp> from, until;
    if (has_from) KZ_RETURN_IF_ERROR(TimestampValue(from_v, id, "valid_from", from));
    if (has_until) KZ_RETURN_IF_ERROR(TimestampValue(until_v, id, "valid_until", until));
    if (from) index.valid_from_us = from->Micros();
    if (until) index.valid_until_us = until->Micros();
  }
  return index;
}

}  // namespace kizuna::stix
