// Kizuna.
#include "kizuna/store/sqlite/adder.h"

#include <algorithm>

#include "kizuna/base/status.h"
#include "kizuna/base/strings.h"
#include "kizuna/identity/principal.h"
#include "kizuna/stix/exercise_marking.h"
#include "kizuna/stix/jcs.h"
#include "kizuna/stix/predefined_markings.h"
#include "kizuna/stix/timestamp.h"
#include "kizuna/store/sqlite/entry_ids.h"

namespace kizuna::store::sqlite_internal {
namespace {

constexpr int kColumnsPerRow = 18;

void BindOrNull(Statement& st, int index, std::string_view text) {
  text.empty() ? st.BindNull(index) : st.BindView(index, text);
}

// OR FAIL: a failing row ends the statement without undoing the rows before it, so SQLite
// keeps no statement journal (a copy of every page the statement touches first). Nothing is
// lost by that: an error from the adder rolls back the whole transaction.
std::string InsertSql(size_t rows) {
  std::string sql =
      "INSERT OR FAIL INTO entries (date_added_us, collection, stix_id, type, version_ns, "
      "spec_version,"
      " version, created_by_ref, revoked, markings, valid_from_us, valid_until_us, json, id_hash,"
      " granular_refs, origin, added_by, added_by_nation, is_first, is_last, is_top_spec) VALUES ";
  for (size_t r = 0; r < rows; ++r) {
    sql += r ? ",(" : "(";
    for (int c = 1; c <= kColumnsPerRow; ++c) StrAppend(sql, "?", r * kColumnsPerRow + c, ",");
    sql += "1,1,1)";
  }
  return sql;
}

}  // namespace

std::string JoinMarkings(const stix::ObjectIndex& index) {
  std::string out;
  for (const auto* list : {&index.object_marking_refs, &index.granular_marking_refs}) {
    for (const std::string& ref : *list) {
      if (!out.empty()) out += ' ';
      out += ref;
    }
  }
  return out;
}

std::string WriterRefusal(const stix::ObjectIndex& index, std::string_view creator, const Writer& writer,
                          bool exercise_collection) {
  if (!exercise_collection && stix::IsExerciseObject(index)) {
    return StrCat("exercise data (it carries or defines the exercise marking ", stix::kExerciseMarkingId,
                  ") enters exercise collections only, and this collection is not one "
                  "(docs/security.md, rule 6)");
  }
  if (writer.kind == WriterKind::kUser && creator != writer.organization &&
      stix::FindPredefinedTlp(index.id) == nullptr) {
    return StrCat("created_by_ref is ", creator, ", not your organisation ", writer.organization,
                  ": a user writes only objects its organisation creates (STIX 2.1 §3.6)");
  }
  return std::string();
}

bool SameContent(std::string_view a, std::string_view b) {
  if (a == b) return true;
  simdjson::dom::parser pa, pb;
  simdjson::padded_string sa(a), sb(b);
  simdjson::dom::element ea, eb;
  if (pa.parse(sa).get(ea) != simdjson::SUCCESS || pb.parse(sb).get(eb) != simdjson::SUCCESS) {
    return false;
  }
  return stix::CanonicalJson(ea) == stix::CanonicalJson(eb);
}

Adder::Adder(Connection& db, const IdHashKey& key, IdFilter& filter, int64_t collection_pk,
             int64_t now_us, int64_t first_date_added_us, int64_t id_run, const Writer& writer)
    : db_(db),
      key_(key),
      filter_(filter),
      collection_pk_(collection_pk),
      now_us_(now_us),
      id_run_(id_run),
      writer_(writer),
      origin_(writer.kind == WriterKind::kPartner ? writer.name : std::string_view()),
      next_added_us_(first_date_added_us) {
  rows_.reserve(kRowsPerInsert);
}

absl::Status Adder::FindKnown(const stix::ObjectIndex& index, int64_t id_hash, int64_t version_ns,
                              int64_t spec, std::string_view creator) {
  same_version_at_ = same_version_collection_ = 0;
  same_version_here_ = other_versions_here_ = other_creator_ = written_here_ = false;
  if (!filter_.MayContain(id_hash)) return absl::OkStatus();  // a new id: nothing stored
  KZ_RETURN_IF_ERROR(FlushRows());  // the lookup must see the rows still pending
  static const std::string kSql = StrCat(
      "SELECT date_added_us, collection, version_ns, spec_version, coalesce(created_by_ref, ''),"
      " origin IS NULL FROM entries NOT INDEXED WHERE ",
      EntriesOfId("date_added_us", "?2", {}, "?3"), " AND stix_id = ?1");
  KZ_ASSIGN_OR_RETURN(Statement * known, db_.Cached(kSql));
  known->BindView(1, index.id).Bind(2, id_hash).Bind(3, PendingEntries(id_hash));
  const bool unversioned = !index.version().has_value();
  for (;;) {
    KZ_ASSIGN_OR_RETURN(bool row, known->Step());
    if (!row) break;
    bool here = known->Int(1) == collection_pk_;
    if (unversioned && !here) continue;
    if (known->Int(2) == version_ns && known->Int(3) == spec) {
      // Every copy of one version has one content: any copy will do, this collection's first.
      if (!same_version_here_) {
        same_version_at_ = known->Int(0);
        same_version_collection_ = known->Int(1);
      }
      same_version_here_ = same_version_here_ || here;
    } else if (here) {
      other_versions_here_ = true;
    }
    other_creator_ = other_creator_ || known->Text(4) != creator;
    written_here_ = written_here_ || known->Int(5) != 0;
  }
  known->Reset();
  return absl::OkStatus();
}

absl::StatusOr<std::string> Adder::CheckRules(const NewObject& object, std::string_view creator) {
  const stix::ObjectIndex& index = *object.index;
  std::string refusal = WriterRefusal(index, creator, writer_, exercise_collection_);
  if (!refusal.empty() || index.type != "marking-definition") return refusal;
  KZ_ASSIGN_OR_RETURN(Statement * first, db_.Cached(
      "SELECT json FROM marking_definitions WHERE stix_id = ?1"));
  first->BindView(1, index.id);
  KZ_ASSIGN_OR_RETURN(bool held, first->Step());
  bool same = held && SameContent(first->Text(0), object.json);
  first->Reset();
  if (held) {
    if (same) return std::string();
    return std::string(kMarkingReplacedReason);
  }
  KZ_ASSIGN_OR_RETURN(Statement * insert, db_.Cached(
      "INSERT INTO marking_definitions (stix_id, json, local_author, first_added_us)"
      " VALUES (?1, ?2, ?3, ?4)"));
  insert->BindView(1, index.id).BindBlobView(2, object.json).Bind(4, now_us_);
  writer_.kind == WriterKind::kUser ? insert->BindView(3, writer_.organization) : insert->BindNull(3);
  absl::Status inserted = insert->Run();
  insert->Reset();
  KZ_RETURN_IF_ERROR(inserted);
  return std::string();
}

std::string OwnOrganizationReason(std::string_view creator) {
  return StrCat("created_by_ref is ", creator, ", an organisation of this node: ",
                "its objects are made here, and a partner node may not bring new ones");
}

absl::StatusOr<bool> Adder::IsOwnOrganization(std::string_view creator) {
  std::string key(creator);
  auto cached = own_organization_.find(key);
  if (cached != own_organization_.end()) return cached->second;
  KZ_ASSIGN_OR_RETURN(Statement * own, db_.Cached(
      "SELECT EXISTS (SELECT 1 FROM organizations o WHERE o.id = ?1 AND NOT o.partner"
      " AND NOT EXISTS (SELECT 1 FROM peers p WHERE p.nation = o.nation)"
      " AND NOT EXISTS (SELECT 1 FROM users u WHERE u.organization = o.pk AND u.roles & ?2))"));
  own->BindView(1, creator).Bind(2, int64_t{static_cast<int64_t>(identity::Role::kPeer)});
  KZ_ASSIGN_OR_RETURN(bool row, own->Step());
  bool answer = row && own->Int(0) != 0;
  own->Reset();
  own_organization_.emplace(std::move(key), answer);
  return answer;
}

absl::StatusOr<AddResult> Adder::Add(const NewObject& object) {
  const stix::ObjectIndex& index = *object.index;
  const auto& version = index.version();
  int64_t version_ns = version ? *version->Nanos() : 0;
  int64_t spec = SpecCode(index.spec_version);
  int64_t id_hash = IdHash(key_, index.id);
  // The creator of the entry: an object a user sends without one is its organisation's.
  std::string_view creator = index.created_by_ref;
  if (creator.empty() && writer_.kind == WriterKind::kUser) creator = writer_.organization;
  KZ_ASSIGN_OR_RETURN(std::string refusal, CheckRules(object, creator));
  if (!refusal.empty()) return AddResult{AddOutcome::kRefused, 0, std::move(refusal)};
  KZ_RETURN_IF_ERROR(FindKnown(index, id_hash, version_ns, spec, creator));

  Row row;
  row.version = version ? stix::FormatTimestamp(*version, std::max(version->fraction_digits, 3))
                        : stix::FormatTaxii(now_us_);
  if (same_version_at_ != 0) {
    // Two serialisations of one version must carry the same content (STIX 2.1 §3.6).
    KZ_ASSIGN_OR_RETURN(Statement * stored, db_.Cached(
        "SELECT json, version FROM entries WHERE date_added_us = ?1"));
    stored->Bind(1, same_version_at_);
    KZ_ASSIGN_OR_RETURN(bool found, stored->Step());
    bool same = found && SameContent(stored->Text(0), object.json);
    if (found) row.version = stored->Text(1);  // unversioned objects keep their first time
    stored->Reset();
    if (!same) {
      KZ_ASSIGN_OR_RETURN(std::string where, ConflictPlace());
      return AddResult{AddOutcome::kConflict, same_version_here_ ? same_version_at_ : 0, std::move(where)};
    }
    if (same_version_here_) return AddResult{AddOutcome::kAlreadyPresent, same_version_at_};
  } else if (other_creator_) {
    return AddResult{AddOutcome::kRefused, 0, std::string(kOtherCreatorReason), /*other_creator=*/true};
  } else if (written_here_ && !origin_.empty()) {
    return AddResult{AddOutcome::kRefused, 0, std::string(kWrittenHereReason)};
  } else if (!origin_.empty() && !creator.empty()) {
    KZ_ASSIGN_OR_RETURN(bool own, IsOwnOrganization(creator));
    if (own) {
      return AddResult{AddOutcome::kRefused, 0, OwnOrganizationReason(creator)};
    }
  }
  row.date_added_us = next_added_us_++;
  row.version_ns = version_ns;
  row.spec = spec;
  row.revoked = index.revoked;
  row.id_hash = id_hash;
  row.valid_from_us = index.valid_from_us;
  row.valid_until_us = index.valid_until_us;
  row.id = index.id;
  row.type = index.type;
  row.creator = creator;
  row.json = object.json;
  row.markings = JoinMarkings(index);
  row.granular_refs = static_cast<int64_t>(index.granular_marking_refs.size());
  if (index_ != nullptr) KZ_RETURN_IF_ERROR(index_->Add(row.date_added_us, row.type, row.json));
  rows_.push_back(std::move(row));
  ids_.push_back({id_hash, rows_.back().date_added_us});
  filter_.Add(id_hash);
  if (other_versions_here_) {
    KZ_RETURN_IF_ERROR(FlushRows());
    KZ_RETURN_IF_ERROR(
        RecomputeFlags(db_, collection_pk_, index.id, id_hash, PendingEntries(id_hash)));
  } else if (rows_.size() == kRowsPerInsert) {
    KZ_RETURN_IF_ERROR(FlushRows());
  }
  return AddResult{AddOutcome::kAdded, next_added_us_ - 1};
}

absl::StatusOr<std::string> Adder::ConflictPlace() {
  if (writer_.kind != WriterKind::kOperator) return std::string();
  if (same_version_here_) return StrCat(kConflictReason, " in this collection");
  KZ_ASSIGN_OR_RETURN(Statement * name, db_.Cached("SELECT coalesce(alias, id) FROM collections WHERE pk = ?1"));
  name->Bind(1, same_version_collection_);
  KZ_ASSIGN_OR_RETURN(bool found, name->Step());
  std::string out = found ? StrCat(kConflictReason, " in collection '", name->Text(0), "'") : std::string();
  name->Reset();
  return out;
}

absl::StatusOr<Statement*> Adder::Insert(size_t rows) {
  if (rows == kRowsPerInsert && full_insert_ != nullptr) return full_insert_;
  KZ_ASSIGN_OR_RETURN(Statement * insert, db_.Cached(InsertSql(rows)));
  if (rows == kRowsPerInsert) full_insert_ = insert;
  return insert;
}

absl::Status Adder::FlushRows() {
  if (rows_.empty()) return absl::OkStatus();
  KZ_ASSIGN_OR_RETURN(Statement * insert, Insert(rows_.size()));
  for (size_t r = 0; r < rows_.size(); ++r) {
    const Row& row = rows_[r];
    int b = static_cast<int>(r) * kColumnsPerRow;
    insert->Bind(b + 1, row.date_added_us).Bind(b + 2, collection_pk_).BindView(b + 3, row.id);
    insert->BindView(b + 4, row.type).Bind(b + 5, row.version_ns).Bind(b + 6, row.spec);
    insert->BindView(b + 7, row.version);
    row.creator.empty() ? insert->BindNull(b + 8) : insert->BindView(b + 8, row.creator);
    insert->Bind(b + 9, row.revoked);
    row.markings.empty() ? insert->BindNull(b + 10) : insert->BindView(b + 10, row.markings);
    row.valid_from_us ? insert->Bind(b + 11, *row.valid_from_us) : insert->BindNull(b + 11);
    row.valid_until_us ? insert->Bind(b + 12, *row.valid_until_us) : insert->BindNull(b + 12);
    insert->BindBlobView(b + 13, row.json).Bind(b + 14, row.id_hash).Bind(b + 15, row.granular_refs);
    origin_.empty() ? insert->BindNull(b + 16) : insert->BindView(b + 16, origin_);
    BindOrNull(*insert, b + 17, writer_.organization);
    BindOrNull(*insert, b + 18, writer_.nation);
  }
  absl::Status status = insert->Run();
  insert->Reset();
  rows_.clear();
  return status;
}

std::string Adder::PendingEntries(int64_t id_hash) const {
  std::string json;
  for (const IdPair& p : ids_) {
    if (p.id_hash == id_hash) StrAppend(json, json.empty() ? "[" : ",", p.date_added_us);
  }
  return json.empty() ? "[]" : json + "]";
}

absl::StatusOr<int64_t> Adder::Finish() {
  KZ_RETURN_IF_ERROR(FlushRows());
  std::sort(ids_.begin(), ids_.end());
  KZ_RETURN_IF_ERROR(WriteRun(db_, id_run_, ids_));
  ids_.clear();
  return next_added_us_ - 1;
}

}  // namespace kizuna::store::sqlite_internal
