// Kizuna.
#include "kizuna/policy/collection_policy.h"

#include "kizuna/base/status.h"
#include "kizuna/base/strings.h"

namespace kizuna::policy {

absl::StatusOr<DefaultRelease> ParseDefaultRelease(std::string_view text) {
  DefaultRelease out;
  if (text == "creator-nation") return out;
  if (text == "readers") {
    out.kind = DefaultReleaseKind::kReaders;
    return out;
  }
  if (text == "communities") {
    out.kind = DefaultReleaseKind::kCommunities;
    return out;
  }
  out.kind = DefaultReleaseKind::kList;
  size_t entries = 0;
  std::string_view rest = text;
  while (!rest.empty()) {
    size_t comma = rest.find(',');
    std::string_view entry = rest.substr(0, comma);
    rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
    if (++entries > kMaxMarkingListEntries) return absl::InvalidArgumentError("default release: too many entries");
    absl::Status added = AddReleaseEntry(entry, out.list);
    if (!added.ok()) {
      return absl::InvalidArgumentError(StrCat("default release '", text.substr(0, 200),
                                               "': expected creator-nation, readers, communities or a list of "
                                               "nations and communities; ", View(added.message())));
    }
  }
  if (out.list.nations.empty() && out.list.communities.empty()) {
    return absl::InvalidArgumentError("default release: empty");
  }
  return out;
}

std::string FormatDefaultRelease(const DefaultRelease& release) {
  switch (release.kind) {
    case DefaultReleaseKind::kCreatorNation: return "creator-nation";
    case DefaultReleaseKind::kReaders: return "readers";
    case DefaultReleaseKind::kCommunities: return "communities";
    case DefaultReleaseKind::kList: break;
  }
  std::string out;
  for (const auto* list : {&release.list.nations, &release.list.communities}) {
    for (const std::string& entry : *list) StrAppend(out, out.empty() ? "" : ",", entry);
  }
  return out;
}

}  // namespace kizuna::policy
