// Kizuna. PgStore: the search index's queries and its rebuild (search_index.h), as
// sqlite/sqlite_search.cc answers them. Full text is PostgreSQL's own: a tsvector per entry
// with a GIN index, queried with the tsquery that pg_text.h makes of the FTS5 expression, and
// ranked with ts_rank (normalised by the entry's length, as bm25 favours short texts; both
// columns weigh the same, as FTS5's bm25 weighs them by default).
#include <arpa/inet.h>

#include <algorithm>
#include <chrono>
#include <deque>
#include <limits>

#include "absl/cleanup/cleanup.h"
#include "absl/container/flat_hash_map.h"
#include "kizuna/base/json_string.h"
#include "kizuna/base/status.h"
#include "kizuna/base/strings.h"
#include "kizuna/store/postgres/pg_index_writer.h"
#include "kizuna/store/postgres/pg_internal.h"
#include "kizuna/store/postgres/pg_store.h"
#include "kizuna/store/postgres/pg_text.h"

namespace kizuna::store {
namespace {

using pg::Param;
using pg_internal::BlockText;
using pg_internal::JsonArray;
using pg_internal::Network;

// Entries with their collection's id: kStoredObjectColumns, then c.id.
const std::string& LocatedSelect() {
  static const std::string sql =
      StrCat("SELECT ", pg_internal::kStoredObjectColumns,
             ", c.id FROM entries e JOIN collections c ON c.pk = e.collection");
  return sql;
}
constexpr int kLocatedCollectionColumn = pg_internal::kStoredObjectJsonColumn + 1;

std::vector<LocatedObject> ReadLocated(const pg::Result& r) {
  std::vector<LocatedObject> out(static_cast<size_t>(r.rows()));
  for (int i = 0; i < r.rows(); ++i) {
    pg_internal::ReadStoredObject(r, i, out[i].object);
    out[i].collection_id = r.Text(i, kLocatedCollectionColumn);
  }
  return out;
}

// Value rows `v` with their entry `e` and its collection `c`.
constexpr std::string_view kHitSelect =
    "SELECT v.entry, c.id, v.kind, v.path, v.value FROM search_values v"
    " JOIN entries e ON e.date_added_us = v.entry JOIN collections c ON c.pk = e.collection WHERE ";

void ReadHits(const pg::Result& r, std::vector<IndexHit>& out) {
  for (int i = 0; i < r.rows(); ++i) {
    IndexHit& hit = out.emplace_back();
    hit.date_added_us = r.Int(i, 0);
    hit.collection_id = r.Text(i, 1);
    hit.kind = static_cast<ValueKind>(r.Int(i, 2));
    hit.path = r.Text(i, 3);
    hit.value = r.Text(i, 4);
  }
}

// Builds the parameters of a statement as its SQL text is written: Add returns "$n". Text
// parameters view their strings: they are kept in `texts` (a deque keeps them in place).
class Params {
 public:
  std::string Add(Param p) {
    params_.push_back(p);
    return StrCat("$", params_.size());
  }
  std::string AddText(std::string text) {
    texts_.push_back(std::move(text));
    return Add(Param::Text(texts_.back()));
  }
  const std::vector<Param>& list() const { return params_; }

