// Kizuna.
#include "kizuna/store/postgres/pg_adder.h"

#include <algorithm>

#include "kizuna/base/json_string.h"
#include "kizuna/base/status.h"
#include "kizuna/base/strings.h"
#include "kizuna/identity/principal.h"
#include "kizuna/stix/timestamp.h"
#include "kizuna/store/postgres/pg_internal.h"

namespace kizuna::store::pg_internal {
namespace {

using pg::Param;

constexpr int kColumnsPerRow = 20;

std::string InsertSql(size_t rows) {
  std::string sql =
      "INSERT INTO entries (date_added_us, collection, stix_id, type, version_ns, spec_version, "
      "version,"
      " created_by_ref, revoked, markings, granular_refs, valid_from_us, valid_until_us, json, "
      "origin,"
      " added_by, added_by_nation, is_first, is_last, is_top_spec) VALUES ";
  for (size_t r = 0; r < rows; ++r) {
    sql += r ? ",(" : "(";
    for (int c = 1; c <= kColumnsPerRow; ++c)
      StrAppend(sql, c > 1 ? "," : "", "$", r * kColumnsPerRow + c);
    sql += ")";
  }
  return sql;
}

}  // namespace

PgAdder::PgAdder(pg::Connection& db, int64_t collection_pk, bool exercise_collection,
                 int64_t now_us, int64_t first_date_added_us, const Writer& writer)
    : db_(db),
      collection_pk_(collection_pk),
      exercise_collection_(exercise_collection),
      now_us_(now_us),
      writer_(writer),
      origin_(writer.kind == WriterKind::kPartner ? writer.name : std::string_view()),
      next_added_us_(first_date_added_us) {}

absl::Status PgAdder::Prefetch(std::span<const NewObject> objects) {
  std::string ids = "[";
  for (const NewObject& o : objects) {
    if (ids.size() > 1) ids += ',';
    AppendJsonString(o.index->id, ids);
  }
  ids += ']';
  KZ_ASSIGN_OR_RETURN(
      pg::Result r,
      db_.Run(
          "read the versions held",
          "SELECT date_added_us, collection, version_ns, spec_version, coalesce(created_by_ref, "
          "''),"
          " origin IS NULL, is_first, is_last, is_top_spec, stix_id FROM entries"
          " WHERE stix_id IN (SELECT jsonb_array_elements_text($1::jsonb)) ORDER BY date_added_us",
          {Param::Text(ids)}));
  for (int i = 0; i < r.rows(); ++i) {
    known_[std::string(r.Text(i, 9))].push_back({r.Int(i, 0), r.Int(i, 1), r.Int(i, 2), r.Int(i, 3),
                                                 std::string(r.Text(i, 4)), r.Bool(i, 5),
                                                 r.Bool(i, 6), r.Bool(i, 7), r.Bool(i, 8)});
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> PgAdder::CheckRules(const NewObject& object, std::string_view creator) {
  const stix::ObjectIndex& index = *object.index;
  std::string refusal =
      sqlite_internal::WriterRefusal(index, creator, writer_, exercise_collection_);
  if (!refusal.empty() || index.type != "marking-definition") return refusal;
  KZ_ASSIGN_OR_RETURN(
      pg::Result first,
      db_.Run("read a marking definition",
              "SELECT json FROM marking_definitions WHERE stix_id = $1", {Param::Text(index.id)}));
  if (first.rows() > 0) {
    if (sqlite_internal::SameContent(first.Text(0, 0), object.json)) return std::string();
    return std::string(sqlite_internal::kMarkingReplacedReason);
  }
  KZ_RETURN_IF_ERROR(
      db_.Run("record a marking definition",
              "INSERT INTO marking_definitions (stix_id, json, local_author, first_added_us)"
              " VALUES ($1, $2, $3, $4)",
              {Param::Text(index.id), Param::Bytes(object.json),
               writer_.kind == WriterKind::kUser ? Param::Text(writer_.organization)
                                                 : Param::Null(true),
               Param::Int(now_us_)})
          .status());
  return std::string();
}

absl::StatusOr<std::string> PgAdder::ConflictPlace(int64_t collection_pk, bool here) {
  if (writer_.kind != WriterKind::kOperator) return std::string();
  if (here) return StrCat(kConflictReason, " in this collection");
  KZ_ASSIGN_OR_RETURN(
      pg::Result name,
      db_.Run("name a collection", "SELECT coalesce(alias, id) FROM collections WHERE pk = $1",
              {Param::Int(collection_pk)}));
  if (name.rows() == 0) return std::string();
  return StrCat(kConflictReason, " in collection '", name.Text(0, 0), "'");
}

absl::StatusOr<bool> PgAdder::IsOwnOrganization(std::string_view creator) {
  std::string key(creator);
  auto cached = own_organization_.find(key);
  if (cached != own_organization_.end()) return cached->second;
  if (!peers_known_) {
    // The peers table comes with the PostgreSQL PeerStore's migration; until a database has
    // it, no organisation is of a peer's nation.
    KZ_ASSIGN_OR_RETURN(pg::Result peers, db_.Run("look for the peers table",
                                                  "SELECT to_regclass('peers') IS NOT NULL"));
    peers_table_ = peers.Bool(0, 0);
    peers_known_ = true;
  }
  KZ_ASSIGN_OR_RETURN(
      pg::Result own,
      db_.Run(
          "tell whether an organisation is this node's",
          StrCat("SELECT EXISTS (SELECT 1 FROM organizations o WHERE o.id = $1 AND NOT o.partner",
                 peers_table_ ? " AND NOT EXISTS (SELECT 1 FROM peers p WHERE p.nation = o.nation)"
                              : "",
                 " AND NOT EXISTS (SELECT 1 FROM users u WHERE u.organization = o.pk"
                 " AND (u.roles & $2) <> 0))"),
          {Param::Text(creator), Param::Int(static_cast<int64_t>(identity::Role::kPeer))}));
  const bool answer = own.Bool(0, 0);
  own_organization_.emplace(std::move(key), answer);
  return answer;
}

absl::StatusOr<AddResult> PgAdder::Add(const NewObject& object) {
  const stix::ObjectIndex& index = *object.index;
  const auto& version = index.version();
  const int64_t version_ns = version ? *version->Nanos() : 0;
  const int64_t spec = SpecCode(index.spec_version);
  // The creator of the entry: an object a user sends without one is its organisation's.
  std::string_view creator = index.created_by_ref;
  if (creator.empty() && writer_.kind == WriterKind::kUser) creator = writer_.organization;
  KZ_ASSIGN_OR_RETURN(std::string refusal, CheckRules(object, creator));
  if (!refusal.empty()) return AddResult{AddOutcome::kRefused, 0, std::move(refusal)};

  // What is held of this id (for an unversioned object, in this collection only: store.h).
  std::vector<Known>& known = known_[std::string(index.id)];
  const Known* same = nullptr;
  bool same_here = false, other_versions_here = false, other_creator = false, written_here = false;
  for (const Known& k : known) {
    bool here = k.collection == collection_pk_;
    if (!version && !here) continue;
    if (k.version_ns == version_ns && k.spec == spec) {
      if (!same_here) same = &k;
      same_here = same_here || here;
    } else if (here) {
      other_versions_here = true;
    }
    other_creator = other_creator || k.creator != creator;
    written_here = written_here || k.written_here;
  }

  Row row;
  row.version = version ? stix::FormatTimestamp(*version, std::max(version->fraction_digits, 3))
                        : stix::FormatTaxii(now_us_);
  if (same != nullptr) {
    // Two serialisations of one version must carry the same content (STIX 2.1 §3.6).
    std::string stored_json, stored_version;
    if (same->row >= 0) {
      stored_json = rows_[same->row].json;
      stored_version = rows_[same->row].version;
    } else {
      KZ_ASSIGN_OR_RETURN(pg::Result stored,
                          db_.Run("read a stored version",
                                  "SELECT json, version FROM entries WHERE date_added_us = $1",
                                  {Param::Int(same->date_added_us)}));
      if (stored.rows() > 0) {
        stored_json = stored.Text(0, 0);
        stored_version = stored.Text(0, 1);
      }
    }
    if (!sqlite_internal::SameContent(stored_json, object.json)) {
      KZ_ASSIGN_OR_RETURN(std::string where, ConflictPlace(same->collection, same_here));
      return AddResult{AddOutcome::kConflict, same_here ? same->date_added_us : 0,
                       std::move(where)};
    }
    if (same_here) return AddResult{AddOutcome::kAlreadyPresent, same->date_added_us};
    row.version = stored_version;  // unversioned objects keep their first time
  } else if (other_creator) {
    return AddResult{AddOutcome::kRefused, 0, std::string(sqlite_internal::kOtherCreatorReason),
                     /*other_creator=*/true};
  } else if (written_here && !origin_.empty()) {
    return AddResult{AddOutcome::kRefused, 0, std::string(sqlite_internal::kWrittenHereReason)};
  } else if (!origin_.empty() && !creator.empty()) {
    KZ_ASSIGN_OR_RETURN(bool own, IsOwnOrganization(creator));
    if (own) {
      return AddResult{AddOutcome::kRefused, 0, sqlite_internal::OwnOrganizationReason(creator)};
    }
  }
  row.date_added_us = next_added_us_++;
  row.version_ns = version_ns;
  row.spec = spec;
  row.revoked = index.revoked;
  row.valid_from_us = index.valid_from_us;
  row.valid_until_us = index.valid_until_us;
  row.id = index.id;
  row.type = index.type;
  row.creator = creator;
  row.json = object.json;
  row.markings = sqlite_internal::JoinMarkings(index);
  row.granular_refs = static_cast<int64_t>(index.granular_marking_refs.size());
  rows_.push_back(std::move(row));
  known.push_back({rows_.back().date_added_us, collection_pk_, version_ns, spec,
                   std::string(creator), origin_.empty(), true, true, true,
                   static_cast<int64_t>(rows_.size() - 1)});
  if (other_versions_here) touched_.insert(std::string(index.id));
  return AddResult{AddOutcome::kAdded, next_added_us_ - 1};
}

absl::Status PgAdder::RecomputeTouchedFlags() {
  for (const std::string& id : touched_) {
    std::vector<FlagEntry> entries;
    std::vector<const Known*> sources;
    for (const Known& k : known_[id]) {
      if (k.collection != collection_pk_) continue;
      entries.push_back({k.date_added_us, k.version_ns, k.spec, k.first, k.last, k.top});
      sources.push_back(&k);
    }
    RecomputeFlags(entries);
    for (size_t i = 0; i < entries.size(); ++i) {
      if (sources[i]->row < 0) continue;
      Row& row = rows_[sources[i]->row];
      row.first = entries[i].first;
      row.last = entries[i].last;
      row.top = entries[i].top;
      entries[i].changed = false;  // written with its row
    }
    KZ_RETURN_IF_ERROR(WriteFlags(db_, entries));
  }
  return absl::OkStatus();
}

absl::Status PgAdder::InsertRows(size_t from, size_t count) {
  std::vector<Param> params;
  params.reserve(count * kColumnsPerRow);
  for (size_t i = from; i < from + count; ++i) {
    const Row& row = rows_[i];
    params.insert(params.end(), {Param::Int(row.date_added_us),
                                 Param::Int(collection_pk_),
                                 Param::Text(row.id),
                                 Param::Text(row.type),
                                 Param::Int(row.version_ns),
                                 Param::Int(row.spec),
                                 Param::Text(row.version),
                                 Param::TextOrNull(row.creator),
                                 Param::Bool(row.revoked),
                                 Param::TextOrNull(row.markings),
                                 Param::Int(row.granular_refs),
                                 Param::OptionalInt(row.valid_from_us),
                                 Param::OptionalInt(row.valid_until_us),
                                 Param::Bytes(row.json),
                                 Param::TextOrNull(origin_),
                                 Param::TextOrNull(writer_.organization),
                                 Param::TextOrNull(writer_.nation),
                                 Param::Bool(row.first),
                                 Param::Bool(row.last),
                                 Param::Bool(row.top)});
  }
  return db_.Run("insert entries", InsertSql(count), params).status();
}

absl::StatusOr<int64_t> PgAdder::Finish() {
  KZ_RETURN_IF_ERROR(RecomputeTouchedFlags());
  for (size_t from = 0; from < rows_.size(); from += kRowsPerInsert) {
    KZ_RETURN_IF_ERROR(InsertRows(from, std::min(kRowsPerInsert, rows_.size() - from)));
  }
  rows_.clear();
  return next_added_us_ - 1;
}

}  // namespace kizuna::store::pg_internal
