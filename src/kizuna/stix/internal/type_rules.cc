// Kizuna.
#include "kizuna/stix/internal/type_rules.h"

#include "kizuna/base/status.h"
#include "kizuna/base/strings.h"
#include "kizuna/stix/internal/value_checks.h"
#include "kizuna/stix/object.h"
#include "kizuna/stix/predefined_markings.h"

namespace kizuna::stix_internal {
namespace {

using simdjson::dom::element;

std::string_view Str(const element* value) {
  std::string_view s;
  return value != nullptr && value->get_string().get(s) == simdjson::SUCCESS ? s
                                                                             : std::string_view();
}

bool IsTrue(const element* value) {
  bool b = false;
  return value != nullptr && value->get_bool().get(b) == simdjson::SUCCESS && b;
}

bool IsFalse(const element* value) {
  bool b = true;
  return value != nullptr && value->get_bool().get(b) == simdjson::SUCCESS && !b;
}

// Iterates the items of a list that the validator has already checked to be a list.
template <typename Fn>
absl::Status ForEachItem(const element* list, Fn fn) {
  if (list == nullptr) return absl::OkStatus();
  simdjson::dom::array array = list->get_array().value_unsafe();
  size_t i = 0;
  for (element item : array) KZ_RETURN_IF_ERROR(fn(i++, item));
  return absl::OkStatus();
}

const ObjectSpec* FindStruct(std::string_view name) {
  for (const ObjectSpec& s : kStructs) {
    if (s.name == name) return &s;
  }
  return nullptr;
}

bool AllDigits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

bool IsCapecId(std::string_view id) {
  return id.substr(0, 6) == "CAPEC-" && AllDigits(id.substr(6));
}

bool IsCveId(std::string_view id) {
  return id.size() >= 13 && id.substr(0, 4) == "CVE-" && AllDigits(id.substr(4, 4)) &&
         id[8] == '-' && AllDigits(id.substr(9));
}

// external_references whose source_name is `source` must carry a valid external_id
// (attack-pattern §4.1: capec; vulnerability §4.19: cve).
absl::Status ExternalIds(const ObjectSpec& spec, const Captured& captured, Validator& v,
                         std::string_view source, bool (*valid)(std::string_view),
                         std::string_view expected) {
  return ForEachItem(
      captured.Get(spec, "external_references"), [&](size_t i, element item) -> absl::Status {
        simdjson::dom::object ref = item.get_object().value_unsafe();
        std::string_view name, id;
        if (ref["source_name"].get_string().get(name) != simdjson::SUCCESS || name != source) {
          return absl::OkStatus();
        }
        bool has_id = ref["external_id"].get_string().get(id) == simdjson::SUCCESS;
        if (has_id && valid(id)) return absl::OkStatus();
        v.path().PushKey("external_references");
        v.path().PushIndex(i);
        return v.Error("external_id", StrCat(has_id ? StrCat("\"", Printable(id), "\" is not ")
                                                    : std::string("missing; expected "),
                                             expected, " when source_name is \"", source,
                                             "\" (STIX 2.1 §", spec.section, ")"));
      });
}

absl::Status LocationRule(const ObjectSpec& spec, const Captured& c, Validator& v) {
  const element* latitude = c.Get(spec, "latitude");
  const element* longitude = c.Get(spec, "longitude");
  if (latitude != nullptr && longitude == nullptr) {
    return v.Error("longitude", "required when latitude is present (STIX 2.1 §4.10)");
  }
  if (longitude != nullptr && latitude == nullptr) {
    return v.Error("latitude", "required when longitude is present (STIX 2.1 §4.10)");
  }
  if (c.Get(spec, "precision") != nullptr && latitude == nullptr) {
    return v.Error("latitude",
                   "required, with longitude, when precision is present (STIX 2.1 "
                   "§4.10)");
  }
  if (latitude == nullptr && c.Get(spec, "region") == nullptr &&
      c.Get(spec, "country") == nullptr) {
    return v.Error("region|country|latitude",
                   "none is present; expected region, country, or latitude and longitude (STIX "
                   "2.1 §4.10)");
  }
  return absl::OkStatus();
}

absl::Status MalwareRule(const ObjectSpec& spec, const Captured& c, Validator& v) {
  if (!v.is_v20() && IsTrue(c.Get(spec, "is_family")) && c.Get(spec, "name") == nullptr) {
    return v.Error("name", "required when is_family is true (STIX 2.1 §4.11)");
  }
  return absl::OkStatus();
}

absl::Status MarkingSelfReferences(const ObjectSpec& spec, const Captured& c, Validator& v) {
  std::string_view self = v.index().id;
  KZ_RETURN_IF_ERROR(
      ForEachItem(c.Get(spec, "object_marking_refs"), [&](size_t i, element ref) -> absl::Status {
        if (Str(&ref) != self) return absl::OkStatus();
        v.path().PushKey("object_marking_refs");
        v.path().PushIndex(i);
        return v.Error("",
                       "a marking definition must not mark itself "
                       "(STIX 2.1 §3.2)");
      }));
  return ForEachItem(c.Get(spec, "granular_markings"), [&](size_t i, element item) -> absl::Status {
    std::string_view ref;
    if (item.get_object().value_unsafe()["marking_ref"].get_string().get(ref) !=
            simdjson::SUCCESS ||
        ref != self) {
      return absl::OkStatus();
    }
    v.path().PushKey("granular_markings");
    v.path().PushIndex(i);
    return v.Error("marking_ref", "a marking definition must not mark itself (STIX 2.1 §3.2)");
  });
}

// A TLP 2.0 identifier must carry the TLP 2.0 extension with its own level, and nothing that
// would give it another meaning (the identifiers are constants).
absl::Status Tlp2MarkingRule(const ObjectSpec& spec, const Captured& c, Validator& v,
                             const stix::PredefinedTlpMarking& tlp) {
  std::string expected = StrCat("this identifier is the predefined TLP 2.0 ", tlp.level,
                                " marking definition; expected extension ",
                                stix::kTlp2ExtensionId, " with tlp_2_0 \"", tlp.level,
                                "\" and nothing else (TLP 2.0 identifiers are constants)");
  if (c.Get(spec, "definition_type") != nullptr) return v.Error("definition_type", expected);
  const element* extensions = c.Get(spec, "extensions");
  simdjson::dom::object all;
  if (extensions == nullptr || extensions->get_object().get(all) != simdjson::SUCCESS ||
      all.size() != 1) {
    return v.Error("extensions", expected);
  }
  element tlp2;
  if (all[stix::kTlp2ExtensionId].get(tlp2) != simdjson::SUCCESS) return v.Error("extensions", expected);
  std::string_view level;
  if (tlp2["tlp_2_0"].get_string().get(level) != simdjson::SUCCESS || level != tlp.level) {
    return v.Error(StrCat("extensions.", stix::kTlp2ExtensionId, ".tlp_2_0"), expected);
  }
  return absl::OkStatus();
}

absl::Status MarkingDefinitionRule(const ObjectSpec& spec, const Captured& c, Validator& v) {
  KZ_RETURN_IF_ERROR(MarkingSelfReferences(spec, c, v));
  const element* type = c.Get(spec, "definition_type");
  const element* definition = c.Get(spec, "definition");
  const stix::PredefinedTlpMarking* predefined = stix::FindPredefinedTlp(v.index().id);
  if (predefined != nullptr && predefined->tlp_version == 2) {
    return Tlp2MarkingRule(spec, c, v, *predefined);
  }
  if (predefined != nullptr && Str(type) != "tlp") {
    return v.Error("definition_type",
                   StrCat("this identifier is the predefined TLP:", predefined->level,
                          " marking definition; expected definition_type \"tlp\" with tlp \"",
                          predefined->level, "\" (STIX 2.1 §7.2.1.4)"));
  }
  if (type == nullptr) {
    if (definition != nullptr) {
      return v.Error("definition_type", "required when definition is present (STIX 2.1 §7.2.1)");
    }
    if (c.Get(spec, "extensions") == nullptr) {
      return v.Error("definition_type",
                     "required property is missing; a marking definition needs definition_type "
                     "and definition, or extensions (STIX 2.1 §7.2.1)");
    }
    return absl::OkStatus();
  }
  if (definition == nullptr) {
    return v.Error("definition", "required when definition_type is present (STIX 2.1 §7.2.1)");
  }
  std::string_view kind = Str(type);
  if (kind == "statement")
    return v.CheckAs(*definition, *FindStruct("statement-marking"), "definition");
  if (kind != "tlp") {
    if (definition->is_object()) return absl::OkStatus();
    return v.Error("definition",
                   StrCat("expected an object (the marking), got ", DescribeJsonType(*definition)));
  }
  KZ_RETURN_IF_ERROR(v.CheckAs(*definition, *FindStruct("tlp-marking"), "definition"));
  std::string_view level;
  if (definition->get_object().value_unsafe()["tlp"].get_string().get(level) != simdjson::SUCCESS) {
    return absl::OkStatus();  // CheckAs reported any problem with tlp
  }
  for (const stix::PredefinedTlpMarking& m : stix::PredefinedTlpMarkings()) {
    if (m.tlp_version != 1 || m.level != level) continue;
    if (m.id == v.index().id) return absl::OkStatus();
    return v.Error("definition.tlp",
                   StrCat("TLP:", level, " must be the predefined ", m.id,
                          "; other TLP marking definitions must not be created (STIX 2.1 "
                          "§7.2.1.4)"));
  }
  return v.Error("definition.tlp", StrCat("\"", Printable(level),
                                          "\" is not a TLP 1.0 level; "
                                          "expected white, green, amber or red (STIX 2.1 "
                                          "§7.2.1.4)"));
}

absl::Status ObservedDataRule(const ObjectSpec& spec, const Captured& c, Validator& v) {
  const element* refs = c.Get(spec, "object_refs");
  if (refs == nullptr) return absl::OkStatus();
  bool has_sco = false;
  KZ_RETURN_IF_ERROR(ForEachItem(refs, [&](size_t, element ref) -> absl::Status {
    std::string_view id = Str(&ref);
    stix::ObjectKind kind = stix::KindOfType(id.substr(0, id.find("--")));
    has_sco = has_sco || kind == stix::ObjectKind::kSco || kind == stix::ObjectKind::kCustom;
    return absl::OkStatus();
  }));
  if (has_sco) return absl::OkStatus();
  return v.Error("object_refs",
                 "no cyber-observable object is referenced; expected at least one "
                 "SCO identifier (STIX 2.1 §4.14)");
}

absl::Status NetworkTrafficRule(const ObjectSpec& spec, const Captured& c, Validator& v) {
  if (IsTrue(c.Get(spec, "is_active")) && c.Get(spec, "end") != nullptr) {
    return v.Error("end", "must not be present when is_active is true (STIX 2.1 §6.12)");
  }
  return absl::OkStatus();
}

absl::Status EmailMessageRule(const ObjectSpec& spec, const Captured& c, Validator& v) {
  const element* multipart = c.Get(spec, "is_multipart");
  if (IsTrue(multipart) && c.Get(spec, "body") != nullptr) {
    return v.Error("body",
                   "must not be present when is_multipart is true; expected "
                   "body_multipart (STIX 2.1 §6.6)");
  }
  if (IsFalse(multipart) && c.Get(spec, "body_multipart") != nullptr) {
    return v.Error("body_multipart",
                   "must not be present when is_multipart is false; expected "
                   "body (STIX 2.1 §6.6)");
  }
  return absl::OkStatus();
}

// ipv4-addr, ipv6-addr, mac-addr: `value` syntax, unless the object says it is defanged.
absl::Status AddressRule(const ObjectSpec& spec, const Captured& c, Validator& v,
                         bool (*valid)(std::string_view), std::string_view expected) {
  if (IsTrue(c.Get(spec, "defanged"))) return absl::OkStatus();
  std::string_view value = Str(c.Get(spec, "value"));
  if (value.empty() && c.Get(spec, "value") == nullptr) return absl::OkStatus();
  if (valid(value)) return absl::OkStatus();
  return v.Error("value", StrCat("\"", Printable(value), "\" is not ", expected, " (STIX 2.1 §",
                                 spec.section, ")"));
}

absl::Status ExtensionDefinitionRule(const ObjectSpec& spec, const Captured& c, Validator& v) {
  if (c.Get(spec, "extension_properties") == nullptr) return absl::OkStatus();
  bool toplevel = false;
  KZ_RETURN_IF_ERROR(ForEachItem(c.Get(spec, "extension_types"), [&](size_t, element t) {
    toplevel = toplevel || Str(&t) == "toplevel-property-extension";
    return absl::OkStatus();
  }));
  if (toplevel) return absl::OkStatus();
  return v.Error("extension_properties",
                 "only allowed when extension_types includes "
                 "toplevel-property-extension (STIX 2.1 §7.3)");
}

absl::Status RelationshipRule(const ObjectSpec& spec, const Captured& c, Validator& v) {
  std::string_view type = Str(c.Get(spec, "relationship_type"));
  if (c.Get(spec, "relationship_type") == nullptr || IsRelationshipType(type)) {
    return absl::OkStatus();
  }
  return v.Error("relationship_type", StrCat("\"", Printable(type),
                                             "\" is not a relationship type name; expected "
                                             "3-250 characters of a-z, 0-9 and '-' (STIX 2.1 "
                                             "§5.1)"));
}

// Member and list-item visits allowed for checking all the selectors of one granular marking.
// Each step of a selector scans one object or list, so a hostile object could otherwise ask for
// (selectors x members) work; no real marking comes near this.
constexpr size_t kMaxSelectorWork = 1'000'000;

enum class Selected { kPresent, kAbsent, kTooCostly };

// Resolves `selector` (STIX 2.1 §7.2.3) against `root`, spending at most `budget` visits.
Selected Select(simdjson::dom::object root, std::string_view selector, size_t& budget) {
  element current;
  bool at_root = true;
  size_t start = 0;
  while (true) {
    size_t dot = selector.find('.', start);
    std::string_view step =
        selector.substr(start, dot == std::string_view::npos ? dot : dot - start);
    if (step.empty()) return Selected::kAbsent;
    bool found = false;
    if (step.front() == '[') {
      constexpr size_t kMaxIndexDigits = 9;
      std::string_view digits = step.substr(1, step.size() - 2);
      simdjson::dom::array list;
      if (at_root || step.back() != ']' || !AllDigits(digits) || digits.size() > kMaxIndexDigits ||
          current.get_array().get(list) != simdjson::SUCCESS) {
        return Selected::kAbsent;
      }
      size_t index = 0;
      for (char ch : digits) index = index * 10 + static_cast<size_t>(ch - '0');
      for (element item : list) {
        if (budget == 0) return Selected::kTooCostly;
        --budget;
        if (index-- == 0) {
          current = item;
          found = true;
          break;
        }
      }
    } else {
      simdjson::dom::object object = root;
      if (!at_root && current.get_object().get(object) != simdjson::SUCCESS) {
        return Selected::kAbsent;
      }
      for (simdjson::dom::key_value_pair field : object) {
        if (budget == 0) return Selected::kTooCostly;
        --budget;
        if (field.key == step) {
          current = field.value;
          found = true;
          break;
        }
      }
      at_root = false;
    }
    if (!found) return Selected::kAbsent;
    if (dot == std::string_view::npos) return Selected::kPresent;
    start = dot + 1;
  }
}

absl::Status GranularMarkingRule(const ObjectSpec& spec, const Captured& c, Validator& v) {
  size_t budget = kMaxSelectorWork;
  return ForEachItem(c.Get(spec, "selectors"), [&](size_t i, element item) -> absl::Status {
    std::string_view selector = Str(&item);
    Selected selected = Select(v.root(), selector, budget);
    if (selected == Selected::kPresent) return absl::OkStatus();
    v.path().PushKey("selectors");
    v.path().PushIndex(i);
    if (selected == Selected::kTooCostly) {
      return v.Error("", StrCat("resolving these selectors takes more than ", kMaxSelectorWork,
                                " member visits; expected fewer selectors (a limit against "
                                "hostile input)"));
    }
    return v.Error("", StrCat("\"", Printable(selector),
                              "\" selects nothing in this object; expected property names and "
                              "[index] steps joined by '.' that reach content present in the "
                              "object (STIX 2.1 §7.2.3)"));
  });
}

}  // namespace

absl::Status ApplyRule(Rule rule, const ObjectSpec& spec, const Captured& captured,
                       Validator& validator) {
  switch (rule) {
    case Rule::kNone:
      return absl::OkStatus();
    case Rule::kCapecIds:
      return ExternalIds(spec, captured, validator, "capec", IsCapecId, "CAPEC-<number>");
    case Rule::kCveIds:
      return ExternalIds(spec, captured, validator, "cve", IsCveId,
                         "a CVE identifier, CVE-<year>-<number>");
    case Rule::kEmailMessage:
      return EmailMessageRule(spec, captured, validator);
    case Rule::kExtensionDefinition:
      return ExtensionDefinitionRule(spec, captured, validator);
    case Rule::kGranularMarking:
      return GranularMarkingRule(spec, captured, validator);
    case Rule::kIpv4Value:
      return AddressRule(spec, captured, validator, IsIpv4Cidr,
                         "an IPv4 address or CIDR block such as 198.51.100.0/24");
    case Rule::kIpv6Value:
      return AddressRule(spec, captured, validator, IsIpv6Cidr,
                         "an IPv6 address or CIDR block such as 2001:db8::/32");
    case Rule::kLocation:
      return LocationRule(spec, captured, validator);
    case Rule::kMacValue:
      return AddressRule(spec, captured, validator, IsMacAddress,
                         "a lower-case colon-delimited MAC-48 address such as 00:00:ab:cd:ef:01");
    case Rule::kMalware:
      return MalwareRule(spec, captured, validator);
    case Rule::kMarkingDefinition:
      return MarkingDefinitionRule(spec, captured, validator);
    case Rule::kNetworkTraffic:
      return NetworkTrafficRule(spec, captured, validator);
    case Rule::kObservedData:
      return ObservedDataRule(spec, captured, validator);
    case Rule::kRelationship:
      return RelationshipRule(spec, captured, validator);
  }
  return absl::OkStatus();
}

}  // namespace kizuna::stix_internal