 private:
  std::vector<Param> params_;
  std::deque<std::string> texts_;
};

// Matches of a full-text query ranked at most: the newest ones, after the filters
// (docs/search.md), as the SQLite store ranks.
constexpr int64_t kMaxRankedMatches = 20'000;

// The rank of entry words `words` for the query $1 (higher is better).
std::string Rank(std::string_view words) {
  return StrCat("ts_rank('{1,1,1,1}', ", words, ", $1::tsquery, 1)");
}

}  // namespace

absl::StatusOr<std::vector<IndexHit>> PgStore::DoFindValues(std::span<const std::string> values,
                                                            int64_t after_us, size_t limit) {
  KZ_ASSIGN_OR_RETURN(ReaderLease db, AcquireReader());
  std::vector<IndexHit> out;
  if (values.size() == 1) {
    // One value: its rows come in entry order from the primary key.
    static const std::string kOne = StrCat(
        kHitSelect, "v.value = $1 AND v.entry > $2 ORDER BY v.entry, v.kind, v.path LIMIT $3");
    KZ_ASSIGN_OR_RETURN(pg::Result r, db->Run("find a value", kOne,
                                              {Param::Text(values[0]), Param::Int(after_us),
                                               Param::Int(static_cast<int64_t>(limit))}));
    ReadHits(r, out);
    return out;
  }
  static const std::string kMany =
      StrCat(kHitSelect,
             "v.value IN (SELECT jsonb_array_elements_text($1::jsonb)) AND v.entry > $2"
             " ORDER BY v.entry, v.value, v.kind, v.path LIMIT $3");
  const std::string list = JsonArray(values);
  KZ_ASSIGN_OR_RETURN(pg::Result r, db->Run("find values", kMany,
                                            {Param::Text(list), Param::Int(after_us),
                                             Param::Int(static_cast<int64_t>(limit))}));
  ReadHits(r, out);
  return out;
}

absl::StatusOr<std::vector<IndexHit>> PgStore::DoFindValueRange(std::string_view from,
                                                                std::string_view to,
                                                                std::string_view after_value,
                                                                int64_t after_entry, size_t limit) {
  KZ_ASSIGN_OR_RETURN(ReaderLease db, AcquireReader());
  // One row-value bound (the primary key's range), so that each page starts at its cursor.
  static const std::string kRange = StrCat(kHitSelect,
                                           "(v.value, v.entry) > ($1, $2) AND v.value < $3 ORDER "
                                           "BY v.value, v.entry, v.kind, v.path LIMIT $4");
  const bool from_start = after_value < from;
  KZ_ASSIGN_OR_RETURN(
      pg::Result r,
      db->Run("find a range of values", kRange,
              {Param::Text(from_start ? from : after_value),
               Param::Int(from_start ? std::numeric_limits<int64_t>::min() : after_entry),
               Param::Text(to), Param::Int(static_cast<int64_t>(limit))}));
  std::vector<IndexHit> out;
  ReadHits(r, out);
  return out;
}

absl::StatusOr<std::vector<IndexHit>> PgStore::DoFindRanges(bool v6,
                                                            const std::array<uint8_t, 16>& address,
                                                            int prefix, size_t limit) {
  // The block's network at every prefix length up to its own, [length, hex bytes] each: one
  // primary-key lookup per length, in one statement.
  std::string networks = "[";
  for (int p = 0; p <= prefix; ++p) {
    std::array<uint8_t, 16> network = Network(address, p);
    StrAppend(networks, p > 0 ? "," : "", "[", p, ",\"");
    for (int i = 0; i < (v6 ? 16 : 4); ++i) {
      static constexpr char kHex[] = "0123456789abcdef";
      networks += kHex[network[i] >> 4];
      networks += kHex[network[i] & 15];
    }
    networks += "\"]";
  }
  networks += "]";
  KZ_ASSIGN_OR_RETURN(ReaderLease db, AcquireReader());
  KZ_ASSIGN_OR_RETURN(pg::Result r, db->Run("find blocks containing an address",
                                            "SELECT r.entry, c.id, r.kind, r.path, r.prefix, "
                                            "r.start FROM jsonb_array_elements($2::jsonb) q"
                                            " JOIN search_ranges r ON r.family = $1 AND r.prefix = "
                                            "(q->>0)::bigint AND r.start = decode(q->>1, 'hex')"
                                            " JOIN entries e ON e.date_added_us = r.entry JOIN "
                                            "collections c ON c.pk = e.collection LIMIT $3",
                                            {Param::Int(v6 ? 6 : 4), Param::Text(networks),
                                             Param::Int(static_cast<int64_t>(limit))}));
  std::vector<IndexHit> out;
  for (int i = 0; i < r.rows(); ++i) {
    IndexHit& hit = out.emplace_back();
    hit.date_added_us = r.Int(i, 0);
    hit.collection_id = r.Text(i, 1);
    hit.kind = static_cast<ValueKind>(r.Int(i, 2));
    hit.path = r.Text(i, 3);
    hit.value = BlockText(v6, r.Text(i, 5), r.Int(i, 4));
  }
  return out;
}

absl::StatusOr<std::vector<IndexHit>> PgStore::DoValuesOf(int64_t date_added_us) {
  KZ_ASSIGN_OR_RETURN(ReaderLease db, AcquireReader());
  static const std::string kOfEntry =
      StrCat(kHitSelect, "v.entry = $1 ORDER BY v.value, v.kind, v.path");
  KZ_ASSIGN_OR_RETURN(pg::Result values,
                      db->Run("read an entry's values", kOfEntry, {Param::Int(date_added_us)}));
  std::vector<IndexHit> out;
  ReadHits(values, out);
  KZ_ASSIGN_OR_RETURN(
      pg::Result ranges,
      db->Run(
          "read an entry's blocks",
          "SELECT r.family, r.prefix, r.start, r.kind, r.path, c.id FROM search_ranges r"
          " JOIN entries e ON e.date_added_us = r.entry JOIN collections c ON c.pk = e.collection"
          " WHERE r.entry = $1 ORDER BY r.family, r.prefix, r.start, r.kind, r.path",
          {Param::Int(date_added_us)}));
  for (int i = 0; i < ranges.rows(); ++i) {
    IndexHit& hit = out.emplace_back();
    hit.date_added_us = date_added_us;
    hit.collection_id = ranges.Text(i, 5);
    hit.value = BlockText(ranges.Int(i, 0) == 6, ranges.Text(i, 2), ranges.Int(i, 1));
    hit.kind = static_cast<ValueKind>(ranges.Int(i, 3));
    hit.path = ranges.Text(i, 4);
  }
  return out;
}

absl::StatusOr<std::vector<int64_t>> PgStore::DoFindText(const TextQuery& query) {
  const auto late = [&] {
    return absl::DeadlineExceededError(StrCat("the full-text query '", query.match,
                                              "' ran longer than ", query.deadline_ms,
                                              " ms; add words or filters to narrow it"));
  };
  // statement_timeout 0 means none: a deadline of 0 has passed at the first check.
  if (query.deadline_ms <= 0) return late();
  const auto end = std::chrono::steady_clock::now() + std::chrono::milliseconds(query.deadline_ms);
  KZ_ASSIGN_OR_RETURN(std::optional<std::string> tsquery, pg_internal::TsQueryText(query.match));
  std::vector<int64_t> out;
  if (!tsquery) return out;  // a phrase without words: no entry matches

  // Only the entries' keys go through the ranking's sort; their JSON is read by page later.
  const bool filtered = !query.types.empty() || !query.collections.empty() ||
                        query.added_after_us > 0 || query.added_before_us > 0 ||
                        query.valid_at_us.has_value();
  Params params;
  params.AddText(*tsquery);  // $1
  std::string matches =
      filtered ? " FROM search_text f JOIN entries e ON e.date_added_us = f.entry"
                 " JOIN collections c ON c.pk = e.collection WHERE f.words @@ $1::tsquery"
               : " FROM search_text f WHERE f.words @@ $1::tsquery";
  if (!query.types.empty()) {
    StrAppend(matches, " AND e.type IN (SELECT jsonb_array_elements_text(",
              params.AddText(JsonArray(std::span<const std::string>(query.types))), "::jsonb))");
  }
  if (!query.collections.empty()) {
    StrAppend(matches, " AND c.id IN (SELECT jsonb_array_elements_text(",
              params.AddText(JsonArray(std::span<const std::string>(query.collections))),
              "::jsonb))");
  }
  if (query.added_after_us > 0)
    StrAppend(matches, " AND e.date_added_us > ", params.Add(Param::Int(query.added_after_us)));
  if (query.added_before_us > 0) {
    StrAppend(matches, " AND e.date_added_us < ", params.Add(Param::Int(query.added_before_us)));
  }
  if (query.valid_at_us) {
    const std::string t = params.Add(Param::Int(*query.valid_at_us));
    StrAppend(matches, " AND NOT e.revoked AND coalesce(e.valid_from_us, ", t, ") <= ", t,
              " AND coalesce(e.valid_until_us, ", t, " + 1) > ", t);
  }

  KZ_ASSIGN_OR_RETURN(ReaderLease db, AcquireReader());
  pg::Transaction tx(*db);
  KZ_RETURN_IF_ERROR(tx.Begin("BEGIN READ ONLY"));
  // Each statement may run for what is left of the deadline (statement_timeout, this
  // transaction only); a statement cancelled by it comes back as DeadlineExceeded.
  const auto limit_time = [&]() -> absl::Status {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                    end - std::chrono::steady_clock::now())
                    .count();
    if (left <= 0) return late();
    const std::string ms = StrCat(left);
    return db
        ->Run("limit a full-text query's time", "SELECT set_config('statement_timeout', $1, true)",
              {Param::Text(ms)})
        .status();
  };
  const auto failed = [&](const absl::Status& status) {
    return absl::IsDeadlineExceeded(status) ? late() : status;
  };

