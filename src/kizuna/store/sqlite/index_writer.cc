// Kizuna.
#include "kizuna/store/sqlite/index_writer.h"

#include "kizuna/base/status.h"

namespace kizuna::store::sqlite_internal {
namespace {

std::string_view Bytes(const std::array<uint8_t, 16>& a, bool v6) {
  return std::string_view(reinterpret_cast<const char*>(a.data()), v6 ? 16 : 4);
}

// Removes the value and range rows of `entries`.
absl::Status RemoveRows(Connection& db, std::span<const int64_t> entries) {
  for (const char* sql : {"DELETE FROM search_values WHERE entry = ?1",
                          "DELETE FROM search_ranges WHERE entry = ?1"}) {
    KZ_ASSIGN_OR_RETURN(Statement * st, db.Cached(sql));
    for (int64_t entry : entries) {
      st->Bind(1, entry);
      absl::Status s = st->Run();
      st->Reset();
      KZ_RETURN_IF_ERROR(s);
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status IndexWriter::Add(int64_t entry, std::string_view type, std::string_view json) {
  indexer_.Extract(type, json, scratch_);
  if (!scratch_.values.empty()) {
    // OR IGNORE: one object may carry one value twice at one path (a list, a pattern).
    KZ_ASSIGN_OR_RETURN(Statement * st, db_.Cached(
        "INSERT OR IGNORE INTO search_values (value, entry, kind, path) VALUES (?1, ?2, ?3, ?4)"));
    for (const IndexedValue& v : scratch_.values) {
      st->BindView(1, v.value).Bind(2, entry).Bind(3, static_cast<int64_t>(v.kind)).BindView(4, v.path);
      absl::Status s = st->Run();
      st->Reset();
      KZ_RETURN_IF_ERROR(s);
      ++values_;
    }
  }
  if (!scratch_.ranges.empty()) {
    KZ_ASSIGN_OR_RETURN(Statement * st, db_.Cached(
        "INSERT OR IGNORE INTO search_ranges (family, prefix, start, end, entry, kind, path)"
        " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)"));
    for (const IndexedRange& r : scratch_.ranges) {
      st->Bind(1, r.v6 ? 6 : 4).Bind(2, r.prefix).BindBlobView(3, Bytes(r.start, r.v6));
      st->BindBlobView(4, Bytes(r.end, r.v6)).Bind(5, entry).Bind(6, static_cast<int64_t>(r.kind));
      st->BindView(7, r.path);
      absl::Status s = st->Run();
      st->Reset();
      KZ_RETURN_IF_ERROR(s);
      ++ranges_;
    }
  }
  if (!scratch_.names.empty() || !scratch_.text.empty()) {
    KZ_ASSIGN_OR_RETURN(Statement * st, db_.Cached(
        "INSERT INTO search_text (rowid, names, text) VALUES (?1, ?2, ?3)"));
    st->Bind(1, entry).BindView(2, scratch_.names).BindView(3, scratch_.text);
    absl::Status s = st->Run();
    st->Reset();
    KZ_RETURN_IF_ERROR(s);
    ++texts_;
  }
  return absl::OkStatus();
}

absl::Status IndexWriter::Remove(int64_t entry, std::string_view type, std::string_view json) {
  KZ_RETURN_IF_ERROR(RemoveRows(db_, std::span<const int64_t>(&entry, 1)));
  indexer_.Extract(type, json, scratch_);
  if (scratch_.names.empty() && scratch_.text.empty()) return absl::OkStatus();
  KZ_ASSIGN_OR_RETURN(Statement * st, db_.Cached(
      "INSERT INTO search_text (search_text, rowid, names, text) VALUES ('delete', ?1, ?2, ?3)"));
  st->Bind(1, entry).BindView(2, scratch_.names).BindView(3, scratch_.text);
  absl::Status s = st->Run();
  st->Reset();
  return s;
}

absl::Status MarkIndexStale(Connection& db, std::span<const int64_t> entries) {
  KZ_RETURN_IF_ERROR(RemoveRows(db, entries));
  return SetStoredIndexVersion(db, 0);
}

absl::StatusOr<int64_t> StoredIndexVersion(Connection& db) {
  KZ_ASSIGN_OR_RETURN(Statement * st, db.Cached(
      "SELECT value FROM node_state WHERE key = 'search_index_version'"));
  KZ_ASSIGN_OR_RETURN(bool row, st->Step());
  int64_t version = row ? st->Int(0) : 0;
  st->Reset();
  return version;
}

absl::Status SetStoredIndexVersion(Connection& db, int64_t version) {
  KZ_ASSIGN_OR_RETURN(Statement * st, db.Cached(
      "INSERT INTO node_state (key, value) VALUES ('search_index_version', ?1)"
      " ON CONFLICT (key) DO UPDATE SET value = excluded.value WHERE value <> excluded.value"));
  st->Bind(1, version);
  absl::Status s = st->Run();
  st->Reset();
  return s;
}

}  // namespace kizuna::store::sqlite_internal
