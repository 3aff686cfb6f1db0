// Kizuna. The audience's released read for a brief, as temporary tables.
#include "kizuna/report/released_rows.h"

#include <sqlite3.h>

#include <algorithm>

#include "kizuna/base/status.h"
#include "kizuna/base/strings.h"

namespace kizuna::report {
namespace {

// brief_rows: one row per object of the audience's collections whose current version (the
// last of the highest spec version held) was added in one of the two periods, with its group
// (grp), numbered as the rows are read by brief_group() (Grouper below). Text columns are ''
// rather than NULL. ref_a: a sighting's sighting_of_ref or a relationship's source_ref;
// ref_b: a relationship's target_ref; n: a sighting's count (1 for anything else). An entry
// with granular markings is decided alone, as the group -date_added_us. brief_allowed: the
// released groups.
constexpr std::string_view kCreateRows = R"sql(
DROP VIEW IF EXISTS temp.brief_objects;
DROP VIEW IF EXISTS temp.brief_released;
DROP TABLE IF EXISTS temp.brief_allowed;
DROP TABLE IF EXISTS temp.brief_rows;
CREATE TEMP TABLE brief_rows (
  date_added_us INTEGER PRIMARY KEY, period INTEGER NOT NULL, collection INTEGER NOT NULL,
  id_hash INTEGER NOT NULL, type TEXT NOT NULL, version_ns INTEGER NOT NULL,
  created_by_ref TEXT NOT NULL, added_by TEXT NOT NULL, added_by_nation TEXT NOT NULL,
  received INTEGER NOT NULL, origin TEXT NOT NULL, ref_a TEXT, ref_b TEXT, n INTEGER NOT NULL,
  grp INTEGER NOT NULL);
CREATE TEMP TABLE brief_allowed (
  grp INTEGER PRIMARY KEY, whole INTEGER NOT NULL, tlp INTEGER NOT NULL, rel TEXT NOT NULL);
)sql";

// ?1..?2: the current period; ?3..?4: the previous; ?5..?6: the range covering both.
constexpr std::string_view kInsertRows = R"sql(
INSERT INTO brief_rows (date_added_us, period, collection, id_hash, type, version_ns,
    created_by_ref, added_by, added_by_nation, received, origin, ref_a, ref_b, n, grp)
  SELECT e.date_added_us,
    CASE WHEN e.date_added_us >= ?1 AND e.date_added_us < ?2 THEN 0 ELSE 1 END,
    e.collection, e.id_hash, e.type, e.version_ns,
    coalesce(e.created_by_ref, ''), coalesce(e.added_by, ''), coalesce(e.added_by_nation, ''),
    CASE WHEN e.origin IS NULL THEN 0 ELSE 1 END, coalesce(e.origin, ''),
    CASE e.type WHEN 'sighting' THEN json_extract(CAST(e.json AS TEXT), '$.sighting_of_ref')
                WHEN 'relationship' THEN json_extract(CAST(e.json AS TEXT), '$.source_ref') END,
    CASE e.type WHEN 'relationship' THEN json_extract(CAST(e.json AS TEXT), '$.target_ref') END,
    CASE e.type WHEN 'sighting'
      THEN max(0, coalesce(CAST(json_extract(CAST(e.json AS TEXT), '$.count') AS INTEGER), 1))
      ELSE 1 END,
    brief_group(e.collection, e.type, e.created_by_ref, e.added_by, e.added_by_nation, e.origin IS NOT NULL,
                e.markings, e.granular_refs, e.date_added_us)
  FROM entries e
  WHERE e.date_added_us >= ?5 AND e.date_added_us < ?6
    AND ((e.date_added_us >= ?1 AND e.date_added_us < ?2) OR (e.date_added_us >= ?3 AND e.date_added_us < ?4))
    AND e.is_last = 1 AND e.is_top_spec = 1 AND e.collection IN ()sql";

// brief_released: the released rows, with whether the audience reads them whole (not
// redacted), their TLP rank and releasability label. brief_objects: the same, definitions
// left out.
constexpr std::string_view kMaterialise = R"sql(
CREATE TEMP VIEW brief_released AS
  SELECT r.*, a.whole, a.tlp, a.rel FROM brief_rows r JOIN brief_allowed a ON a.grp = r.grp;
CREATE TEMP VIEW brief_objects AS
  SELECT * FROM brief_released WHERE type NOT IN ('marking-definition', 'extension-definition');
)sql";

std::string_view Arg(sqlite3_value* v) {
  const unsigned char* text = sqlite3_value_text(v);
  return text == nullptr ? std::string_view() : std::string_view(reinterpret_cast<const char*>(text),
                                                                 static_cast<size_t>(sqlite3_value_bytes(v)));
}

}  // namespace

