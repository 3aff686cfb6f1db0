// Kizuna.
#include "kizuna/stix/internal/schema.h"

#include <algorithm>

namespace kizuna::stix_internal {
namespace {

const ObjectSpec* FindByName(std::span<const ObjectSpec> specs, std::string_view name) {
  auto it = std::lower_bound(specs.begin(), specs.end(), name,
                             [](const ObjectSpec& s, std::string_view n) { return s.name < n; });
  return it != specs.end() && it->name == name ? &*it : nullptr;
}

uint8_t GroupOf(std::string_view type) {
  const ObjectSpec* spec = FindByName(kTypes, type);
  if (spec == nullptr) return kGroupCustom;
  switch (spec->spec_class) {
    case SpecClass::kSdo:
      return kGroupSdo;
    case SpecClass::kSro:
      return kGroupSro;
    case SpecClass::kSco:
      return kGroupSco;
    case SpecClass::kMeta:
      return kGroupMeta;
    default:
      return kGroupCustom;
  }
}

}  // namespace

const ObjectSpec* FindType(std::string_view type) { return FindByName(kTypes, type); }

const ObjectSpec* FindExtension(std::string_view name) { return FindByName(kExtensions, name); }

int FindProperty(const ObjectSpec& spec, std::string_view name) {
  const size_t mask = spec.lookup.size() - 1;
  for (size_t i = PropertyHash(name) & mask;; i = (i + 1) & mask) {
    uint8_t slot = spec.lookup[i];
    if (slot == 0) return -1;
    if (spec.properties[slot - 1].name == name) return slot - 1;
  }
}

bool ClassAccepts(const TargetClass& target, std::string_view type) {
  if (target.groups & kGroupAny) return true;
  for (std::string_view t : target.types) {
    if (t == type) return true;
  }
  return target.groups != 0 && (target.groups & GroupOf(type)) != 0;
}

bool VocabularyContains(const Vocabulary& vocabulary, std::string_view term) {
  return std::find(vocabulary.terms.begin(), vocabulary.terms.end(), term) !=
         vocabulary.terms.end();
}

}  // namespace kizuna::stix_internal