  // Whether more than kMaxRankedMatches match, counted without ranking and stopped there.
  KZ_RETURN_IF_ERROR(limit_time());
  Params count_params = params;
  const std::string count_sql = StrCat("SELECT count(*) FROM (SELECT 1", matches, " LIMIT ",
                                       count_params.Add(Param::Int(kMaxRankedMatches + 1)), ") m");
  absl::StatusOr<pg::Result> counted =
      db->Run("count full-text matches", count_sql, count_params.list());
  if (!counted.ok()) return failed(counted.status());
  const bool many = counted->Int(0, 0) > kMaxRankedMatches;

  // Beyond kMaxRankedMatches, the newest that many are taken first, then ranked: the rank is
  // computed for each match ranked, so a word every object carries would otherwise cost one
  // score per entry held.
  std::string sql;
  if (many) {
    const std::string newest = params.Add(Param::Int(kMaxRankedMatches));
    sql = StrCat("SELECT m.entry FROM (SELECT f.entry, f.words", matches,
                 " ORDER BY f.entry DESC LIMIT ", newest, ") m ORDER BY ", Rank("m.words"),
                 " DESC, m.entry");
  } else {
    sql = StrCat("SELECT f.entry", matches, " ORDER BY ", Rank("f.words"), " DESC, f.entry");
  }
  StrAppend(sql, " LIMIT ", params.Add(Param::Int(static_cast<int64_t>(query.limit))), " OFFSET ",
            params.Add(Param::Int(static_cast<int64_t>(query.offset))));
  KZ_RETURN_IF_ERROR(limit_time());
  absl::StatusOr<pg::Result> ranked = db->Run("rank full-text matches", sql, params.list());
  if (!ranked.ok()) return failed(ranked.status());
  out.reserve(static_cast<size_t>(ranked->rows()));
  for (int i = 0; i < ranked->rows(); ++i) out.push_back(ranked->Int(i, 0));
  KZ_RETURN_IF_ERROR(tx.Commit());
  return out;
}

