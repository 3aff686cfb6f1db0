// Kizuna. Granular markings (STIX 2.1 §7.2.3): reading them, and removing what they select.
#pragma once

// A granular marking applies a marking definition to the parts of an object its selectors
// name: "description", "external_references.[1].url", "extensions.x-ext.secret". When the
// policy decides a principal may not see such a marking, the selected content is removed
// from the copy served (the stored object is never changed):
//
//   - A selector made of property names only removes exactly that property.
//   - A selector that steps into a list ("kill_chain_phases.[0].phase_name") removes the
//     whole property holding the list ("kill_chain_phases"): removing one element would
//     shift the indexes other selectors rely on, and removing part of an element can leave
//     it invalid. Over-removing is safe; under-removing is a leak.
//   - A list left without elements, and an object property left empty, are removed.
//   - Granular markings whose selectors point into removed content are dropped with it;
//     the others keep their selectors, which still resolve.
//
// The caller checks the copy (policy::Decide validates it): a copy that lost a required
// property is withheld instead of served.
// Thread-safety: stateless.

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace kizuna::policy {

struct GranularMarking {
  std::string marking_ref;
  std::vector<std::string> selectors;
};

// Returns the granular markings of object `json` that have a marking_ref (language-only
// ones are skipped). InvalidArgument when the text is not a JSON object or its
// granular_markings are malformed.
absl::StatusOr<std::vector<GranularMarking>> ReadGranularMarkings(std::string_view json);

// Returns a copy of object `json` without the content selected by `selectors` (see above).
// InvalidArgument when the text is not a JSON object or a selector is malformed.
absl::StatusOr<std::string> Redact(std::string_view json, std::span<const std::string> selectors);

}  // namespace kizuna::policy
