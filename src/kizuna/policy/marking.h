// Kizuna. What a marking definition means for release: the facts policy::Decide needs.
#pragma once

// A marking-definition object (STIX 2.1 §7.2.1) is read once into MarkingFacts, which the
// decision then uses for every object that references it (marking definitions are never
// versioned, so the facts of an id never change). Understood kinds:
//
//   TLP        TLP 1.0 (`definition_type: "tlp"`, `definition.tlp`) or TLP 2.0 (the
//              `tlp_2_0` property of extension kTlp2ExtensionId); WHITE is CLEAR.
//   releasable Kizuna's `releasable_to` extension (kReleasableToExtensionId): nations
//              (ISO 3166-1 alpha-3) and community names; or a statement marking of the
//              common form "REL TO USA, JPN", alone or as one segment of a banner such as
//              "SECRET//REL TO USA, JPN//FOUO" (statement.h).
//   recipients Kizuna's `recipients` extension (kRecipientsExtensionId): the identity ids of
//              the organisations the object is released to.
//   statement  any other statement (copyright, terms of use): informational, restricts
//              nothing, unless it reads like a dissemination control (statement.h).
//
// Anything else (a definition type or extension Kizuna does not know, an unreadable list, a
// statement that reads like a dissemination control but is not the REL TO form, two TLP
// levels or two lists in one definition) is not understood, and an object carrying it is
// denied, like one whose marking cannot be resolved at all. The JSON schemas of the two Kizuna extensions are in docs/extensions/.
// Thread-safety: values and stateless functions.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "kizuna/identity/release.h"
#include "kizuna/policy/tlp.h"

namespace kizuna::policy {

// Kizuna's marking extensions (STIX 2.1 §7.3 extension definitions; docs/extensions/).
inline constexpr std::string_view kReleasableToExtensionId =
    "extension-definition--d43c2dcb-ef91-4ad1-b5ec-9f1186821fde";
inline constexpr std::string_view kRecipientsExtensionId =
    "extension-definition--15bbcb9f-57f4-4991-93cf-48742c0df705";

struct MarkingFacts {
  std::optional<TlpLevel> tlp;
  std::optional<identity::Releasability> releasable_to;
  std::optional<std::vector<std::string>> recipients;  // organisation identity ids
  bool informational = false;  // a statement that restricts nothing
  bool understood = false;     // false: the decision denies what carries it
  // The organisation of the user of this node who introduced the definition (empty: the
  // operator, a partner node, or predefined): it then marks only that organisation's objects.
  std::string local_author;

  // Returns true if the marking says anything about who may receive the object (TLP,
  // releasability or recipients), as opposed to an informational statement.
  bool Restricts() const { return tlp || releasable_to || recipients; }
};

// Returns the facts of a predefined marking id: the TLP markings, and the exercise marking
// (stix/exercise_marking.h: an informational statement, the same on every node, so it marks
// every creator's objects whoever introduced its definition on this node); nullopt for
// other ids.
std::optional<MarkingFacts> PredefinedMarking(std::string_view marking_id);

// Reads the facts of the marking-definition object `json`. Returns InvalidArgument when the
// text is not a JSON object of type marking-definition; a definition that is well formed but
// of a kind Kizuna does not know is returned with `understood` false.
absl::StatusOr<MarkingFacts> ReadMarkingDefinition(std::string_view json);

}  // namespace kizuna::policy
