// Kizuna. Which STIX object types are cyber-observables, for the observation readers.
#pragma once

// Thread-safety: stateless.

#include <string_view>

namespace kizuna::pattern_internal {

// True for the STIX 2.1 object types that are not cyber-observables (SDOs, SROs, meta
// objects). Every other object with an id may be referenced from object_refs as an SCO,
// custom ones included.
inline bool IsNonObservableType(std::string_view type) {
  static constexpr std::string_view kTypes[] = {"attack-pattern",
                                                "campaign",
                                                "course-of-action",
                                                "grouping",
                                                "identity",
                                                "incident",
                                                "indicator",
                                                "infrastructure",
                                                "intrusion-set",
                                                "location",
                                                "malware",
                                                "malware-analysis",
                                                "note",
                                                "observed-data",
                                                "opinion",
                                                "report",
                                                "threat-actor",
                                                "tool",
                                                "vulnerability",
                                                "relationship",
                                                "sighting",
                                                "marking-definition",
                                                "language-content",
                                                "extension-definition",
                                                "bundle"};
  for (std::string_view t : kTypes) {
    if (t == type) return true;
  }
  return false;
}

}  // namespace kizuna::pattern_internal
