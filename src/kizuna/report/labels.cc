// Kizuna. What a brief says about an object's markings.
#include "kizuna/report/labels.h"

#include <algorithm>
#include <vector>

#include "kizuna/base/status.h"
#include "kizuna/base/strings.h"
#include "kizuna/policy/marking.h"

namespace kizuna::report {

std::string TlpLabel(int rank) {
  if (rank <= kNoTlp) return "";
  return StrCat("TLP:", policy::TlpName(static_cast<policy::TlpLevel>(rank - 1)));
}

absl::StatusOr<MarkingLabel> MarkingLabels::Of(std::string_view markings, uint32_t granular_refs) {
  std::vector<std::string_view> ids;
  for (std::string_view rest = markings; !rest.empty();) {
    size_t space = rest.find(' ');
    if (space != 0) ids.push_back(rest.substr(0, space));
    rest = space == std::string_view::npos ? std::string_view() : rest.substr(space + 1);
  }
  ids.resize(ids.size() - std::min<size_t>(granular_refs, ids.size()));
  MarkingLabel out;
  std::vector<std::string> release;
  for (std::string_view id : ids) {
    auto it = by_id_.find(AbslView(id));
    if (it == by_id_.end()) {
      MarkingLabel one;
      std::optional<policy::MarkingFacts> facts = policy::PredefinedMarking(id);
      if (!facts) {
        absl::StatusOr<store::MarkingDefinitionRecord> record = store_.FindMarkingDefinition(id);
        if (!record.ok() && !absl::IsNotFound(record.status())) return record.status();
        if (record.ok()) {
          absl::StatusOr<policy::MarkingFacts> read = policy::ReadMarkingDefinition(record->json);
          if (read.ok()) facts = *std::move(read);
        }
      }
      if (facts && facts->tlp) one.tlp = TlpRank(*facts->tlp);
      if (facts && facts->releasable_to) {
        std::vector<std::string> names = facts->releasable_to->nations;
        names.insert(names.end(), facts->releasable_to->communities.begin(), facts->releasable_to->communities.end());
        for (const std::string& n : names) StrAppend(one.release, one.release.empty() ? "" : " ", n);
      }
      it = by_id_.emplace(std::string(id), std::move(one)).first;
    }
    out.tlp = std::max(out.tlp, it->second.tlp);
    for (std::string_view rest = it->second.release; !rest.empty();) {
      size_t space = rest.find(' ');
      release.emplace_back(rest.substr(0, space));
      rest = space == std::string_view::npos ? std::string_view() : rest.substr(space + 1);
    }
  }
  std::sort(release.begin(), release.end());
  release.erase(std::unique(release.begin(), release.end()), release.end());
  for (const std::string& r : release) StrAppend(out.release, out.release.empty() ? "REL TO " : ", ", r);
  return out;
}

}  // namespace kizuna::report
