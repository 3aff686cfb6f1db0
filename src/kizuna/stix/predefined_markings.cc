// Kizuna.
#include "kizuna/stix/predefined_markings.h"

#include <array>

namespace kizuna::stix {
namespace {

constexpr std::array<PredefinedTlpMarking, 9> kPredefined = {{
    // TLP 1.0 (STIX 2.1 §7.2.1.4).
    {"marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9", "white", 1},
    {"marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da", "green", 1},
    {"marking-definition--f88d31f6-486f-44da-b317-01333bde0b82", "amber", 1},
    {"marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed", "red", 1},
    // TLP 2.0 (OASIS CTI common objects).
    {"marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487", "clear", 2},
    {"marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb", "green", 2},
    {"marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421", "amber", 2},
    {"marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003", "amber+strict", 2},
    {"marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1", "red", 2},
}};

}  // namespace

std::span<const PredefinedTlpMarking> PredefinedTlpMarkings() { return kPredefined; }

const PredefinedTlpMarking* FindPredefinedTlp(std::string_view id) {
  for (const PredefinedTlpMarking& m : kPredefined) {
    if (m.id == id) return &m;
  }
  return nullptr;
}

}  // namespace kizuna::stix
