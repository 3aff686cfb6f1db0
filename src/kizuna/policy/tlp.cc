// Kizuna.
#include "kizuna/policy/tlp.h"

#include <cctype>

#include "kizuna/base/strings.h"
#include "kizuna/stix/predefined_markings.h"

namespace kizuna::policy {

std::optional<TlpLevel> PredefinedTlp(std::string_view marking_id) {
  const stix::PredefinedTlpMarking* m = stix::FindPredefinedTlp(marking_id);
  if (m == nullptr) return std::nullopt;
  return ParseTlpName(m->level);
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
  for (const stix::PredefinedTlpMarking& m : stix::PredefinedTlpMarkings()) {
    if (m.tlp_version == 2 && ParseTlpName(m.level) == level) return m.id;
  }
  return {};
}

}  // namespace kizuna::policy
