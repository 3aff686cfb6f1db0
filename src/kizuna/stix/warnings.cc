// Kizuna.
#include "kizuna/stix/warnings.h"

#include <optional>

#include "kizuna/base/strings.h"
#include "kizuna/stix/id.h"
#include "kizuna/stix/internal/error_path.h"
#include "kizuna/stix/internal/schema.h"
#include "kizuna/stix/sco_id.h"

namespace kizuna::stix {
namespace {

using stix_internal::ObjectSpec;
using stix_internal::Printable;
using stix_internal::PropertySpec;
using stix_internal::ValueKind;

constexpr std::string_view kExtensionDefinitionPrefix = "extension-definition--";

bool StartsWith(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

// Lower case, words separated by hyphens: no upper-case letter, underscore or space.
bool IsLowerHyphenated(std::string_view s) {
  for (char c : s) {
    if ((c >= 'A' && c <= 'Z') || c == '_' || c == ' ') return false;
  }
  return true;
}

std::string Child(const std::string& path, std::string_view key) {
  return path.empty() ? std::string(key) : StrCat(path, ".", key);
}

class Walker {
 public:
  explicit Walker(const ObjectIndex& index)
      : index_(index), v21_(index.spec_version == SpecVersion::k21) {}

  std::vector<Warning> Run(simdjson::dom::object object) {
    ReadExtensionTypes(object);
    const ObjectSpec* spec = stix_internal::FindType(index_.type);
    CheckId(object, spec);
    if (spec == nullptr) {
      CheckCustomType();
      Members(object, stix_internal::kCustomType, "", /*check_names=*/false);
    } else {
      Members(object, *spec, "", /*check_names=*/!toplevel_extension_);
    }
    if (v21_ && index_.type == "indicator") {
      for (std::string_view recommended : {"name", "description"}) {
        simdjson::dom::element ignored;
        if (object[recommended].get(ignored) != simdjson::SUCCESS) {
          Add("indicator-name", std::string(recommended),
              "missing; producers SHOULD provide it, to tell what the indicator detects (STIX 2.1 "
              "§4.7)");
        }
      }
    }
    return std::move(out_);
  }

 private:
  void Add(std::string_view kind, std::string path, std::string message) {
    out_.push_back({kind, path.empty() ? "(object)" : std::move(path), std::move(message)});
  }

  // Notes which extension types the object's `extensions` declare (STIX 2.1 §7.3).
  void ReadExtensionTypes(simdjson::dom::object object) {
    simdjson::dom::object extensions;
    if (object["extensions"].get(extensions) != simdjson::SUCCESS) return;
    for (auto [key, value] : extensions) {
      std::string_view type;
      if (!StartsWith(key, kExtensionDefinitionPrefix) ||
          value["extension_type"].get(type) != simdjson::SUCCESS) {
        continue;
      }
      if (type == "toplevel-property-extension") toplevel_extension_ = true;
      if (type == "new-sdo" || type == "new-sco" || type == "new-sro") new_type_ = true;
      if (type == "new-sco") new_sco_ = true;
    }
  }

  void CheckId(simdjson::dom::object object, const ObjectSpec* spec) {
    const bool sco =
        spec != nullptr ? spec->spec_class == stix_internal::SpecClass::kSco : new_sco_;
    const char version = UuidVersion(index_.id);
    if (!sco) {
      if (version != '4') {
        Add("id-not-uuidv4", "id",
            "not a UUIDv4; objects other than cyber observables SHOULD use UUIDv4 (STIX 2.1 §2.9)");
      }
      return;
    }
    if (spec == nullptr) return;  // a custom SCO: its contributing properties are its extension's
    std::optional<std::string> deterministic = DeterministicScoId(index_.type, object);
    if (!deterministic) return;  // no ID contributing property present: any UUID will do
    if (version != '5') {
      Add("sco-id-not-uuidv5", "id",
          StrCat("not a UUIDv5; a cyber observable's id SHOULD be derived from its ID contributing "
                 "properties, "
                 "here ",
                 *deterministic, " (STIX 2.1 §2.9)"));
    } else if (*deterministic != index_.id) {
      Add("sco-id-not-deterministic", "id",
          StrCat("not the UUIDv5 of its ID contributing properties, ", *deterministic,
                 "; the same observable then has two ids (STIX 2.1 §2.9)"));
    }
  }

  void CheckCustomType() {
    if (new_type_) return;  // declared by an extension definition (new-sdo, new-sco, new-sro)
    if (!StartsWith(index_.type, "x-")) {
      Add("custom-object-type", "type",
          StrCat("custom object type '", Printable(index_.type),
                 "' does not start with \"x-\"; custom type names SHOULD start with \"x-\" and a "
                 "source "
                 "identifier, e.g. x-example-com-thing (STIX 2.1 §11.2)"));
    } else {
      Add("custom-object-type", "type",
          StrCat(
              "custom object type '", Printable(index_.type),
              "': consumers may not understand it; custom objects SHOULD be used only when no STIX "
              "type "
              "fits, and STIX 2.1 declares new types with an extension definition (§11.2, §7.3)"));
    }
  }

  // Walks the members of `object` (of `spec`) at `path`; `check_names`: custom members there
  // are held to the custom property naming rule.
  void Members(simdjson::dom::object object, const ObjectSpec& spec, const std::string& path,
               bool check_names) {
    for (auto [key, value] : object) {
      int i = stix_internal::FindProperty(spec, key);
      const PropertySpec* prop = i < 0 ? nullptr : &spec.properties[i];
      if (prop != nullptr &&
          (prop->flags & (v21_ ? stix_internal::kOnly20 : stix_internal::kOnly21))) {
        prop = nullptr;  // a property of the other spec version: custom here
      }
      if (prop == nullptr) {
        if (check_names && !StartsWith(key, "x_")) {
          Add("custom-property-name", Child(path, key),
              "custom property name does not start with \"x_\"; custom property names SHOULD start "
              "with \"x_\" "
              "and a source identifier, e.g. x_example_com_score, or be defined by an extension "
              "(STIX 2.1 "
              "§11.1, §7.3)");
        }
        continue;
      }
      Value(value, *prop, Child(path, key));
    }
  }

  void Value(simdjson::dom::element value, const PropertySpec& prop, const std::string& path) {
    simdjson::dom::array list;
    if ((prop.flags & stix_internal::kList) && value.get_array().get(list) == simdjson::SUCCESS) {
      size_t i = 0;
      for (simdjson::dom::element item : list) Item(item, prop, StrCat(path, "[", i++, "]"));
      return;
    }
    Item(value, prop, path);
  }

  void Item(simdjson::dom::element value, const PropertySpec& prop, const std::string& path) {
    switch (prop.kind) {
      case ValueKind::kOpenVocab:
        Vocabulary(value, stix_internal::kVocabularies[prop.arg], path);
        break;
      case ValueKind::kStruct:
        Struct(value, stix_internal::kStructs[prop.arg], path);
        break;
      case ValueKind::kExtensions:
        Extensions(value, path);
        break;
      case ValueKind::kContainer:
        if (v21_) {
          Add("deprecated-property", path,
              "deprecated in STIX 2.1: refer to the observables with object_refs and send them as "
              "objects of "
              "their own (STIX 2.1 §4.14)");
        }
        break;
      default:
        break;
    }
  }

  void Vocabulary(simdjson::dom::element value, const stix_internal::Vocabulary& vocabulary,
                  const std::string& path) {
    std::string_view term;
    if (value.get_string().get(term) != simdjson::SUCCESS ||
        stix_internal::VocabularyContains(vocabulary, term)) {
      return;
    }
    Add("vocabulary", path,
        StrCat("'", Printable(term), "' is not in the open vocabulary ", vocabulary.name,
               "; values SHOULD come from it (STIX 2.1 §10)"));
  }

  void Struct(simdjson::dom::element value, const ObjectSpec& spec, const std::string& path) {
    simdjson::dom::object object;
    if (value.get_object().get(object) != simdjson::SUCCESS) return;
    Members(object, spec, path, /*check_names=*/false);
    if (spec.name == "kill-chain-phase") {
      for (std::string_view name : {"kill_chain_name", "phase_name"}) {
        std::string_view text;
        if (object[name].get(text) == simdjson::SUCCESS && !IsLowerHyphenated(text)) {
          Add("kill-chain-name", Child(path, name),
              StrCat("'", Printable(text),
                     "' SHOULD be all lower case, with hyphens between words (STIX 2.1 §2.11)"));
        }
      }
    } else if (spec.name == "external-reference") {
      simdjson::dom::element ignored;
      if (object["url"].get(ignored) == simdjson::SUCCESS &&
          object["hashes"].get(ignored) != simdjson::SUCCESS) {
        Add("external-reference-hashes", Child(path, "hashes"),
            "missing; hashes of the url's content SHOULD be given with url (STIX 2.1 §2.5)");
      }
    }
  }

  // Predefined extensions hold properties of the standard: walk them; extension definitions'
  // properties are the extension's own.
  void Extensions(simdjson::dom::element value, const std::string& path) {
    simdjson::dom::object extensions;
    if (value.get_object().get(extensions) != simdjson::SUCCESS) return;
    for (auto [key, ext] : extensions) {
      const ObjectSpec* spec = stix_internal::FindExtension(key);
      simdjson::dom::object object;
      if (spec == nullptr || ext.get_object().get(object) != simdjson::SUCCESS) continue;
      Members(object, *spec, Child(path, key), /*check_names=*/true);
    }
  }

  const ObjectIndex& index_;
  const bool v21_;
  bool toplevel_extension_ = false;  // a toplevel-property-extension defines custom members
  bool new_type_ = false;            // an extension definition declares the object's type
  bool new_sco_ = false;             // ... as a cyber observable
  std::vector<Warning> out_;
};

}  // namespace

std::vector<Warning> FindWarnings(simdjson::dom::object object, const ObjectIndex& index) {
  return Walker(index).Run(object);
}

}  // namespace kizuna::stix
