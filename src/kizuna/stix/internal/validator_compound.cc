// Kizuna. Validator: dictionaries, hashes, extensions, observable containers, language
// contents and custom (free-form) values.
#include <algorithm>
#include <vector>

#include "kizuna/base/limits.h"
#include "kizuna/base/status.h"
#include "kizuna/base/strings.h"
#include "kizuna/stix/id.h"
#include "kizuna/stix/internal/validator.h"
#include "kizuna/stix/internal/value_checks.h"

namespace kizuna::stix_internal {
namespace {

using simdjson::dom::element_type;

constexpr std::string_view kDuplicateMember =
    "duplicate member name; a name may appear only once in an object (I-JSON, RFC 7493 §2.3)";
constexpr std::string_view kExtensionDefinitionPrefix = "extension-definition--";

// Keys compared pairwise; objects with more keys are sorted instead.
constexpr size_t kPairwiseKeys = 32;

bool IsEmpty(simdjson::dom::object object) { return object.begin() == object.end(); }

const Vocabulary* FindVocabulary(std::string_view name) {
  for (const Vocabulary& v : kVocabularies) {
    if (v.name == name) return &v;
  }
  return nullptr;
}

bool IsSafeInteger(simdjson::dom::element value) {
  constexpr int64_t kMax = 9007199254740991;  // 2^53 - 1 (STIX 2.1 §2.10)
  int64_t i;
  uint64_t u;
  if (value.get_int64().get(i) == simdjson::SUCCESS) return i >= -kMax && i <= kMax;
  return value.get_uint64().get(u) == simdjson::SUCCESS && u <= static_cast<uint64_t>(kMax);
}

}  // namespace

absl::Status Validator::CheckDepth(int depth) {
  if (depth <= static_cast<int>(limits::kMaxJsonDepth)) return absl::OkStatus();
  return Error("",
               StrCat("nested deeper than ", limits::kMaxJsonDepth,
                      " levels; expected at most limits::kMaxJsonDepth levels of JSON nesting"));
}

absl::Status Validator::CheckNoDuplicateKeys(simdjson::dom::object object) {
  std::array<std::string_view, kPairwiseKeys> keys;
  size_t n = 0;
  bool many = false;
  for (simdjson::dom::key_value_pair field : object) {
    if (n == keys.size()) {
      many = true;
      break;
    }
    for (size_t j = 0; j < n; ++j) {
      if (keys[j] == field.key) {
        path_.PushKey(field.key);
        return Error("", kDuplicateMember);
      }
    }
    keys[n++] = field.key;
  }
  if (!many) return absl::OkStatus();
  std::vector<std::string_view> all;
  for (simdjson::dom::key_value_pair field : object) all.push_back(field.key);
  std::sort(all.begin(), all.end());
  auto dup = std::adjacent_find(all.begin(), all.end());
  if (dup == all.end()) return absl::OkStatus();
  path_.PushKey(*dup);
  return Error("", kDuplicateMember);
}

absl::Status Validator::CheckCustomValue(simdjson::dom::element value, int depth) {
  switch (value.type()) {
    case element_type::OBJECT: {
      KZ_RETURN_IF_ERROR(CheckDepth(depth));
      simdjson::dom::object object = value.get_object().value_unsafe();
      KZ_RETURN_IF_ERROR(CheckNoDuplicateKeys(object));
      for (simdjson::dom::key_value_pair field : object) {
        path_.PushKey(field.key);
        KZ_RETURN_IF_ERROR(CheckCustomValue(field.value, depth + 1));
        path_.Pop();
      }
      return absl::OkStatus();
    }
    case element_type::ARRAY: {
      KZ_RETURN_IF_ERROR(CheckDepth(depth));
      simdjson::dom::array list = value.get_array().value_unsafe();
      size_t i = 0;
      for (simdjson::dom::element item : list) {
        path_.PushIndex(i++);
        KZ_RETURN_IF_ERROR(CheckCustomValue(item, depth + 1));
        path_.Pop();
      }
      return absl::OkStatus();
    }
    default:
      return absl::OkStatus();
  }
}

absl::Status Validator::CheckDictionary(simdjson::dom::element value, DictValue values, int depth) {
  simdjson::dom::object object;
  if (value.get_object().get(object) != simdjson::SUCCESS) {
    return Error("",
                 StrCat("expected a dictionary (a JSON object), got ", DescribeJsonType(value)));
  }
  if (IsEmpty(object)) {
    return Error("",
                 "empty dictionary; a dictionary must have at least one key (STIX 2.1 §2.3), "
                 "so omit the property instead");
  }
  KZ_RETURN_IF_ERROR(CheckDepth(depth));
  KZ_RETURN_IF_ERROR(CheckNoDuplicateKeys(object));
  for (simdjson::dom::key_value_pair field : object) {
    path_.PushKey(field.key);
    if (!IsDictionaryKey(field.key)) {
      return Error("",
                   "invalid dictionary key; expected 1-250 characters of a-z, A-Z, 0-9, '-' "
                   "and '_' (STIX 2.1 §2.3)");
    }
    simdjson::dom::element v = field.value;
    std::string_view expected;
    switch (values) {
      case DictValue::kAny:
        if (v.is_null()) return Error("", "null is not a STIX value");
        KZ_RETURN_IF_ERROR(CheckCustomValue(v, depth + 1));
        break;
      case DictValue::kString:
        if (!v.is_string()) expected = "a string";
        break;
      case DictValue::kInteger:
        if (!IsSafeInteger(v)) expected = "an integer";
        break;
      case DictValue::kIntegerOrString:
        if (!v.is_string() && !IsSafeInteger(v)) expected = "an integer or a string";
        break;
      case DictValue::kStringList: {
        simdjson::dom::array list;
        bool ok = v.get_array().get(list) == simdjson::SUCCESS && list.begin() != list.end();
        if (ok) {
          for (simdjson::dom::element item : list) ok = ok && item.is_string();
        }
        if (!ok) expected = "a non-empty list of strings";
        break;
      }
    }
    if (!expected.empty()) {
      return Error("", StrCat("expected ", expected, ", got ", DescribeJsonType(v)));
    }
    path_.Pop();
  }
  return absl::OkStatus();
}

absl::Status Validator::CheckHashes(simdjson::dom::element value) {
  simdjson::dom::object object;
  if (value.get_object().get(object) != simdjson::SUCCESS) {
    return Error("", StrCat("expected hashes (a JSON object of algorithm: value), got ",
                            DescribeJsonType(value)));
  }
  if (IsEmpty(object)) {
    return Error("",
                 "empty hashes; expected at least one hash (STIX 2.1 §2.7), or omit the "
                 "property");
  }
  KZ_RETURN_IF_ERROR(CheckNoDuplicateKeys(object));
  for (simdjson::dom::key_value_pair field : object) {
    path_.PushKey(field.key);
    if (!IsHashKey(field.key)) {
      return Error("",
                   "invalid hash algorithm name; expected 3-250 characters of a-z, A-Z, "
                   "0-9, '-' and '_' (STIX 2.1 §2.7)");
    }
    std::string_view hash;
    if (field.value.get_string().get(hash) != simdjson::SUCCESS) {
      return Error("",
                   StrCat("expected the hash as a string, got ", DescribeJsonType(field.value)));
    }
    std::string_view expected = CheckHashValue(field.key, hash);
    if (!expected.empty()) {
      return Error("", StrCat("\"", Printable(hash), "\" is not a valid ", field.key,
                              " hash; expected ", expected));
    }
    path_.Pop();
  }
  return absl::OkStatus();
}

absl::Status Validator::CheckExtensions(simdjson::dom::element value, int depth) {
  simdjson::dom::object object;
  if (value.get_object().get(object) != simdjson::SUCCESS) {
    return Error("", StrCat("expected a dictionary of extensions, got ", DescribeJsonType(value)));
  }
  if (IsEmpty(object)) {
    return Error("",
                 "empty dictionary; extensions must hold at least one extension (STIX 2.1 "
                 "§2.3), so omit the property instead");
  }
  KZ_RETURN_IF_ERROR(CheckDepth(depth));
  KZ_RETURN_IF_ERROR(CheckNoDuplicateKeys(object));
  for (simdjson::dom::key_value_pair field : object) {
    path_.PushKey(field.key);
    KZ_RETURN_IF_ERROR(CheckExtension(field.key, field.value, depth + 1));
    path_.Pop();
  }
  return absl::OkStatus();
}

absl::Status Validator::CheckExtension(std::string_view key, simdjson::dom::element value,
                                       int depth) {
  simdjson::dom::object extension;
  if (value.get_object().get(extension) != simdjson::SUCCESS) {
    return Error("", StrCat("expected an object holding the extension's properties, got ",
                            DescribeJsonType(value)));
  }
  if (IsEmpty(extension)) {
    return Error("", "empty extension; expected at least one property (STIX 2.1 §3.2, §11.3)");
  }
  if (key.substr(0, kExtensionDefinitionPrefix.size()) == kExtensionDefinitionPrefix) {
    absl::StatusOr<stix::StixId> id = stix::ParseId(key);
    if (!id.ok() || id->type != "extension-definition") {
      return Error("",
                   "not an extension-definition identifier; expected "
                   "extension-definition--<UUID> (STIX 2.1 §7.3)");
    }
    return CheckExtensionDefinitionInstance(extension, depth);
  }
  if (const ObjectSpec* predefined = FindExtension(key)) {
    if (predefined->owner != index_.type) {
      return Error("", StrCat("\"", key, "\" is a predefined extension of ", predefined->owner,
                              " objects; expected an extension of ", index_.type));
    }
    return CheckObject(extension, *predefined, depth, false);
  }
  if (spec_->spec_class != SpecClass::kSco && spec_->spec_class != SpecClass::kCustom) {
    return Error("", StrCat("unknown extension; on ", index_.type,
                            " objects an extension key must be the identifier of an "
                            "extension-definition (STIX 2.1 §3.2, §7.3)"));
  }
  if (!IsCustomExtensionName(key)) {
    return Error("",
                 "invalid extension name; expected an extension-definition identifier, a "
                 "predefined extension name, or a custom name of 3-250 characters of a-z, "
                 "0-9 and '-' ending in \"-ext\" (STIX 2.1 §11.3)");
  }
  KZ_RETURN_IF_ERROR(CheckDepth(depth));
  KZ_RETURN_IF_ERROR(CheckNoDuplicateKeys(extension));
  for (simdjson::dom::key_value_pair field : extension) {
    path_.PushKey(field.key);
    if (!IsPropertyName(field.key)) {
      return Error("",
                   "invalid property name; expected 3-250 characters of a-z, 0-9 and '_', "
                   "starting with a letter (STIX 2.1 §11.3)");
    }
    KZ_RETURN_IF_ERROR(CheckCustomSuffix(field.key, field.value));
    KZ_RETURN_IF_ERROR(CheckCustomValue(field.value, depth + 1));
    path_.Pop();
  }
  return absl::OkStatus();
}

absl::Status Validator::CheckExtensionDefinitionInstance(simdjson::dom::object object, int depth) {
  KZ_RETURN_IF_ERROR(CheckDepth(depth));
  KZ_RETURN_IF_ERROR(CheckNoDuplicateKeys(object));
  const Vocabulary* types = FindVocabulary("extension-type-enum");
  bool has_type = false;
  for (simdjson::dom::key_value_pair field : object) {
    path_.PushKey(field.key);
    if (field.key == "extension_type") {
      has_type = true;
      std::string_view type;
      if (field.value.get_string().get(type) != simdjson::SUCCESS) {
        return Error("", StrCat("expected a string, got ", DescribeJsonType(field.value)));
      }
      if (types == nullptr || !VocabularyContains(*types, type)) {
        return Error("", StrCat("\"", Printable(type),
                                "\" is not in extension-type-enum; expected "
                                "one of new-sdo, new-sco, new-sro, property-extension, "
                                "toplevel-property-extension (STIX 2.1 §10.5)"));
      }
      if (type.substr(0, 4) == "new-" && spec_->spec_class != SpecClass::kCustom) {
        return Error("", StrCat("\"", type, "\" defines a new object type, but ", index_.type,
                                " is defined by the standard; expected property-extension or "
                                "toplevel-property-extension (STIX 2.1 §7.3)"));
      }
    } else {
      if (!IsPropertyName(field.key)) {
        return Error("",
                     "invalid property name; expected 3-250 characters of a-z, 0-9 and '_', "
                     "starting with a letter (STIX 2.1 §7.3.2.1)");
      }
      KZ_RETURN_IF_ERROR(CheckCustomSuffix(field.key, field.value));
      KZ_RETURN_IF_ERROR(CheckCustomValue(field.value, depth + 1));
    }
    path_.Pop();
  }
  if (!has_type) {
    return Error("extension_type",
                 "required property is missing; an extension defined by an "
                 "extension-definition must state its extension_type (STIX "
                 "2.1 §3.2)");
  }
  return absl::OkStatus();
}

absl::Status Validator::CheckContainer(simdjson::dom::element value, int depth) {
  simdjson::dom::object object;
  if (value.get_object().get(object) != simdjson::SUCCESS) {
    return Error("", StrCat("expected an observable container (a JSON object of key: "
                            "cyber-observable), got ",
                            DescribeJsonType(value)));
  }
  if (IsEmpty(object)) {
    return Error("", "empty observable container; expected at least one object (STIX 2.1 §4.14)");
  }
  KZ_RETURN_IF_ERROR(CheckDepth(depth));
  KZ_RETURN_IF_ERROR(CheckNoDuplicateKeys(object));
  for (simdjson::dom::key_value_pair field : object) {
    path_.PushKey(field.key);
    simdjson::dom::object observable;
    if (field.value.get_object().get(observable) != simdjson::SUCCESS) {
      return Error(
          "", StrCat("expected a cyber-observable object, got ", DescribeJsonType(field.value)));
    }
    std::string_view type;
    if (observable["type"].get_string().get(type) != simdjson::SUCCESS ||
        !stix::IsValidTypeName(type)) {
      return Error("type", "expected the observable's type name (STIX 2.1 §2.13)");
    }
    KZ_RETURN_IF_ERROR(CheckCustomValue(field.value, depth + 1));
    path_.Pop();
  }
  return absl::OkStatus();
}

absl::Status Validator::CheckContents(simdjson::dom::element value, int depth) {
  simdjson::dom::object object;
  if (value.get_object().get(object) != simdjson::SUCCESS) {
    return Error("", StrCat("expected a dictionary of language tag: translated properties, got ",
                            DescribeJsonType(value)));
  }
  if (IsEmpty(object)) {
    return Error("", "empty dictionary; expected at least one language (STIX 2.1 §7.1)");
  }
  KZ_RETURN_IF_ERROR(CheckDepth(depth));
  KZ_RETURN_IF_ERROR(CheckNoDuplicateKeys(object));
  for (simdjson::dom::key_value_pair field : object) {
    path_.PushKey(field.key);
    if (!IsLanguageTag(field.key)) {
      return Error("",
                   "invalid key; expected an RFC 5646 language tag such as \"de\" (STIX 2.1 "
                   "§7.1)");
    }
    simdjson::dom::object translation;
    if (field.value.get_object().get(translation) != simdjson::SUCCESS || IsEmpty(translation)) {
      return Error("", StrCat("expected a non-empty object of translated properties, got ",
                              DescribeJsonType(field.value)));
    }
    KZ_RETURN_IF_ERROR(CheckCustomValue(field.value, depth + 1));
    path_.Pop();
  }
  return absl::OkStatus();
}

}  // namespace kizuna::stix_internal