absl::StatusOr<std::vector<LocatedObject>> PgStore::DoReadEntries(
    std::span<const int64_t> date_added_us) {
  KZ_ASSIGN_OR_RETURN(ReaderLease db, AcquireReader());
  static const std::string kSql =
      StrCat(LocatedSelect(),
             " WHERE e.date_added_us IN (SELECT jsonb_array_elements_text($1::jsonb)::bigint)");
  const std::string list = JsonArray(date_added_us);
  KZ_ASSIGN_OR_RETURN(pg::Result r, db->Run("read entries", kSql, {Param::Text(list)}));
  std::vector<LocatedObject> found = ReadLocated(r);
  absl::flat_hash_map<int64_t, size_t> at;
  for (size_t i = 0; i < found.size(); ++i) at[found[i].object.date_added_us] = i;
  std::vector<LocatedObject> out;
  out.reserve(found.size());
  for (int64_t d : date_added_us) {
    auto it = at.find(d);
    if (it != at.end()) out.push_back(found[it->second]);
  }
  return out;
}

absl::StatusOr<std::vector<LocatedObject>> PgStore::DoReadObject(std::string_view object_id) {
  KZ_ASSIGN_OR_RETURN(ReaderLease db, AcquireReader());
  static const std::string kSql = StrCat(
      LocatedSelect(), " WHERE e.stix_id = $1 AND e.is_top_spec ORDER BY e.date_added_us LIMIT $2");
  KZ_ASSIGN_OR_RETURN(pg::Result r, db->Run("read an object's entries", kSql,
                                            {Param::Text(object_id),
                                             Param::Int(static_cast<int64_t>(kMaxPageLimit))}));
  return ReadLocated(r);
}

absl::StatusOr<IndexState> PgStore::DoGetIndexState() {
  KZ_ASSIGN_OR_RETURN(ReaderLease db, AcquireReader());
  IndexState state;
  KZ_ASSIGN_OR_RETURN(state.version, pg_internal::StoredIndexVersion(*db));
  state.complete =
      state.version != 0 && indexer_ != nullptr && state.version == indexer_->Version();
  KZ_ASSIGN_OR_RETURN(
      pg::Result r,
      db->Run("count the search index's rows",
              "SELECT (SELECT count(*) FROM search_values),"
              " (SELECT count(*) FROM search_ranges), (SELECT count(*) FROM search_text)"));
  state.values = r.Int(0, 0);
  state.ranges = r.Int(0, 1);
  state.texts = r.Int(0, 2);
  return state;
}

absl::StatusOr<IndexHead> PgStore::DoGetIndexHead() {
  KZ_ASSIGN_OR_RETURN(ReaderLease db, AcquireReader());
  IndexHead head;
  KZ_ASSIGN_OR_RETURN(head.version, pg_internal::StoredIndexVersion(*db));
  return head;
}

