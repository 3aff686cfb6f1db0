// Kizuna. The Traffic Light Protocol: levels and the predefined STIX marking definitions.
#pragma once

// STIX 2.1 predefines the TLP 1.0 marking definitions (WHITE, GREEN, AMBER, RED; §7.2.1.4);
// the OASIS CTI TC publishes those of TLP 2.0 (CLEAR, GREEN, AMBER, AMBER+STRICT, RED) as
// marking definitions with the extension extension-definition--60a3c5c5-...e88d. Kizuna
// accepts both generations and treats WHITE as CLEAR. A node resolves these ids without
// holding the objects.
// Thread-safety: stateless.

#include <cstdint>
#include <optional>
#include <string_view>

#include "kizuna/stix/predefined_markings.h"

namespace kizuna::policy {

enum class TlpLevel : uint8_t { kClear, kGreen, kAmber, kAmberStrict, kRed };

// The extension that carries `tlp_2_0` in TLP 2.0 marking definitions.
using stix::kTlp2ExtensionId;

// Returns the level of a predefined TLP 1.0 or 2.0 marking-definition id, or nullopt.
std::optional<TlpLevel> PredefinedTlp(std::string_view marking_id);

// Returns the level named `name` as written in a TLP 1.0 definition ("white", "green",
// "amber", "red") or a TLP 2.0 `tlp_2_0` value ("clear", "green", "amber", "amber+strict",
// "red"); case-insensitive. nullopt for anything else.
std::optional<TlpLevel> ParseTlpName(std::string_view name);

// Returns "CLEAR", "GREEN", "AMBER", "AMBER+STRICT" or "RED".
std::string_view TlpName(TlpLevel level);

// Returns the TLP 2.0 marking-definition id of `level`.
std::string_view Tlp2MarkingId(TlpLevel level);

}  // namespace kizuna::policy