// brief_group(collection, type, created_by_ref, added_by, added_by_nation, received, markings,
// granular_refs, date_added_us): the number of the group of these facts, numbered from 1 in
// the order met; -date_added_us for an entry with granular markings. SQLite calls it once per
// row of kInsertRows, so rows are grouped as they are read (with no sort and no join, which
// numbering them in SQL would take: SELECT DISTINCT, then a join on the seven columns).
struct ReleasedRows::Grouper {
  absl::flat_hash_map<std::string, int64_t> numbers;
  std::vector<EntryGroup> groups;

  static void Call(sqlite3_context* ctx, int argc, sqlite3_value** argv) {
    auto* self = static_cast<Grouper*>(sqlite3_user_data(ctx));
    if (argc != 9) return sqlite3_result_error(ctx, "brief_group takes 9 arguments", -1);
    if (sqlite3_value_int64(argv[7]) > 0) return sqlite3_result_int64(ctx, -sqlite3_value_int64(argv[8]));
    const int64_t collection = sqlite3_value_int64(argv[0]);
    const bool received = sqlite3_value_int(argv[5]) != 0;
    // Each text with its length first, so that no two lists of facts make one key.
    std::string key = StrCat(collection, received ? "r" : "l");
    for (int i : {1, 2, 3, 4, 6}) StrAppend(key, Arg(argv[i]).size(), ":", Arg(argv[i]));
    auto [it, added] = self->numbers.try_emplace(std::move(key), static_cast<int64_t>(self->groups.size()) + 1);
    if (added) {
      self->groups.push_back({it->second, collection, std::string(Arg(argv[1])), std::string(Arg(argv[2])),
                              std::string(Arg(argv[3])), std::string(Arg(argv[4])), std::string(Arg(argv[6])),
                              received});
    }
    sqlite3_result_int64(ctx, it->second);
  }
};

namespace {

store::StoredObject Representative(const EntryGroup& g) {
  store::StoredObject o;
  o.id = StrCat(g.type, "--brief-group-", g.grp);  // never shown: names the group in errors
  o.type = g.type;
  o.created_by_ref = g.created_by_ref;
  o.added_by = g.added_by;
  o.added_by_nation = g.added_by_nation;
  o.origin = g.received ? "received" : "";
  o.markings = g.markings;
  o.date_added_us = g.grp;
  return o;
}

}  // namespace

absl::Status ReleasedRows::Build(const Audience& audience, const Period& current, const Period& previous) {
  all_groups_.clear();
  groups_.clear();
  KZ_RETURN_IF_ERROR(LoadRows(audience, current, previous));
  KZ_RETURN_IF_ERROR(DecideAllGroups(audience));
  KZ_RETURN_IF_ERROR(DecideGranular(audience));
  return Materialise();
}

absl::Status ReleasedRows::LoadRows(const Audience& audience, const Period& current, const Period& previous) {
  // SQLite: temporary tables in a file, with a page cache of 128 MB: a brief
  // of 1,000,000 objects stays within its memory goal (bench/README.md).
  KZ_RETURN_IF_ERROR(sql_.Exec("PRAGMA temp_store = FILE; PRAGMA cache_size = -131072"));
  KZ_RETURN_IF_ERROR(sql_.Exec(kCreateRows));
  collection_ids_.clear();
  KZ_ASSIGN_OR_RETURN(store::Statement * pks, sql_.Cached("SELECT pk, id FROM collections"));
  std::string in;
  for (;;) {
    KZ_ASSIGN_OR_RETURN(bool row, pks->Step());
    if (!row) break;
    std::string_view id = pks->Text(1);
    bool readable = std::any_of(audience.collections.begin(), audience.collections.end(),
                                [&](const store::Collection& c) { return c.id == id; });
    if (!readable) continue;
    collection_ids_[pks->Int(0)] = std::string(id);
    StrAppend(in, in.empty() ? "" : ", ", pks->Int(0));
  }
  pks->Reset();
  if (in.empty()) in = "NULL";
  std::string sql = StrCat(kInsertRows, in, ")");
  Grouper grouper;
  auto define = [&](Grouper* g) {
    int rc = sqlite3_create_function_v2(sql_.handle(), "brief_group", 9, SQLITE_UTF8 | SQLITE_DIRECTONLY, g,
                                        g == nullptr ? nullptr : &Grouper::Call, nullptr, nullptr, nullptr);
    return rc == SQLITE_OK ? absl::OkStatus() : absl::InternalError(StrCat("brief_group: ", sqlite3_errstr(rc)));
  };
  KZ_RETURN_IF_ERROR(define(&grouper));
  absl::StatusOr<store::Statement*> insert = sql_.Cached(sql);
  absl::Status inserted = insert.status();
  if (insert.ok()) {
    (*insert)->Bind(1, current.from_us).Bind(2, current.to_us).Bind(3, previous.from_us).Bind(4, previous.to_us);
    (*insert)->Bind(5, std::min(current.from_us, previous.from_us)).Bind(6, std::max(current.to_us, previous.to_us));
    inserted = (*insert)->Run();
    (*insert)->Reset();
  }
  KZ_RETURN_IF_ERROR(define(nullptr));  // `grouper` ends here
  KZ_RETURN_IF_ERROR(inserted);
  for (EntryGroup& g : grouper.groups) all_groups_.emplace(g.grp, std::move(g));
  return absl::OkStatus();
}

