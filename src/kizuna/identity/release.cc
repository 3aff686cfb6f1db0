// Kizuna.
#include "kizuna/identity/release.h"

#include "kizuna/base/status.h"
#include "kizuna/base/strings.h"
#include "kizuna/identity/nation.h"

namespace kizuna::identity {

bool IsCommunityName(std::string_view name) {
  if (name.empty() || name.size() > 64) return false;
  for (char c : name) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

absl::Status AddReleaseEntry(std::string_view entry, Releasability& out) {
  entry = Trim(entry);
  if (IsNationCode(entry)) {
    out.nations.emplace_back(entry);
  } else if (IsCommunityName(entry)) {
    out.communities.emplace_back(entry);
  } else {
    return absl::InvalidArgumentError(
        StrCat("'", entry.substr(0, 80), "' is neither an ISO 3166-1 alpha-3 nation nor a community name"));
  }
  return absl::OkStatus();
}

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
    if (++entries > kMaxReleaseEntries) return absl::InvalidArgumentError("default release: too many entries");
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

absl::Status CheckCollectionRelease(const std::vector<std::string>& communities, std::string_view default_release) {
  for (const std::string& c : communities) {
    if (!IsCommunityName(c)) {
      return absl::InvalidArgumentError(StrCat("'", c, "' is not a community name (1-64 of [a-z0-9._-])"));
    }
  }
  return ParseDefaultRelease(default_release).status();
}

}  // namespace kizuna::identity
