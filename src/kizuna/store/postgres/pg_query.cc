// Kizuna. Queries of the PostgreSQL store: pages of objects, versions, deletes, counts, and
// the version flags (is_first, is_last, is_top_spec) that the queries select by.
#include <algorithm>
#include <deque>

#include "kizuna/base/json_string.h"
#include "kizuna/base/status.h"
#include "kizuna/base/strings.h"
#include "kizuna/store/postgres/pg_internal.h"
#include "kizuna/store/postgres/pg_store.h"

namespace kizuna::store {
namespace pg_internal {

using pg::Param;

void RecomputeFlags(std::vector<FlagEntry>& entries) {
  int64_t top_spec = 0;
  for (const FlagEntry& e : entries) top_spec = std::max(top_spec, e.spec);
  for (FlagEntry& e : entries) {
    int64_t min_v = e.version_ns, max_v = e.version_ns;
    for (const FlagEntry& o : entries) {
      if (o.spec != e.spec) continue;
      min_v = std::min(min_v, o.version_ns);
      max_v = std::max(max_v, o.version_ns);
    }
    bool first = e.version_ns == min_v, last = e.version_ns == max_v, top = e.spec == top_spec;
    e.changed = e.changed || first != e.first || last != e.last || top != e.top;
    e.first = first;
    e.last = last;
    e.top = top;
  }
}

absl::Status WriteFlags(pg::Connection& db, const std::vector<FlagEntry>& entries) {
  for (const FlagEntry& e : entries) {
    if (!e.changed) continue;
    KZ_RETURN_IF_ERROR(db.Run("update version flags",
                              "UPDATE entries SET is_first = $2, is_last = $3, is_top_spec = $4"
                              " WHERE date_added_us = $1",
                              {Param::Int(e.date_added_us), Param::Bool(e.first),
                               Param::Bool(e.last), Param::Bool(e.top)})
                           .status());
  }
  return absl::OkStatus();
}

absl::Status RefreshFlags(pg::Connection& db, int64_t collection_pk, std::string_view stix_id) {
  KZ_ASSIGN_OR_RETURN(pg::Result r,
                      db.Run("read version flags",
                             "SELECT date_added_us, version_ns, spec_version, is_first, is_last,"
                             " is_top_spec FROM entries WHERE stix_id = $1 AND collection = $2",
                             {Param::Text(stix_id), Param::Int(collection_pk)}));
  std::vector<FlagEntry> entries;
  for (int i = 0; i < r.rows(); ++i) {
    entries.push_back(
        {r.Int(i, 0), r.Int(i, 1), r.Int(i, 2), r.Bool(i, 3), r.Bool(i, 4), r.Bool(i, 5)});
  }
  RecomputeFlags(entries);
  return WriteFlags(db, entries);
}

void ReadStoredObject(const pg::Result& r, int i, StoredObject& o) {
  o.date_added_us = r.Int(i, 0);
  o.id = r.Text(i, 1);
  o.type = r.Text(i, 2);
  o.version_ns = r.Int(i, 3);
  o.spec_version = pg_internal::SpecFromCode(r.Int(i, 4));
  o.version = r.Text(i, 5);
  o.created_by_ref = r.Text(i, 6);
  o.revoked = r.Bool(i, 7);
  o.markings = r.Text(i, 8);
  o.granular_refs = static_cast<uint32_t>(r.Int(i, 9));
  o.origin = r.Text(i, 10);
  o.single_version = r.Bool(i, 11);
  o.added_by = r.Text(i, 12);
  o.added_by_nation = r.Text(i, 13);
  o.json = r.Text(i, 14);
}

}  // namespace pg_internal

namespace {

using pg::Param;
using pg_internal::SpecCode;
using sqlite_internal::JsonArray;

// Builds the parameters of a statement as its SQL text is written: Add returns "$n".
class Params {
 public:
  std::string Add(Param p) {
    params_.push_back(p);
    return StrCat("$", params_.size());
  }
  const std::vector<Param>& list() const { return params_; }

