// Kizuna. MISP `tlp:*` tags and the predefined STIX TLP marking definitions.
#pragma once

// MISP's tlp taxonomy names the levels of TLP 1.0 and 2.0 as tags ("tlp:amber",
// "tlp:amber+strict", "tlp:clear", "tlp:white"). Each becomes the predefined marking of its
// level: tlp:white the TLP 1.0 WHITE definition (TLP 2.0 has no white), the others their
// TLP 2.0 definitions; so a tag comes back from the marking as it was written (lowercase).
// Other tlp: tags (tlp:ex:chr, tlp:unclear) are no level and stay tags only.
// Thread-safety: stateless.

#include <optional>
#include <string_view>

namespace kizuna::misp {

struct TlpTag {
  int rank = 0;                 // clear/white 0, green 1, amber 2, amber+strict 3, red 4
  std::string_view marking_id;  // the predefined marking-definition id
};

// Returns the level of MISP tag `name` (case-insensitive "tlp:<level>"), or nullopt.
std::optional<TlpTag> TlpOfTag(std::string_view name);

// Returns true when `name` is in MISP's tlp namespace ("tlp:..."), a level or not.
bool IsTlpNamespace(std::string_view name);

// Returns the MISP tag of predefined TLP marking `marking_id` ("tlp:amber"), or empty.
std::string_view TagOfTlpMarking(std::string_view marking_id);

}  // namespace kizuna::misp
