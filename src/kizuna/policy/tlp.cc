// Kizuna.
#include "kizuna/policy/tlp.h"

#include <cctype>

namespace kizuna::policy {
namespace {

struct Predefined {
  std::string_view id;
  TlpLevel level;
};

constexpr Predefined kPredefined[] = {
    // TLP 1.0 (STIX 2.1 §7.2.1.4).
    {"marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9", TlpLevel::kClear},  // WHITE
    {"marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da", TlpLevel::kGreen},
    {"marking-definition--f88d31f6-486f-44da-b317-01333bde0b82", TlpLevel::kAmber},
    {"marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed", TlpLevel::kRed},
    // TLP 2.0 (OASIS CTI common objects).
    {"marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487", TlpLevel::kClear},
    {"marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb", TlpLevel::kGreen},
    {"marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421", TlpLevel::kAmber},
    {"marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003", TlpLevel::kAmberStrict},
    {"marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1", TlpLevel::kRed},
};

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) != b[i]) return false;
  }
  return true;
}

}  // namespace

std::optional<TlpLevel> PredefinedTlp(std::string_view marking_id) {
  for (const Predefined& p : kPredefined) {
    if (p.id == marking_id) return p.level;
  }
  return std::nullopt;
}

std::optional<TlpLevel> ParseTlpName(std::string_view name) {
  if (EqualsIgnoreCase(name, "clear") || EqualsIgnoreCase(name, "white")) return TlpLevel::kClear;
  if (EqualsIgnoreCase(name, "green")) return TlpLevel::kGreen;
  if (EqualsIgnoreCase(name, "amber")) return TlpLevel::kAmber;
  if (EqualsIgnoreCase(name, "amber+strict")) return TlpLevel::kAmberStrict;
  if (EqualsIgnoreCase(name, "red")) return TlpLevel::kRed;
  return std::nullopt;
}

std::string_view TlpName(TlpLevel level) {
  switch (level) {
    case TlpLevel::kClear: return "CLEAR";
    case TlpLevel::kGreen: return "GREEN";
    case TlpLevel::kAmber: return "AMBER";
    case TlpLevel::kAmberStrict: return "AMBER+STRICT";
    case TlpLevel::kRed: return "RED";
  }
  return "?";
}

std::string_view Tlp2MarkingId(TlpLevel level) {
  for (size_t i = 4; i < std::size(kPredefined); ++i) {
    if (kPredefined[i].level == level) return kPredefined[i].id;
  }
  return {};
}

}  // namespace kizuna::policy
