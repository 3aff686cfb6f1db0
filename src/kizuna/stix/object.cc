// Kizuna.
#include "kizuna/stix/object.h"

#include <array>

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

// Reads optional string property `name`; returns an error if present but not a string.
absl::Status OptionalString(simdjson::dom::object object, std::string_view id,
                            std::string_view name, std::string_view& out, bool& present) {
  simdjson::dom::element v;
  present = object[name].get(v) == simdjson::SUCCESS;
  if (!present) return absl::OkStatus();
  if (v.get_string().get(out) != simdjson::SUCCESS) return Error(id, name, "expected a string");
  return absl::OkStatus();
}

absl::Status OptionalTimestamp(simdjson::dom::object object, std::string_view id,
                               std::string_view name, std::optional<Timestamp>& out) {
  std::string_view text;
  bool present = false;
  KZ_RETURN_IF_ERROR(OptionalString(object, id, name, text, present));
  if (!present) return absl::OkStatus();
  absl::StatusOr<Timestamp> t = ParseTimestamp(text);
  if (!t.ok()) return Error(id, name, View(t.status().message()));
  out = *t;
  return absl::OkStatus();
}

absl::Status MarkingRefs(simdjson::dom::object object, std::string_view id, ObjectIndex& index) {
  simdjson::dom::element v;
  if (object["object_marking_refs"].get(v) == simdjson::SUCCESS) {
    simdjson::dom::array refs;
    if (v.get_array().get(refs) != simdjson::SUCCESS) {
      return Error(id, "object_marking_refs", "expected a list of marking-definition identifiers");
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
  }
  if (object["granular_markings"].get(v) == simdjson::SUCCESS) {
    simdjson::dom::array list;
    if (v.get_array().get(list) != simdjson::SUCCESS) {
      return Error(id, "granular_markings", "expected a list of granular markings");
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
  ObjectIndex index;
  std::string_view id, type;
  if (object["id"].get_string().get(id) != simdjson::SUCCESS) {
    simdjson::dom::element v;
    bool present = object["id"].get(v) == simdjson::SUCCESS;
    std::string_view t;
    std::string where = object["type"].get_string().get(t) == simdjson::SUCCESS
                            ? StrCat("object of type '", t.substr(0, 250), "'")
                            : std::string("object");
    return Error(where, "id", present ? "expected an identifier string" : "required property is missing");
  }
  if (object["type"].get_string().get(type) != simdjson::SUCCESS) {
    simdjson::dom::element v;
    bool present = object["type"].get(v) == simdjson::SUCCESS;
    return Error(id, "type", present ? "expected a string" : "required property is missing");
  }
  absl::StatusOr<StixId> parsed = ParseId(id);
  if (!parsed.ok()) return Error(id.substr(0, 300), "id", View(parsed.status().message()));
  if (parsed->type != type) {
    return Error(id, "id", StrCat("identifier type '", parsed->type, "' differs from type '", type, "'"));
  }
  index.id = std::string(id);
  index.type = std::string(type);
  index.kind = KindOfType(type);

  std::string_view spec;
  bool has_spec = false;
  KZ_RETURN_IF_ERROR(OptionalString(object, id, "spec_version", spec, has_spec));
  if (has_spec) {
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

  KZ_RETURN_IF_ERROR(OptionalTimestamp(object, id, "created", index.created));
  KZ_RETURN_IF_ERROR(OptionalTimestamp(object, id, "modified", index.modified));
  std::string_view creator;
  bool has_creator = false;
  KZ_RETURN_IF_ERROR(OptionalString(object, id, "created_by_ref", creator, has_creator));
  index.created_by_ref = std::string(creator);
  simdjson::dom::element revoked;
  if (object["revoked"].get(revoked) == simdjson::SUCCESS) {
    if (revoked.get_bool().get(index.revoked) != simdjson::SUCCESS) {
      return Error(id, "revoked", "expected a boolean");
    }
  }
  KZ_RETURN_IF_ERROR(MarkingRefs(object, id, index));
  if (type == "indicator") {
    std::optional<Timestamp> from, until;
    KZ_RETURN_IF_ERROR(OptionalTimestamp(object, id, "valid_from", from));
    KZ_RETURN_IF_ERROR(OptionalTimestamp(object, id, "valid_until", until));
    if (from) index.valid_from_us = from->Micros();
    if (until) index.valid_until_us = until->Micros();
  }
  return index;
}

}  // namespace kizuna::stix