absl::StatusOr<RebuildSummary> PgStore::DoCatchUpIndex(const RebuildProgress& /*progress*/,
                                                       size_t /*batch*/, size_t /*max_batches*/) {
  if (indexer_ == nullptr)
    return absl::FailedPreconditionError("the store has no indexer to index entries with");
  KZ_ASSIGN_OR_RETURN(IndexHead head, DoGetIndexHead());
  if (head.version != indexer_->Version()) {
    return absl::FailedPreconditionError(
        StrCat("the search index is stale (indexer version ", head.version, ", this Kizuna's is ",
               indexer_->Version(), "): run `kizuna index rebuild`"));
  }
  return RebuildSummary{};  // indexed in every write transaction: never behind
}

absl::StatusOr<std::optional<pg_internal::PgIndexWriter>> PgStore::IndexWriterFor(
    pg::Connection& db) {
  std::optional<pg_internal::PgIndexWriter> out;
  if (indexer_ == nullptr) return out;
  KZ_ASSIGN_OR_RETURN(int64_t version, pg_internal::StoredIndexVersion(db));
  if (version == indexer_->Version()) out.emplace(db, *indexer_);
  return out;
}

absl::StatusOr<RebuildSummary> PgStore::DoRebuildIndex(const RebuildProgress& progress,
                                                       size_t batch) {
  if (indexer_ == nullptr)
    return absl::FailedPreconditionError("the store has no indexer to rebuild its index with");
  // One rebuild at a time on the database: a second one's TRUNCATE would wipe what the first
  // had written, and the first would then mark the index complete.
  {
    absl::MutexLock lock(&write_mu_);
    KZ_ASSIGN_OR_RETURN(pg::Result taken,
                        writer_->Run("take the rebuild lock", "SELECT pg_try_advisory_lock($1)",
                                     {Param::Int(kRebuildLockKey)}));
    if (!taken.Bool(0, 0)) {
      return absl::FailedPreconditionError(
          "another process is rebuilding the search index: try again when it is done");
    }
  }
  absl::Cleanup unlock = [this] {
    absl::MutexLock lock(&write_mu_);
    writer_
        ->Run("give the rebuild lock back", "SELECT pg_advisory_unlock($1)",
              {Param::Int(kRebuildLockKey)})
        .IgnoreError();
  };
  RebuildSummary summary;
  int64_t total = 0;
  {
    absl::MutexLock lock(&write_mu_);
    pg::Transaction tx(*writer_);
    KZ_RETURN_IF_ERROR(BeginWrite(tx));
    pg::Connection& db = *writer_;
    KZ_RETURN_IF_ERROR(
        db.Exec("empty the search index", "TRUNCATE search_values, search_ranges, search_text"));
    KZ_RETURN_IF_ERROR(pg_internal::SetStoredIndexVersion(db, 0));
    KZ_ASSIGN_OR_RETURN(pg::Result count, db.Run("count entries", "SELECT count(*) FROM entries"));
    total = count.Int(0, 0);
    KZ_RETURN_IF_ERROR(tx.Commit());
  }
  // Batch by batch, each its own transaction, so writers wait at most one batch. Entries
  // written meanwhile (by any process) come after the cursor: date_added only grows, in commit
  // order (pg_store.h), and they are indexed here.
  for (int64_t after = 0;;) {
    absl::MutexLock lock(&write_mu_);
    pg::Transaction tx(*writer_);
    KZ_RETURN_IF_ERROR(BeginWrite(tx));
    pg::Connection& db = *writer_;
    KZ_ASSIGN_OR_RETURN(
        pg::Result rows,
        db.Run("read entries to index",
               "SELECT date_added_us, type, json FROM entries WHERE date_added_us > $1"
               " ORDER BY date_added_us LIMIT $2",
               {Param::Int(after), Param::Int(static_cast<int64_t>(batch))}));
    const auto n = static_cast<size_t>(rows.rows());
    pg_internal::PgIndexWriter writer(db, *indexer_);
    for (int i = 0; i < rows.rows(); ++i)
      KZ_RETURN_IF_ERROR(writer.Add(rows.Int(i, 0), rows.Text(i, 1), rows.Text(i, 2)));
    KZ_RETURN_IF_ERROR(writer.Flush());
    if (n < batch) KZ_RETURN_IF_ERROR(pg_internal::SetStoredIndexVersion(db, indexer_->Version()));
    KZ_RETURN_IF_ERROR(tx.Commit());
    summary.entries += static_cast<int64_t>(n);
    summary.values += writer.values();
    summary.ranges += writer.ranges();
    summary.texts += writer.texts();
    if (progress) progress(summary.entries, std::max(total, summary.entries));
    if (n < batch) break;
    after = rows.Int(rows.rows() - 1, 0);
  }
  return summary;
}

}  // namespace kizuna::store
