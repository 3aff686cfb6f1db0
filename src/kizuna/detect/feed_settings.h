// Kizuna. What an operator says about one plain-list feed: its marking, types, confidence,
// validity, labels, description and source, and how its domains are read.
#pragma once

// `kizuna import` fills FeedSettings from its options for every list of an import; a
// scheduled feed keeps one per feed. Validate() checks it before anything is written.
// AppendFeedMetadata writes the settings into an indicator (detect/feed.h):
//
//   tlp              object_marking_refs: the TLP 2.0 marking definition of the level
//                    (clear, green, amber, amber+strict, red); empty: no marking
//   indicator_types  default ["malicious-activity"]; an open vocabulary (STIX 2.1 §10.11):
//                    any lower-case words joined by '-' (e.g. "benign", "anomalous-activity")
//   confidence       0..100; unset: no confidence
//   valid_for_days   valid_until = the version's time + the days; a value still listed is
//                    renewed (a new version) once less than half of the period is left
//   valid_until_us   a fixed valid_until (exclusive with valid_for_days)
//   labels           added after the family label
//   description      the indicators' description
//   source           external_references[0].source_name: the feed's name; default the
//                    list's family (its file name), which is the reference's external_id.
//                    `--replace` revokes by it.
//   source_url       external_references[0].url (http or https)
//   exact_domains    a domain line means that name only, not its subdomains (detect/feed.h)
//
// Thread-safety: a value type; functions are stateless.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"

namespace kizuna::detect {

// Named limits of the settings.
inline constexpr size_t kMaxFeedLabels = 32;      // labels, and indicator types
inline constexpr size_t kMaxFeedWordBytes = 250;  // one label, type or source name
inline constexpr size_t kMaxFeedDescriptionBytes = 4096;
inline constexpr int64_t kMaxFeedValidDays = 3650;

struct FeedSettings {
  std::string tlp;
  std::vector<std::string> indicator_types = {"malicious-activity"};
  std::optional<int64_t> confidence;
  std::optional<int64_t> valid_for_days;
  std::optional<int64_t> valid_until_us;
  std::vector<std::string> labels;
  std::string description;
  std::string source;
  std::string source_url;
  bool exact_domains = false;

  // Returns OK, or InvalidArgument naming the setting and what is wrong with it (an unknown
  // TLP level, a confidence out of 0..100, a valid_until not after `now_us`, ...).
  absl::Status Validate(int64_t now_us) const;
};

// Returns the id of the TLP 2.0 marking definition of `level` (clear, green, amber,
// amber+strict, red; any case), or an empty view.
std::string_view Tlp2MarkingId(std::string_view level);

}  // namespace kizuna::detect