 private:
  std::vector<Param> params_;
};

// Appends the version and spec_version conditions of `filter` on entries `e`; the arrays they
// bind are kept in `texts` (a deque: the parameters view them in place).
void AppendVersionConditions(const ObjectFilter& filter, Params& params,
                             std::deque<std::string>& texts, std::string& sql) {
  const VersionFilter& v = filter.versions;
  if (!v.all) {
    std::vector<std::string> terms;
    if (v.first) terms.push_back("e.is_first");
    if (v.last) terms.push_back("e.is_last");
    if (!v.exact_ns.empty()) {
      texts.push_back(JsonArray(v.exact_ns));
      terms.push_back(StrCat("e.version_ns IN (SELECT jsonb_array_elements_text(",
                             params.Add(Param::Text(texts.back())), "::jsonb)::bigint)"));
    }
    if (terms.empty()) terms.push_back("false");
    sql += " AND (";
    for (size_t i = 0; i < terms.size(); ++i) StrAppend(sql, i ? " OR " : "", terms[i]);
    sql += ")";
  }
  if (filter.spec_versions.empty()) {
    sql += " AND e.is_top_spec";
  } else {
    std::vector<int64_t> codes;
    for (stix::SpecVersion sv : filter.spec_versions) codes.push_back(SpecCode(sv));
    texts.push_back(JsonArray(codes));
    StrAppend(sql, " AND e.spec_version IN (SELECT jsonb_array_elements_text(",
              params.Add(Param::Text(texts.back())), "::jsonb)::smallint)");
  }
}

}  // namespace

absl::Status PgStore::DoGetObjects(std::string_view collection_id, std::string_view object_id,
                                   const PageRequest& request, WithJson with_json, Page& page) {
  const ObjectFilter& filter = request.filter;
  KZ_ASSIGN_OR_RETURN(ReaderLease db, AcquireReader());
  KZ_ASSIGN_OR_RETURN(int64_t collection_pk, CollectionPk(*db, collection_id));
  int64_t after = std::max(filter.added_after_us.value_or(0),
                           request.after ? request.after->after_date_added_us : int64_t{0});
  Params params;
  std::deque<std::string> texts;  // the JSON arrays bound (views: a deque keeps them in place)
  std::string sql =
      "SELECT e.date_added_us, e.stix_id, e.type, e.version_ns, e.spec_version, e.version, "
      "e.created_by_ref,"
      " e.revoked, e.markings, e.granular_refs, e.origin, e.is_first AND e.is_last, e.added_by,"
      " e.added_by_nation, ";
  // Without JSON, entries with granular markings still bring theirs: the policy needs the
  // selectors to decide.
  sql += with_json == WithJson::kYes ? "e.json" : "CASE WHEN e.granular_refs > 0 THEN e.json END";
  StrAppend(sql, " FROM entries e WHERE e.collection = ", params.Add(Param::Int(collection_pk)),
            " AND e.date_added_us > ", params.Add(Param::Int(after)));
  if (!object_id.empty()) StrAppend(sql, " AND e.stix_id = ", params.Add(Param::Text(object_id)));
  if (!filter.ids.empty()) {
    texts.push_back(JsonArray(filter.ids));
    StrAppend(sql, " AND e.stix_id IN (SELECT jsonb_array_elements_text(",
              params.Add(Param::Text(texts.back())), "::jsonb))");
  }
  if (!filter.types.empty()) {
    texts.push_back(JsonArray(filter.types));
    StrAppend(sql, " AND e.type IN (SELECT jsonb_array_elements_text(",
              params.Add(Param::Text(texts.back())), "::jsonb))");
  }
  AppendVersionConditions(filter, params, texts, sql);
  StrAppend(sql, " ORDER BY e.date_added_us LIMIT ",
            params.Add(Param::Int(static_cast<int64_t>(request.limit + 1))));
  KZ_ASSIGN_OR_RETURN(pg::Result r, db->Run("read a page of objects", sql, params.list()));

  // The objects already in `page` are read into again, keeping their buffers.
  size_t n = std::min(static_cast<size_t>(r.rows()), request.limit);
  page.more = static_cast<size_t>(r.rows()) > request.limit;
  if (page.objects.size() < n) page.objects.resize(n);
  for (size_t i = 0; i < n; ++i)
    pg_internal::ReadStoredObject(r, static_cast<int>(i), page.objects[i]);
  page.objects.resize(n);
  page.next = {};
  page.next.after_date_added_us = n == 0 ? after : page.objects.back().date_added_us;
  return absl::OkStatus();
}

absl::StatusOr<int64_t> PgStore::DoDeleteObject(std::string_view collection_id,
                                                std::string_view object_id,
                                                const ObjectFilter& filter,
                                                const RecordDelete* record) {
  absl::MutexLock lock(&write_mu_);
  pg::Transaction tx(*writer_);
  KZ_RETURN_IF_ERROR(BeginWrite(tx));
  pg::Connection& db = *writer_;
  KZ_ASSIGN_OR_RETURN(int64_t collection_pk, CollectionPk(db, collection_id));
  Params params;
  std::deque<std::string> texts;
  std::string sql = StrCat(
      "DELETE FROM entries AS e WHERE e.collection = ", params.Add(Param::Int(collection_pk)),
      " AND e.stix_id = ", params.Add(Param::Text(object_id)));
  AppendVersionConditions(filter, params, texts, sql);
  sql += " RETURNING e.date_added_us";
  KZ_ASSIGN_OR_RETURN(pg::Result removed, db.Run("delete object versions", sql, params.list()));
  if (removed.rows() == 0) return 0;
  // The search index rows of the removed entries, in this transaction (pg_search.cc).
  std::vector<int64_t> removed_entries;
  for (int i = 0; i < removed.rows(); ++i) removed_entries.push_back(removed.Int(i, 0));
  KZ_ASSIGN_OR_RETURN(std::optional<pg_internal::PgIndexWriter> index, IndexWriterFor(db));
  if (!index) KZ_RETURN_IF_ERROR(pg_internal::MarkIndexStale(db, removed_entries));
  for (size_t i = 0; index && i < removed_entries.size(); ++i)
    KZ_RETURN_IF_ERROR(index->Remove(removed_entries[i]));
  for (int i = 0; i < removed.rows(); ++i) {
    KZ_RETURN_IF_ERROR(db.Run("delete provenance",
                              "DELETE FROM provenance WHERE date_added_us = $1",
                              {Param::Int(removed.Int(i, 0))})
                           .status());
  }
  KZ_RETURN_IF_ERROR(pg_internal::RefreshFlags(db, collection_pk, object_id));
  if (record != nullptr) {
    KZ_ASSIGN_OR_RETURN(AuditEvent event, (*record)(removed.rows()));
    if (event.time_us == 0) event.time_us = clock_.NowMicros();
    KZ_RETURN_IF_ERROR(pg_internal::InsertAudit(db, event));
  }
  KZ_RETURN_IF_ERROR(tx.Commit());
  return removed.rows();
}

absl::StatusOr<int64_t> PgStore::DoCountObjects(std::string_view collection_id) {
  KZ_ASSIGN_OR_RETURN(ReaderLease db, AcquireReader());
  KZ_ASSIGN_OR_RETURN(int64_t collection_pk, CollectionPk(*db, collection_id));
  KZ_ASSIGN_OR_RETURN(pg::Result r,
                      db->Run("count objects",
                              "SELECT count(*) FROM entries WHERE collection = $1 AND is_last"
                              " AND is_top_spec",
                              {Param::Int(collection_pk)}));
  return r.Int(0, 0);
}

absl::StatusOr<int64_t> PgStore::DoNthNewestCurrent(std::string_view collection_id,
                                                    std::string_view type, int64_t before_us,
                                                    int64_t n) {
  KZ_ASSIGN_OR_RETURN(ReaderLease db, AcquireReader());
  KZ_ASSIGN_OR_RETURN(int64_t collection_pk, CollectionPk(*db, collection_id));
  // Back from `before_us` on the index of current versions (entries_current).
  KZ_ASSIGN_OR_RETURN(
      pg::Result r,
      db->Run("find the n-th newest current object of a type",
              "SELECT date_added_us FROM entries WHERE collection = $1 AND is_last AND is_top_spec"
              " AND type = $2 AND date_added_us < $3 ORDER BY date_added_us DESC LIMIT 1 OFFSET $4",
              {Param::Int(collection_pk), Param::Text(type), Param::Int(before_us),
               Param::Int(n - 1)}));
  return r.rows() == 0 ? 0 : r.Int(0, 0);
}

}  // namespace kizuna::store
