// Kizuna. What a collection adds to the policy: the communities it serves and the release of
// objects that carry no marking about release.
#pragma once

// Each collection serves zero or more sharing communities ("jpn-usa", "jpn-usa-kor"): TLP:GREEN
// objects in it reach members of those communities and are forwarded only to peers in them.
// An object without any TLP, releasability or recipients marking is released by the
// collection's default, one of:
//
//   creator-nation   principals of the nation of the object's creator (the default)
//   readers          everyone who may read the collection; forwarded to every peer
//   communities      members of the collection's communities, as TLP:GREEN
//   USA,JPN,jpn-usa  a releasability list, as a releasable_to marking would say
//
// Thread-safety: values and stateless functions.

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "kizuna/policy/marking.h"

namespace kizuna::policy {

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

struct CollectionPolicy {
  std::vector<std::string> communities;  // communities the collection serves
  DefaultRelease default_release;
};

}  // namespace kizuna::policy
