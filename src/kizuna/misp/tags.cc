// Kizuna.
#include "kizuna/misp/tags.h"

#include <array>

#include "kizuna/base/strings.h"

namespace kizuna::misp {
namespace {

struct Level {
  std::string_view tag;
  int rank;
  std::string_view marking_id;
};

// The TLP 1.0 definitions first: the tag of each predefined marking, and of each tag its
// marking (tlp:green, tlp:amber, tlp:red name the TLP 2.0 ones, listed last).
constexpr std::array<Level, 9> kLevels = {{
    {"tlp:white", 0, "marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9"},
    {"tlp:green", 1, "marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da"},
    {"tlp:amber", 2, "marking-definition--f88d31f6-486f-44da-b317-01333bde0b82"},
    {"tlp:red", 4, "marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed"},
    {"tlp:clear", 0, "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487"},
    {"tlp:amber+strict", 3, "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003"},
    {"tlp:green", 1, "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb"},
    {"tlp:amber", 2, "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421"},
    {"tlp:red", 4, "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1"},
}};

}  // namespace

std::optional<TlpTag> TlpOfTag(std::string_view name) {
  std::optional<TlpTag> found;
  for (const Level& l : kLevels) {
    if (EqualsIgnoreCase(l.tag, name)) found = TlpTag{l.rank, l.marking_id};  // the last: TLP 2.0
  }
  return found;
}

bool IsTlpNamespace(std::string_view name) {
  return name.size() > 4 && EqualsIgnoreCase(name.substr(0, 4), "tlp:");
}

std::string_view TagOfTlpMarking(std::string_view marking_id) {
  for (const Level& l : kLevels) {
    if (l.marking_id == marking_id) return l.tag;
  }
  return {};
}

}  // namespace kizuna::misp
