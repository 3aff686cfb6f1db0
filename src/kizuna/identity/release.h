// Kizuna. To whom something is released: nations, communities, and a collection's default.
#pragma once

// A release list names nations (ISO 3166-1 alpha-3, upper case: "USA") and sharing
// communities (directory group names, lower case: "jpn-usa"). It is what a releasable_to or
// "REL TO" marking says (policy/marking.h) and what a collection's default release may be.
// A collection releases objects that carry no TLP, releasability or recipients marking by
// its default release, one of:
//
//   creator-nation   principals of the nation of the object's creator (the default)
//   readers          everyone who may read the collection; forwarded to every peer
//   communities      members of the collection's communities, as TLP:GREEN
//   USA,JPN,jpn-usa  a release list, as a releasable_to marking would say
//
// The store checks what it is given against these forms; the policy applies them.
// Thread-safety: values and stateless functions.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace kizuna::identity {

// Most nations, communities or organisations one list may name.
inline constexpr size_t kMaxReleaseEntries = 1000;

struct Releasability {
  std::vector<std::string> nations;      // ISO 3166-1 alpha-3, e.g. "USA"
  std::vector<std::string> communities;  // community (group) names, e.g. "jpn-usa"
};

// Returns true if `name` can name a community: 1-64 of [a-z0-9._-], as directory groups.
bool IsCommunityName(std::string_view name);

// Adds one entry of a list of nations and community names (an item of "USA, JPN, jpn-usa"
// or of a JSON list; surrounding spaces are ignored) to `out`: alpha-3 codes are nations,
// community names are communities. Returns InvalidArgument naming the entry when it is
// neither.
absl::Status AddReleaseEntry(std::string_view entry, Releasability& out);

enum class DefaultReleaseKind : uint8_t { kCreatorNation, kReaders, kCommunities, kList };

struct DefaultRelease {
  DefaultReleaseKind kind = DefaultReleaseKind::kCreatorNation;
  Releasability list;  // kList only
};

// The text form used by `kizuna collection` and stored with the collection.
inline constexpr std::string_view kDefaultReleaseText = "creator-nation";

// Parses the text form above. Returns InvalidArgument naming what is wrong.
absl::StatusOr<DefaultRelease> ParseDefaultRelease(std::string_view text);

// Returns the canonical text form of `release`.
std::string FormatDefaultRelease(const DefaultRelease& release);

// Checks a collection's release settings: each of `communities` a community name, and
// `default_release` in the text form above. Returns InvalidArgument naming the first wrong one.
absl::Status CheckCollectionRelease(const std::vector<std::string>& communities, std::string_view default_release);

}  // namespace kizuna::identity
