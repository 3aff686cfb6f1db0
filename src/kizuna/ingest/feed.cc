// Kizuna.
#include "kizuna/ingest/feed.h"

#include "kizuna/base/status.h"
#include "kizuna/base/strings.h"

namespace kizuna::ingest {

absl::Status ImportFeed(Importer& importer, std::string_view name, std::string_view text,
                        const detect::FeedOptions& options, detect::FeedResult* result, FeedLedger* ledger) {
  KZ_ASSIGN_OR_RETURN(detect::FeedResult feed, detect::ConvertFeed(text, options));
  for (const detect::FeedProblem& p : feed.problems) importer.Reject(StrCat(name, ":", p.line), "", p.reason);
  // Values beyond those listed are counted all the same.
  for (int64_t i = static_cast<int64_t>(feed.problems.size()); i < feed.skipped; ++i) {
    importer.Reject(std::string(name), "", "no pattern fits the value");
  }
  importer.CountFile(text.size());
  if (ledger != nullptr) ledger->sources.insert(std::string(detect::FeedSourceName(options)));
  std::string jsonl;
  KZ_RETURN_IF_ERROR(NextVersions(importer.store(), feed.entries, options, [&](size_t i, NextVersion&& v) {
    if (!v.json.ok()) {
      importer.Reject(StrCat(name, ":", feed.entries[i].line), v.id, std::string(v.json.status().message()));
      return;
    }
    StrAppend(jsonl, *v.json, "\n");
    if (ledger != nullptr) ledger->listed_ids.insert(std::move(v.id));
  }));
  // A list of comments only (or of nothing) is an empty feed, not a broken document.
  if (!jsonl.empty()) KZ_RETURN_IF_ERROR(importer.ImportText(name, jsonl, stix::Padding::kAbsent));
  if (result != nullptr) *result = std::move(feed);
  return absl::OkStatus();
}

absl::Status AddSightings(Importer& importer, std::span<const detect::SightingAggregator::Entry> entries,
                          std::string_view identity, std::string_view marking) {
  std::string lines;
  for (const detect::SightingAggregator::Entry& e : entries) {
    StrAppend(lines, detect::SightingJson(e, identity, marking), "\n");
  }
  if (lines.empty()) return absl::OkStatus();
  return importer.ImportText("sightings", lines, stix::Padding::kAbsent);
}

}  // namespace kizuna::ingest