absl::Status ReleasedRows::DecideAllGroups(const Audience& audience) {
  KZ_ASSIGN_OR_RETURN(std::vector<const EntryGroup*> released,
                      Decide(audience.principal, audience.collections, all_groups_));
  KZ_ASSIGN_OR_RETURN(store::Statement * allow,
                      sql_.Cached("INSERT INTO brief_allowed (grp, whole, tlp, rel) VALUES (?, 1, ?, ?)"));
  for (const EntryGroup* g : released) {
    KZ_ASSIGN_OR_RETURN(MarkingLabel label, labels_.Of(g->markings));
    KZ_RETURN_IF_ERROR(allow->Bind(1, g->grp).Bind(2, label.tlp).Bind(3, label.release).Run());
    allow->Reset();
    groups_.emplace(g->grp, *g);
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<const EntryGroup*>> ReleasedRows::DecideGroups(
    const identity::Principal& principal, const std::vector<store::Collection>& collections) {
  return Decide(principal, collections, groups_);
}

absl::StatusOr<std::vector<const EntryGroup*>> ReleasedRows::Decide(
    const identity::Principal& principal, const std::vector<store::Collection>& collections,
    const absl::flat_hash_map<int64_t, EntryGroup>& source) {
  std::vector<const EntryGroup*> out;
  for (const store::Collection& c : collections) {
    std::vector<store::StoredObject> reps;
    for (const auto& [pk, id] : collection_ids_) {
      if (id != c.id) continue;
      for (const auto& [grp, g] : source) {
        if (g.collection_pk == pk) reps.push_back(Representative(g));
      }
    }
    KZ_RETURN_IF_ERROR(policy_.Filter(principal, c, reps).status());
    for (const store::StoredObject& o : reps) out.push_back(&source.at(o.date_added_us));
  }
  std::sort(out.begin(), out.end(), [](const EntryGroup* a, const EntryGroup* b) { return a->grp < b->grp; });
  return out;
}

absl::Status ReleasedRows::DecideGranular(const Audience& audience) {
  KZ_ASSIGN_OR_RETURN(
      store::Statement * read,
      sql_.Cached("SELECT r.date_added_us, r.collection, e.stix_id, r.type, r.created_by_ref, r.added_by, "
                  "r.added_by_nation, r.origin, coalesce(e.markings, ''), e.granular_refs, CAST(e.json AS TEXT) "
                  "FROM brief_rows r JOIN entries e ON e.date_added_us = r.date_added_us "
                  "WHERE r.grp < 0 ORDER BY r.date_added_us"));
  KZ_ASSIGN_OR_RETURN(store::Statement * allow,
                      sql_.Cached("INSERT INTO brief_allowed (grp, whole, tlp, rel) VALUES (?, ?, ?, ?)"));
  for (;;) {
    KZ_ASSIGN_OR_RETURN(bool row, read->Step());
    if (!row) break;
    auto collection = std::find_if(audience.collections.begin(), audience.collections.end(),
                                   [&](const store::Collection& c) { return c.id == collection_ids_[read->Int(1)]; });
    store::StoredObject o;
    o.date_added_us = read->Int(0);
    o.id = std::string(read->Text(2));
    o.type = std::string(read->Text(3));
    o.created_by_ref = std::string(read->Text(4));
    o.added_by = std::string(read->Text(5));
    o.added_by_nation = std::string(read->Text(6));
    o.origin = std::string(read->Text(7));
    o.markings = std::string(read->Text(8));
    o.granular_refs = static_cast<uint32_t>(read->Int(9));
    o.json = std::string(read->Text(10));
    KZ_ASSIGN_OR_RETURN(policy::Decision d, policy_.DecideEntry(audience.principal, *collection, o));
    if (d.verdict == policy::Verdict::kDeny) continue;
    KZ_ASSIGN_OR_RETURN(MarkingLabel label, labels_.Of(o.markings, o.granular_refs));
    int whole = d.verdict == policy::Verdict::kAllow ? 1 : 0;
    KZ_RETURN_IF_ERROR(allow->Bind(1, -o.date_added_us).Bind(2, whole).Bind(3, label.tlp).Bind(4, label.release).Run());
    allow->Reset();
  }
  read->Reset();
  return absl::OkStatus();
}

absl::Status ReleasedRows::Materialise() { return sql_.Exec(kMaterialise); }

}  // namespace kizuna::report
