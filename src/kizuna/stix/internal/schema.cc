// Kizuna.
#include "kizuna/stix/internal/schema.h"

#include <algorithm>

#include "kizuna/stix/object.h"

namespace kizuna::stix_internal {
namespace {

const ObjectSpec* FindByName(std::span<const ObjectSpec> specs, std::string_view name) {
  auto it = std::lower_bound(specs.begin(), specs.end(), name,
                             [](const ObjectSpec& s, std::string_view n) { return s.name < n; });
  return it != specs.end() && it->name == name ? &*it : nullptr;
}

uint8_t GroupOf(std::string_view type) {
  switch (stix::KindOfType(type)) {
    case stix::ObjectKind::kSdo:
      return kGroupSdo;
    case stix::ObjectKind::kSro:
      return kGroupSro;
    case stix::ObjectKind::kSco:
      return kGroupSco;
    case stix::ObjectKind::kMeta:
      return kGroupMeta;
    case stix::ObjectKind::kCustom:
      return kGroupCustom;
  }
  return kGroupCustom;
}

}  // namespace

const ObjectSpec* FindType(std::string_view type) { return FindByName(kTypes, type); }

const ObjectSpec* FindExtension(std::string_view name) { return FindByName(kExtensions, name); }

int FindProperty(const ObjectSpec& spec, std::string_view name) {
  const auto& props = spec.properties;
  auto it = std::lower_bound(props.begin(), props.end(), name,
                             [](const PropertySpec& p, std::string_view n) { return p.name < n; });
  return it != props.end() && it->name == name ? static_cast<int>(it - props.begin()) : -1;
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
