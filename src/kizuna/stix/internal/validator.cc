// Kizuna.
#include "kizuna/stix/internal/validator.h"

#include <bit>
#include <cmath>

#include "kizuna/base/limits.h"
#include "kizuna/base/status.h"
#include "kizuna/base/strings.h"
#include "kizuna/stix/id.h"
#include "kizuna/stix/internal/type_rules.h"
#include "kizuna/stix/internal/value_checks.h"

namespace kizuna::stix_internal {
namespace {

using simdjson::dom::element_type;

// Integers must fit in 54 bits, i.e. within ±(2^53 - 1) (STIX 2.1 §2.10).
constexpr double kMaxSafeInteger = 9007199254740991.0;

// Reserved names that must not appear on any object (STIX 2.1 §3.8; STIX 2.0 Part 1 §3.7).
constexpr std::array<std::string_view, 4> kReserved21 = {"severity", "username", "phone_number",
                                                         "action"};
constexpr std::array<std::string_view, 10> kReserved20 = {"confidence",
                                                          "severity",
                                                          "action",
                                                          "usernames",
                                                          "phone_numbers",
                                                          "addresses",
                                                          "first_seen_precision",
                                                          "last_seen_precision",
                                                          "valid_from_precision",
                                                          "valid_until_precision"};

template <size_t N>
bool Contains(const std::array<std::string_view, N>& list, std::string_view name) {
  for (std::string_view x : list) {
    if (x == name) return true;
  }
  return false;
}

std::string RangeText(const PropertySpec& prop, std::string_view noun) {
  bool has_min = prop.flags & kHasMin, has_max = prop.flags & kHasMax;
  if (has_min && has_max) return StrCat(noun, " from ", prop.min, " to ", prop.max);
  if (has_min) return StrCat(noun, " of at least ", prop.min);
  if (has_max) return StrCat(noun, " of at most ", prop.max);
  return std::string(noun);
}

bool InRange(const PropertySpec& prop, double v) {
  return !((prop.flags & kHasMin) && v < prop.min) && !((prop.flags & kHasMax) && v > prop.max);
}

// "a|b|c" for the properties of `mask`, used as the path of object-level constraints.
std::string MaskNames(const ObjectSpec& spec, uint64_t mask, std::string_view separator) {
  std::string out;
  for (size_t i = 0; i < spec.properties.size(); ++i) {
    if (mask & (uint64_t{1} << i)) {
      if (!out.empty()) out += separator;
      out += spec.properties[i].name;
    }
  }
  return out;
}

std::string_view StringOrEmpty(const simdjson::dom::element& value) {
  std::string_view s;
  return value.get_string().get(s) == simdjson::SUCCESS ? s : std::string_view();
}

}  // namespace

std::string_view DescribeJsonType(simdjson::dom::element value) {
  switch (value.type()) {
    case element_type::ARRAY:
      return "a list";
    case element_type::OBJECT:
      return "an object";
    case element_type::INT64:
    case element_type::UINT64:
      return "an integer";
    case element_type::DOUBLE:
      return "a number with a fraction or exponent";
    case element_type::STRING:
      return "a string";
    case element_type::BOOL:
      return "a boolean";
    case element_type::NULL_VALUE:
      return "null";
  }
  return "an unknown value";
}

const simdjson::dom::element* Captured::Get(const ObjectSpec& spec, std::string_view name) const {
  for (size_t slot = 0; slot < spec.captured.size(); ++slot) {
    if (spec.properties[spec.captured[slot]].name == name) {
      return (present & (1u << slot)) ? &values[slot] : nullptr;
    }
  }
  return nullptr;
}

absl::Status Validator::Error(std::string_view property, std::string_view what) {
  std::string where;
  if (path_.empty()) {
    where = property.empty() ? path_.ToString() : std::string(property);
  } else {
    where = path_.ToString();
    if (!property.empty()) StrAppend(where, ".", property);
  }
  return absl::InvalidArgumentError(StrCat(index_.id, ": ", where, ": ", what));
}

absl::Status Validator::CheckAs(simdjson::dom::element value, const ObjectSpec& spec,
                                std::string_view property) {
  path_.PushKey(property);
  simdjson::dom::object object;
  if (value.get_object().get(object) != simdjson::SUCCESS) {
    return Error("", StrCat("expected an object (", spec.name, "), got ", DescribeJsonType(value)));
  }
  KZ_RETURN_IF_ERROR(CheckObject(object, spec, 2, false));
  path_.Pop();
  return absl::OkStatus();
}

absl::Status Validator::Run() {
  spec_ = FindType(index_.type);
  if (spec_ == nullptr) spec_ = &kCustomType;
  KZ_RETURN_IF_ERROR(CheckVersion(*spec_));
  return CheckObject(root_, *spec_, 1, true);
}

absl::Status Validator::CheckVersion(const ObjectSpec& spec) {
  if (!spec.since21 || !is_v20()) return absl::OkStatus();
  simdjson::dom::element version;
  if (root_["spec_version"].get(version) == simdjson::SUCCESS) {
    return Error("spec_version", StrCat("STIX 2.0 has no top-level ", spec.name,
                                        " objects; expected \"2.1\" (STIX 2.1 §3.2)"));
  }
  return Error("spec_version",
               StrCat("required property is missing; without spec_version an object is read as "
                      "STIX 2.0, which has no ",
                      spec.name, " objects (STIX 2.1 §3.2)"));
}

absl::Status Validator::CheckObject(simdjson::dom::object object, const ObjectSpec& spec, int depth,
                                    bool top_level) {
  KZ_RETURN_IF_ERROR(CheckDepth(depth));
  Captured captured;
  std::array<std::string_view, 32> custom;
  size_t custom_count = 0;
  for (simdjson::dom::key_value_pair field : object) {
    KZ_RETURN_IF_ERROR(CheckMember(field.key, field.value, spec, captured, depth, top_level, custom,
                                   custom_count));
  }
  if (custom_count > custom.size()) KZ_RETURN_IF_ERROR(CheckNoDuplicateKeys(object));
  return CheckAfterPass(spec, captured);
}

absl::Status Validator::CheckMember(std::string_view key, simdjson::dom::element value,
                                    const ObjectSpec& spec, Captured& captured, int depth,
                                    bool top_level, std::array<std::string_view, 32>& custom,
                                    size_t& custom_count) {
  int i = FindProperty(spec, key);
  const PropertySpec* prop = i >= 0 ? &spec.properties[i] : nullptr;
  // A property of the other STIX version is, in this one, just a custom property name. But a
  // STIX 2.1 property on an object without spec_version (so read as 2.0) means the producer
  // forgot spec_version: say that rather than report 2.0 rules the producer never meant.
  if (prop != nullptr && (prop->flags & (is_v20() ? kOnly21 : kOnly20))) {
    simdjson::dom::element version;
    if (top_level && is_v20() && root_["spec_version"].get(version) != simdjson::SUCCESS) {
      return Error("spec_version",
                   StrCat("required property is missing; ", Printable(key),
                          " is a STIX 2.1 property, and an object without spec_version is read "
                          "as STIX 2.0 (STIX 2.1 §3.2)"));
    }
    prop = nullptr;
  }
  path_.PushKey(key);
  if (prop == nullptr) {
    if (custom_count < custom.size()) {
      for (size_t j = 0; j < custom_count; ++j) {
        if (custom[j] == key) {
          return Error("",
                       "duplicate member name; a name may appear only once in an object "
                       "(I-JSON, RFC 7493 §2.3)");
        }
      }
      custom[custom_count++] = key;
    } else {
      custom_count = custom.size() + 1;  // too many to compare here: checked after the pass
    }
    KZ_RETURN_IF_ERROR(CheckCustomMember(key, value, depth + 1, top_level));
  } else {
    uint64_t bit = uint64_t{1} << i;
    if (captured.seen & bit) {
      return Error("",
                   "duplicate member name; a name may appear only once in an object "
                   "(I-JSON, RFC 7493 §2.3)");
    }
    captured.seen |= bit;
    if (prop->flags & kForbidden) {
      return Error("", StrCat("not allowed on ", spec.name,
                              " objects (a common property STIX "
                              "2.1 §",
                              spec.section, " lists as not applicable)"));
    }
    KZ_RETURN_IF_ERROR(CheckProperty(value, *prop, captured, depth + 1));
  }
  path_.Pop();
  return absl::OkStatus();
}

absl::Status Validator::CheckCustomMember(std::string_view key, simdjson::dom::element value,
                                          int depth, bool top_level) {
  if (!IsPropertyName(key)) {
    return Error("",
                 "invalid property name; expected 3-250 characters of a-z, 0-9 and '_', "
                 "starting with a letter (STIX 2.1 §3.1, §11.1)");
  }
  if (top_level && (is_v20() ? Contains(kReserved20, key) : Contains(kReserved21, key))) {
    return Error("", is_v20() ? "reserved property name; it must not appear in STIX 2.0 content "
                                "(STIX 2.0 Part 1, reserved property names)"
                              : "reserved property name; it must not appear in STIX 2.1 content "
                                "(STIX 2.1 §3.8)");
  }
  KZ_RETURN_IF_ERROR(CheckCustomSuffix(key, value));
  if (top_level) {
    if (value.is_null()) return Error("", "null is not a STIX value; omit the property instead");
    simdjson::dom::array list;
    if (value.get_array().get(list) == simdjson::SUCCESS && list.begin() == list.end()) {
      return Error("",
                   "empty list; a list must have at least one item (STIX 2.1 §2.12), so "
                   "omit the property instead");
    }
  }
  return CheckCustomValue(value, depth);
}

absl::Status Validator::CheckCustomSuffix(std::string_view key, simdjson::dom::element value) {
  // Custom properties holding binary or hex data are named so (STIX 2.1 §3.1, §11.1), which is
  // what lets patterns compare them as bytes (§9.6.3); hold them to those formats.
  auto ends_with = [key](std::string_view suffix) {
    return key.size() > suffix.size() && key.substr(key.size() - suffix.size()) == suffix;
  };
  std::string_view text;
  if (ends_with("_bin")) {
    if (value.get_string().get(text) == simdjson::SUCCESS && IsBase64(text)) {
      return absl::OkStatus();
    }
    return Error("",
                 "a property named *_bin holds binary data; expected RFC 4648 base64 text "
                 "with '=' padding (STIX 2.1 §2.1, §3.1)");
  }
  if (ends_with("_hex")) {
    if (value.get_string().get(text) == simdjson::SUCCESS && IsLowerHex(text)) {
      return absl::OkStatus();
    }
    return Error("",
                 "a property named *_hex holds hex data; expected an even number of "
                 "lower-case hexadecimal digits (STIX 2.1 §2.8, §3.1)");
  }
  return absl::OkStatus();
}

absl::Status Validator::CheckAfterPass(const ObjectSpec& spec, const Captured& captured) {
  uint16_t required_flag = is_v20() ? kRequired20 : kRequired21;
  for (uint8_t i : spec.required) {
    const PropertySpec& prop = spec.properties[i];
    if ((prop.flags & required_flag) && !(captured.seen & (uint64_t{1} << i))) {
      return Error(prop.name, "required property is missing");
    }
  }
  for (const Constraint& c : spec.constraints) {
    switch (c.op) {
      case ConstraintOp::kOrderGe:
      case ConstraintOp::kOrderGt: {
        if (!(captured.present & (1u << c.a)) || !(captured.present & (1u << c.b))) break;
        bool strict = c.op == ConstraintOp::kOrderGt;
        const stix::Timestamp &later = captured.times[c.a], &earlier = captured.times[c.b];
        if (strict ? later > earlier : later >= earlier) break;
        std::string_view a = spec.properties[spec.captured[c.a]].name;
        std::string_view b = spec.properties[spec.captured[c.b]].name;
        return Error(a, StrCat(Printable(StringOrEmpty(captured.values[c.a])), " is ",
                               strict ? "not later than " : "earlier than ", b, " (",
                               Printable(StringOrEmpty(captured.values[c.b])), "); expected ", a,
                               strict ? " > " : " >= ", b));
      }
      case ConstraintOp::kOneOf:
      case ConstraintOp::kAnyOf: {
        int n = std::popcount(captured.seen & c.mask);
        bool one = c.op == ConstraintOp::kOneOf;
        if (one ? n == 1 : n >= 1) break;
        std::string names = MaskNames(spec, c.mask, ", ");
        return Error(
            MaskNames(spec, c.mask, "|"),
            n == 0 ? StrCat("none is present; expected ", one ? "exactly one" : "at least one",
                            " of ", names, " (STIX 2.1 §", spec.section, ")")
                   : StrCat(n, " are present; expected exactly one of ", names, " (STIX 2.1 §",
                            spec.section, ")"));
      }
      case ConstraintOp::kRequires:
        if ((captured.seen >> c.a & 1) && !(captured.seen >> c.b & 1)) {
          return Error(spec.properties[c.b].name,
                       StrCat("required when ", spec.properties[c.a].name,
                              " is present (STIX 2.1 §", spec.section, ")"));
        }
        break;
    }
  }
  if (spec.nonempty_mask != 0 && !(captured.seen & spec.nonempty_mask)) {
    return Error(
        "", StrCat("no ", spec.name, " property is present; expected at least one of ",
                   MaskNames(spec, spec.nonempty_mask, ", "), " (STIX 2.1 §", spec.section, ")"));
  }
  if (spec.rule != Rule::kNone) return ApplyRule(spec.rule, spec, captured, *this);
  return absl::OkStatus();
}

absl::Status Validator::CheckProperty(simdjson::dom::element value, const PropertySpec& prop,
                                      Captured& captured, int depth) {
  stix::Timestamp* timestamp = nullptr;
  if (prop.slot != kNoSlot) {
    captured.values[prop.slot] = value;
    captured.present |= static_cast<uint8_t>(1u << prop.slot);
    timestamp = &captured.times[prop.slot];
  }
  if (!(prop.flags & kList)) return CheckValue(value, prop, depth, timestamp);
  simdjson::dom::array list;
  if (value.get_array().get(list) != simdjson::SUCCESS) {
    return Error("", StrCat("expected a list, got ", DescribeJsonType(value)));
  }
  if (list.begin() == list.end()) {
    return Error("",
                 "empty list; a list must have at least one item (STIX 2.1 §2.12), so omit "
                 "the property instead");
  }
  KZ_RETURN_IF_ERROR(CheckDepth(depth));
  size_t i = 0;
  for (simdjson::dom::element item : list) {
    path_.PushIndex(i++);
    KZ_RETURN_IF_ERROR(CheckValue(item, prop, depth + 1, nullptr));
    path_.Pop();
  }
  return absl::OkStatus();
}

absl::Status Validator::CheckValue(simdjson::dom::element value, const PropertySpec& prop,
                                   int depth, stix::Timestamp* timestamp) {
  if (prop.kind == ValueKind::kSkip) return absl::OkStatus();
  if (value.is_null()) return Error("", "null is not a STIX value; omit the property instead");
  std::string_view text;
  switch (prop.kind) {
    case ValueKind::kSkip:
      return absl::OkStatus();
    case ValueKind::kString:
    case ValueKind::kOpenVocab:
      return CheckString(value, "a string", text);
    case ValueKind::kBoolean:
      if (value.is_bool()) return absl::OkStatus();
      return Error("", StrCat("expected a boolean (true or false), got ", DescribeJsonType(value)));
    case ValueKind::kInteger:
    case ValueKind::kFloat:
      return CheckNumber(value, prop);
    case ValueKind::kTimestamp:
      return CheckTimestamp(value, prop, timestamp);
    case ValueKind::kBinary:
      KZ_RETURN_IF_ERROR(CheckString(value, "a base64 string", text));
      if (IsBase64(text)) return absl::OkStatus();
      return Error("", StrCat("\"", Printable(text),
                              "\" is not base64; expected RFC 4648 base64 "
                              "text with '=' padding (STIX 2.1 §2.1)"));
    case ValueKind::kHex:
      KZ_RETURN_IF_ERROR(CheckString(value, "a hex string", text));
      if (IsLowerHex(text)) return absl::OkStatus();
      return Error("", StrCat("\"", Printable(text),
                              "\" is not hex; expected an even number of "
                              "lower-case hexadecimal digits (STIX 2.1 §2.8)"));
    case ValueKind::kHashes:
      return CheckHashes(value);
    case ValueKind::kLangTag:
      KZ_RETURN_IF_ERROR(CheckString(value, "a language tag string", text));
      if (IsLanguageTag(text)) return absl::OkStatus();
      return Error("", StrCat("\"", Printable(text),
                              "\" is not a language tag; expected an RFC "
                              "5646 tag such as \"en\" or \"pt-BR\""));
    case ValueKind::kIdentifier:
      return CheckIdentifier(value, prop);
    case ValueKind::kEnum:
      return CheckVocabulary(value, prop);
    case ValueKind::kStruct: {
      const ObjectSpec& spec = kStructs[prop.arg];
      simdjson::dom::object object;
      if (value.get_object().get(object) != simdjson::SUCCESS) {
        return Error("",
                     StrCat("expected an object (", spec.name, "), got ", DescribeJsonType(value)));
      }
      return CheckObject(object, spec, depth, false);
    }
    case ValueKind::kDictionary:
      return CheckDictionary(value, prop.dict_value, depth);
    case ValueKind::kExtensions:
      return CheckExtensions(value, depth);
    case ValueKind::kContainer:
      return CheckContainer(value, depth);
    case ValueKind::kLanguageContents:
      return CheckContents(value, depth);
    case ValueKind::kAny:
      return CheckCustomValue(value, depth);
    case ValueKind::kReserved:
      return Error("",
                   "reserved for future use by the standard; it must not be present "
                   "(STIX 2.1 §3.8)");
  }
  return absl::OkStatus();
}

absl::Status Validator::CheckString(simdjson::dom::element value, std::string_view expected,
                                    std::string_view& out) {
  if (value.get_string().get(out) != simdjson::SUCCESS) {
    return Error("", StrCat("expected ", expected, ", got ", DescribeJsonType(value)));
  }
  if (out.size() > limits::kMaxStringBytes) {
    return Error("", StrCat("string of ", out.size(), " bytes; expected at most ",
                            limits::kMaxStringBytes, " bytes (limits::kMaxStringBytes)"));
  }
  return absl::OkStatus();
}

absl::Status Validator::CheckNumber(simdjson::dom::element value, const PropertySpec& prop) {
  bool integer = prop.kind == ValueKind::kInteger;
  double v = 0;
  std::string shown;  // the value as written, for messages
  switch (value.type()) {
    case element_type::INT64:
      v = static_cast<double>(value.get_int64().value_unsafe());
      shown = StrCat(value.get_int64().value_unsafe());
      break;
    case element_type::UINT64:
      v = static_cast<double>(value.get_uint64().value_unsafe());
      shown = StrCat(value.get_uint64().value_unsafe());
      break;
    case element_type::DOUBLE:
      if (!integer) {
        v = value.get_double().value_unsafe();
        shown = StrCat(v);
        break;
      }
      [[fallthrough]];
    default:
      return Error("", StrCat("expected ", RangeText(prop, integer ? "an integer" : "a number"),
                              ", got ", DescribeJsonType(value)));
  }
  if (integer && std::fabs(v) > kMaxSafeInteger) {
    return Error("", StrCat(shown,
                            " is outside the integer range; expected an integer that fits in "
                            "54 bits, -(2^53-1) to 2^53-1 (STIX 2.1 §2.10)"));
  }
  if (InRange(prop, v)) return absl::OkStatus();
  return Error("", StrCat(shown, " is out of range; expected ",
                          RangeText(prop, integer ? "an integer" : "a number")));
}

absl::Status Validator::CheckTimestamp(simdjson::dom::element value, const PropertySpec& prop,
                                       stix::Timestamp* timestamp) {
  std::string_view text;
  KZ_RETURN_IF_ERROR(CheckString(value, "a timestamp string", text));
  absl::StatusOr<stix::Timestamp> t = stix::ParseTimestamp(text);
  if (!t.ok()) return Error("", View(t.status().message()));
  if ((prop.flags & kMillis) && t->fraction_digits < 3) {
    return Error("", StrCat("\"", Printable(text), "\" has ",
                            t->fraction_digits == 0 ? std::string("second")
                                                    : StrCat(t->fraction_digits, "-digit"),
                            " precision; expected at least millisecond precision (3 fraction "
                            "digits, STIX 2.1 §3.2)"));
  }
  if (timestamp != nullptr) *timestamp = *t;
  return absl::OkStatus();
}

absl::Status Validator::CheckIdentifier(simdjson::dom::element value, const PropertySpec& prop) {
  std::string_view text;
  KZ_RETURN_IF_ERROR(CheckString(value, "an identifier string", text));
  std::string_view type = IdentifierType(text);
  if (type.empty()) {
    absl::StatusOr<stix::StixId> id = stix::ParseId(text);
    std::string_view why = id.ok() ? "not an identifier" : View(id.status().message());
    return Error("", StrCat(why, " (STIX 2.1 §2.9)"));
  }
  const TargetClass& target = kClasses[prop.arg];
  if (ClassAccepts(target, type)) return absl::OkStatus();
  return Error("", StrCat("\"", Printable(text), "\" refers to an object of type ", type,
                          "; expected the identifier of ",
                          (target.groups & kGroupAny) ? "any object" : target.name));
}

absl::Status Validator::CheckVocabulary(simdjson::dom::element value, const PropertySpec& prop) {
  std::string_view text;
  KZ_RETURN_IF_ERROR(CheckString(value, "a string", text));
  const Vocabulary& vocabulary = kVocabularies[prop.arg];
  if (VocabularyContains(vocabulary, text)) return absl::OkStatus();
  std::string terms;
  for (std::string_view term : vocabulary.terms) StrAppend(terms, terms.empty() ? "" : ", ", term);
  return Error("", StrCat("\"", Printable(text), "\" is not in ", vocabulary.name,
                          "; expected one of ", terms));
}

}  // namespace kizuna::stix_internal
