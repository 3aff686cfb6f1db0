// Kizuna. Queries of the SQLite store: pages of objects, versions, deletes, counts.
#include <sodium.h>

#include <algorithm>
#include <cstring>

#include "kizuna/base/json_string.h"
#include "kizuna/base/status.h"
#include "kizuna/base/strings.h"
#include "kizuna/store/sqlite/entry_ids.h"
#include "kizuna/store/sqlite/identity_rows.h"
#include "kizuna/store/sqlite/internal.h"
#include "kizuna/store/sqlite/sqlite_store.h"

namespace kizuna::store {
namespace sqlite_internal {

int64_t IdHash(const IdHashKey& key, std::string_view stix_id) {
  unsigned char out[crypto_shorthash_BYTES];
  crypto_shorthash(out, reinterpret_cast<const unsigned char*>(stix_id.data()), stix_id.size(), key.bytes);
  int64_t h;
  std::memcpy(&h, out, sizeof h);
  return h;
}

absl::StatusOr<int64_t> CollectionPk(Connection& db, std::string_view id) {
  KZ_ASSIGN_OR_RETURN(Statement * st, db.Cached("SELECT pk FROM collections WHERE id = ?1"));
  st->Bind(1, id);
  KZ_ASSIGN_OR_RETURN(bool row, st->Step());
  if (!row) return absl::NotFoundError(StrCat("collection '", id, "' does not exist"));
  int64_t pk = st->Int(0);
  st->Reset();
  return pk;
}

absl::StatusOr<bool> IsExerciseCollection(Connection& db, int64_t collection_pk) {
  KZ_ASSIGN_OR_RETURN(Statement * st, db.Cached("SELECT exercise FROM collections WHERE pk = ?1"));
  st->Bind(1, collection_pk);
  KZ_ASSIGN_OR_RETURN(bool row, st->Step());
  bool exercise = row && st->Int(0) != 0;
  st->Reset();
  return exercise;
}

absl::Status RecomputeFlags(Connection& db, int64_t collection_pk, std::string_view stix_id,
                            int64_t id_hash, std::string_view pending_entries) {
  struct Entry {
    int64_t date_added, version_ns, spec;
    bool first, last, top;
  };
  std::vector<Entry> entries;
  static const std::string kSql = StrCat(
      "SELECT date_added_us, version_ns, spec_version, is_first, is_last, is_top_spec"
      " FROM entries NOT INDEXED WHERE ",
      EntriesOfId("date_added_us", "?3", "?1", "?4"), " AND stix_id = ?2");
  KZ_ASSIGN_OR_RETURN(Statement * st, db.Cached(kSql));
  st->Bind(1, collection_pk).Bind(2, stix_id).Bind(3, id_hash).Bind(4, pending_entries);
  for (;;) {
    KZ_ASSIGN_OR_RETURN(bool row, st->Step());
    if (!row) break;
    entries.push_back({st->Int(0), st->Int(1), st->Int(2), st->Int(3) != 0, st->Int(4) != 0,
                       st->Int(5) != 0});
  }
  int64_t top_spec = 0;
  for (const Entry& e : entries) top_spec = std::max(top_spec, e.spec);
  KZ_ASSIGN_OR_RETURN(Statement * update, db.Cached(
      "UPDATE entries SET is_first = ?3, is_last = ?4, is_top_spec = ?5"
      " WHERE date_added_us = ?2 AND collection = ?1"));
  for (const Entry& e : entries) {
    int64_t min_v = e.version_ns, max_v = e.version_ns;
    for (const Entry& o : entries) {
      if (o.spec != e.spec) continue;
      min_v = std::min(min_v, o.version_ns);
      max_v = std::max(max_v, o.version_ns);
    }
    bool first = e.version_ns == min_v, last = e.version_ns == max_v, top = e.spec == top_spec;
    if (first == e.first && last == e.last && top == e.top) continue;
    update->Bind(1, collection_pk).Bind(2, e.date_added).Bind(3, int64_t{first});
    update->Bind(4, int64_t{last}).Bind(5, int64_t{top});
    KZ_RETURN_IF_ERROR(update->Run());
    update->Reset();
  }
  return absl::OkStatus();
}

Transaction::~Transaction() {
  if (open_) db_.Exec("ROLLBACK").IgnoreError();
}

absl::Status Transaction::Begin(const char* begin) {
  KZ_RETURN_IF_ERROR(db_.Exec(begin));
  open_ = true;
  return absl::OkStatus();
}

absl::Status Transaction::Commit() {
  KZ_RETURN_IF_ERROR(db_.Exec("COMMIT"));
  open_ = false;
  return absl::OkStatus();
}

void ReadStoredObject(const Statement& st, StoredObject& o) {
  o.date_added_us = st.Int(0);
  o.id = st.Text(1);
  o.type = st.Text(2);
  o.version_ns = st.Int(3);
  o.spec_version = SpecFromCode(st.Int(4));
  o.version = st.Text(5);
  o.created_by_ref = st.Text(6);
  o.revoked = st.Int(7) != 0;
  // Assigned, not moved in, so that an object read into again keeps its buffers; a null
  // column is the empty string.
  o.markings = st.Text(8);
  o.granular_refs = static_cast<uint32_t>(st.Int(9));
  o.origin = st.Text(10);
  o.single_version = st.Int(11) != 0;
  o.added_by = st.Text(12);
  o.added_by_nation = st.Text(13);
  o.json = st.Text(kStoredObjectJsonColumn);
}

}  // namespace sqlite_internal

namespace {

using sqlite_internal::JsonArray;
using sqlite_internal::SpecCode;
using sqlite_internal::SpecFromCode;

// Appends the version and spec_version conditions of `filter` on entries `e`.
// Parameters: ?6 exact versions, ?7 spec versions.
void AppendVersionConditions(const ObjectFilter& filter, std::string& sql) {
  const VersionFilter& v = filter.versions;
  if (!v.all) {
    std::vector<std::string> terms;
    if (v.first) terms.push_back("e.is_first = 1");
    if (v.last) terms.push_back("e.is_last = 1");
    if (!v.exact_ns.empty()) terms.push_back("e.version_ns IN (SELECT value FROM json_each(?6))");
    if (terms.empty()) terms.push_back("0");
    if (terms.size() == 1) {
      StrAppend(sql, " AND ", terms[0]);
    } else {
      sql += " AND (";
      for (size_t i = 0; i < terms.size(); ++i) StrAppend(sql, i ? " OR " : "", terms[i]);
      sql += ")";
    }
  }
  if (filter.spec_versions.empty()) {
    sql += " AND e.is_top_spec = 1";
  } else {
    sql += " AND e.spec_version IN (SELECT value FROM json_each(?7))";
  }
}

void BindVersionParameters(const ObjectFilter& filter, Statement& st) {
  if (!filter.versions.exact_ns.empty()) st.Bind(6, JsonArray(filter.versions.exact_ns));
  if (!filter.spec_versions.empty()) {
    std::vector<int64_t> codes;
    for (stix::SpecVersion sv : filter.spec_versions) codes.push_back(SpecCode(sv));
    st.Bind(7, JsonArray(codes));
  }
}

}  // namespace

absl::Status SqliteStore::DoGetObjects(std::string_view collection_id, std::string_view object_id,
                                       const PageRequest& request, WithJson with_json, Page& page) {
  const ObjectFilter& filter = request.filter;
  std::string sql = StrCat("SELECT ", sqlite_internal::kStoredObjectColumns);
  // Without JSON, entries with granular markings still bring theirs: the policy needs the
  // selectors to decide.
  sql += with_json == WithJson::kYes ? ", e.json" : ", CASE WHEN e.granular_refs > 0 THEN e.json END";
  // One object's entries come from the id tables; SQLite's planner, without statistics,
  // would otherwise scan the collection in date order.
  sql += object_id.empty() ? " FROM entries e" : " FROM entries e NOT INDEXED";
  sql += " WHERE e.collection = ?1 AND e.date_added_us > ?2";
  if (!object_id.empty()) {
    StrAppend(sql, " AND ", sqlite_internal::EntriesOfId("e.date_added_us", "?9", "?1"),
              " AND e.stix_id = ?3");
  }
  if (!filter.ids.empty()) sql += " AND e.stix_id IN (SELECT value FROM json_each(?4))";
  if (!filter.types.empty()) sql += " AND e.type IN (SELECT value FROM json_each(?5))";
  AppendVersionConditions(filter, sql);
  sql += " ORDER BY e.date_added_us LIMIT ?8";

  KZ_ASSIGN_OR_RETURN(ReaderLease db, AcquireReader());
  KZ_ASSIGN_OR_RETURN(int64_t collection_pk, sqlite_internal::CollectionPk(*db, collection_id));
  KZ_ASSIGN_OR_RETURN(Statement * st, db->Cached(sql));
  int64_t after = std::max(filter.added_after_us.value_or(0),
                           request.after ? request.after->after_date_added_us : int64_t{0});
  st->Bind(1, collection_pk).Bind(2, after);
  if (!object_id.empty()) st->Bind(3, object_id).Bind(9, sqlite_internal::IdHash(id_hash_key_, object_id));
  if (!filter.ids.empty()) st->Bind(4, JsonArray(filter.ids));
  if (!filter.types.empty()) st->Bind(5, JsonArray(filter.types));
  BindVersionParameters(filter, *st);
  st->Bind(8, static_cast<int64_t>(request.limit + 1));

  // The objects already in `page` are read into again, keeping their buffers.
  page.more = false;
  size_t n = 0;
  for (;;) {
    absl::StatusOr<bool> row = st->Step();
    if (!row.ok()) {
      st->Reset();
      return row.status();
    }
    if (!*row) break;
    if (n == request.limit) {
      page.more = true;
      break;
    }
    if (n == page.objects.size()) page.objects.emplace_back();
    sqlite_internal::ReadStoredObject(*st, page.objects[n++]);
  }
  st->Reset();
  page.objects.resize(n);
  page.next = {};
  page.next.after_date_added_us = n == 0 ? after : page.objects.back().date_added_us;
  return absl::OkStatus();
}

absl::StatusOr<int64_t> SqliteStore::DoDeleteObject(std::string_view collection_id,
                                                    std::string_view object_id,
                                                    const ObjectFilter& filter,
                                                    const RecordDelete* record) {
  std::string sql =
      StrCat("DELETE FROM entries AS e NOT INDEXED WHERE ",
             sqlite_internal::EntriesOfId("e.date_added_us", "?9", "?1"), " AND e.stix_id = ?3");
  AppendVersionConditions(filter, sql);
  sql += " RETURNING date_added_us, type, json";
  absl::MutexLock lock(&write_mu_);
  Connection& db = *writer_;
  sqlite_internal::Transaction tx(db);
  KZ_RETURN_IF_ERROR(tx.Begin());
  KZ_ASSIGN_OR_RETURN(int64_t collection_pk, sqlite_internal::CollectionPk(db, collection_id));
  KZ_ASSIGN_OR_RETURN(Statement * st, db.Cached(sql));
  int64_t id_hash = sqlite_internal::IdHash(id_hash_key_, object_id);
  st->Bind(1, collection_pk).Bind(3, object_id).Bind(9, id_hash);
  BindVersionParameters(filter, *st);
  std::vector<int64_t> removed;
  std::vector<std::pair<std::string, std::string>> removed_content;  // type, json
  for (;;) {
    KZ_ASSIGN_OR_RETURN(bool row, st->Step());
    if (!row) break;
    removed.push_back(st->Int(0));
    removed_content.emplace_back(st->Text(1), st->Text(2));
  }
  if (removed.empty()) return 0;
  KZ_ASSIGN_OR_RETURN(std::optional<sqlite_internal::IndexWriter> index, IndexWriterFor(db));
  if (!index) KZ_RETURN_IF_ERROR(sqlite_internal::MarkIndexStale(db, removed));
  for (size_t i = 0; index && i < removed.size(); ++i) {
    KZ_RETURN_IF_ERROR(index->Remove(removed[i], removed_content[i].first, removed_content[i].second));
  }
  KZ_ASSIGN_OR_RETURN(Statement * prov, db.Cached("DELETE FROM provenance WHERE date_added_us = ?1"));
  for (int64_t date_added : removed) {
    prov->Bind(1, date_added);
    KZ_RETURN_IF_ERROR(prov->Run());
    prov->Reset();
  }
  KZ_RETURN_IF_ERROR(sqlite_internal::RecomputeFlags(db, collection_pk, object_id, id_hash));
  if (record != nullptr) {
    KZ_ASSIGN_OR_RETURN(AuditEvent event, (*record)(static_cast<int64_t>(removed.size())));
    if (event.time_us == 0) event.time_us = clock_.NowMicros();
    KZ_RETURN_IF_ERROR(sqlite_internal::InsertAudit(db, event));
  }
  KZ_RETURN_IF_ERROR(tx.Commit());
  return static_cast<int64_t>(removed.size());
}

absl::StatusOr<int64_t> SqliteStore::DoCountObjects(std::string_view collection_id) {
  KZ_ASSIGN_OR_RETURN(ReaderLease db, AcquireReader());
  KZ_ASSIGN_OR_RETURN(int64_t collection_pk, sqlite_internal::CollectionPk(*db, collection_id));
  KZ_ASSIGN_OR_RETURN(Statement * st, db->Cached(
      "SELECT count(*) FROM entries WHERE collection = ?1 AND is_last = 1 AND is_top_spec = 1"));
  st->Bind(1, collection_pk);
  KZ_ASSIGN_OR_RETURN(bool row, st->Step());
  int64_t n = row ? st->Int(0) : 0;
  st->Reset();
  return n;
}

absl::StatusOr<int64_t> SqliteStore::DoNthNewestCurrent(std::string_view collection_id,
                                                        std::string_view type, int64_t before_us,
                                                        int64_t n) {
  KZ_ASSIGN_OR_RETURN(ReaderLease db, AcquireReader());
  KZ_ASSIGN_OR_RETURN(int64_t collection_pk, sqlite_internal::CollectionPk(*db, collection_id));
  // Back from `before_us` on the index of current versions (entries_current).
  KZ_ASSIGN_OR_RETURN(
      Statement * st,
      db->Cached(
          "SELECT date_added_us FROM entries WHERE collection = ?1 AND is_last = 1 AND is_top_spec "
          "= 1"
          " AND type = ?2 AND date_added_us < ?3 ORDER BY date_added_us DESC LIMIT 1 OFFSET ?4"));
  st->Bind(1, collection_pk).BindView(2, type).Bind(3, before_us).Bind(4, n - 1);
  absl::StatusOr<bool> row = st->Step();
  const int64_t found = row.ok() && *row ? st->Int(0) : 0;
  st->Reset();
  KZ_RETURN_IF_ERROR(row.status());
  return found;
}

}  // namespace kizuna::store
