// Kizuna. The marking definitions every STIX producer shares: TLP 1.0 and TLP 2.0.
#pragma once

// STIX 2.1 §7.2.1.4 predefines the TLP 1.0 marking definitions (WHITE, GREEN, AMBER, RED);
// the OASIS CTI TC publishes those of TLP 2.0 (CLEAR, GREEN, AMBER, AMBER+STRICT, RED) as
// marking definitions carrying the `tlp_2_0` property of extension kTlp2ExtensionId. Their
// identifiers are constants: a definition under one of them must say that level, and
// nothing else (validation enforces it; the policy never reads their stored content).
// Thread-safety: constants and stateless functions.

#include <cstdint>
#include <span>
#include <string_view>

namespace kizuna::stix {

// The extension that carries `tlp_2_0` in TLP 2.0 marking definitions.
inline constexpr std::string_view kTlp2ExtensionId =
    "extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d";

struct PredefinedTlpMarking {
  std::string_view id;     // "marking-definition--..."
  std::string_view level;  // as written: TLP 1.0 "white"..."red", TLP 2.0 "clear"..."red"
  uint8_t tlp_version;     // 1 or 2
};

// The nine predefined TLP marking definitions, TLP 1.0 first.
std::span<const PredefinedTlpMarking> PredefinedTlpMarkings();

// Returns the predefined TLP marking with identifier `id`, or null.
const PredefinedTlpMarking* FindPredefinedTlp(std::string_view id);

}  // namespace kizuna::stix
