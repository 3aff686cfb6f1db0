// Kizuna.
#include "kizuna/store/search_index.h"

#include "kizuna/base/strings.h"

namespace kizuna::store {

absl::StatusOr<std::vector<IndexHit>> SearchIndex::FindValues(std::span<const std::string> values,
                                                              int64_t after_us, size_t limit) {
  if (values.size() > kMaxQueryValues) {
    return absl::InvalidArgumentError(
        StrCat("a value query names ", values.size(), " values; at most ", kMaxQueryValues, " are allowed"));
  }
  if (values.empty() || limit == 0) return std::vector<IndexHit>();
  return DoFindValues(values, after_us, limit);
}

absl::StatusOr<std::vector<IndexHit>> SearchIndex::FindRanges(bool v6, const std::array<uint8_t, 16>& address,
                                                              int prefix, size_t limit) {
  if (prefix < 0 || prefix > (v6 ? 128 : 32)) {
    return absl::InvalidArgumentError(StrCat("prefix length ", prefix, " is out of range for IPv", v6 ? 6 : 4));
  }
  if (limit == 0) return std::vector<IndexHit>();
  return DoFindRanges(v6, address, prefix, limit);
}

absl::StatusOr<std::vector<IndexHit>> SearchIndex::ValuesOf(int64_t date_added_us) {
  return DoValuesOf(date_added_us);
}

absl::StatusOr<std::vector<int64_t>> SearchIndex::FindText(const TextQuery& query) {
  if (query.match.empty()) return absl::InvalidArgumentError("a full-text query needs some text");
  if (query.limit == 0) return std::vector<int64_t>();
  return DoFindText(query);
}

absl::StatusOr<std::vector<LocatedObject>> SearchIndex::ReadEntries(std::span<const int64_t> date_added_us) {
  if (date_added_us.empty()) return std::vector<LocatedObject>();
  return DoReadEntries(date_added_us);
}

absl::StatusOr<std::vector<LocatedObject>> SearchIndex::ReadObject(std::string_view object_id) {
  return DoReadObject(object_id);
}

absl::StatusOr<std::vector<IndexHit>> SearchIndex::FindValueRange(std::string_view from, std::string_view to,
                                                                   std::string_view after_value, int64_t after_entry,
                                                                   size_t limit) {
  return DoFindValueRange(from, to, after_value, after_entry, limit);
}

absl::StatusOr<IndexState> SearchIndex::GetIndexState() { return DoGetIndexState(); }

absl::StatusOr<IndexHead> SearchIndex::GetIndexHead() { return DoGetIndexHead(); }

absl::StatusOr<RebuildSummary> SearchIndex::RebuildIndex(const RebuildProgress& progress, size_t batch) {
  if (batch == 0) return absl::InvalidArgumentError("a rebuild batch needs at least one entry");
  return DoRebuildIndex(progress, batch);
}

absl::StatusOr<RebuildSummary> SearchIndex::CatchUpIndex(const RebuildProgress& progress,
                                                         size_t batch, size_t max_batches) {
  if (batch == 0) return absl::InvalidArgumentError("a catch-up batch needs at least one entry");
  return DoCatchUpIndex(progress, batch, max_batches);
}

}  // namespace kizuna::store
