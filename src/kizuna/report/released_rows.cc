// Kizuna. The audience's released read for a brief, as temporary tables.
#include "kizuna/report/released_rows.h"

#include <algorithm>

#include "kizuna/base/status.h"
#include "kizuna/base/strings.h"

namespace kizuna::report {
namespace {

// brief_entries: one row per object of the audience's collections whose current version (the
// last of the highest spec version held) was added in one of the two periods. brief_rows: the
// same with their group (grp), without what only the grouping needs. Text
// columns are '' rather than NULL so that groups compare with `=`. ref_a: a sighting's
// sighting_of_ref or a relationship's source_ref; ref_b: a relationship's target_ref; n: a
// sighting's count (1 for anything else). grp: the entry's group; an entry with granular
// markings is decided alone, as the group -date_added_us. brief_allowed: the released groups.
constexpr std::string_view kCreateRows = R"sql(
DROP VIEW IF EXISTS temp.brief_objects;
DROP VIEW IF EXISTS temp.brief_released;
DROP TABLE IF EXISTS temp.brief_allowed;
DROP TABLE IF EXISTS temp.brief_groups;
DROP TABLE IF EXISTS temp.brief_rows;
DROP TABLE IF EXISTS temp.brief_entries;
CREATE TEMP TABLE brief_entries (
  date_added_us INTEGER PRIMARY KEY, period INTEGER NOT NULL, collection INTEGER NOT NULL,
  id_hash INTEGER NOT NULL, stix_id TEXT NOT NULL, type TEXT NOT NULL, version_ns INTEGER NOT NULL,
  created_by_ref TEXT NOT NULL, added_by TEXT NOT NULL, added_by_nation TEXT NOT NULL,
  received INTEGER NOT NULL, origin TEXT NOT NULL, markings TEXT NOT NULL,
  granular_refs INTEGER NOT NULL, ref_a TEXT, ref_b TEXT, n INTEGER NOT NULL);
CREATE TEMP TABLE brief_allowed (
  grp INTEGER PRIMARY KEY, whole INTEGER NOT NULL, tlp INTEGER NOT NULL, rel TEXT NOT NULL);
)sql";

// ?1..?2: the current period; ?3..?4: the previous; ?5..?6: the range covering both.
constexpr std::string_view kInsertRows = R"sql(
INSERT INTO brief_entries (date_added_us, period, collection, id_hash, stix_id, type, version_ns,
    created_by_ref, added_by, added_by_nation, received, origin, markings, granular_refs,
    ref_a, ref_b, n)
  SELECT e.date_added_us,
    CASE WHEN e.date_added_us >= ?1 AND e.date_added_us < ?2 THEN 0 ELSE 1 END,
    e.collection, e.id_hash, e.stix_id, e.type, e.version_ns,
    coalesce(e.created_by_ref, ''), coalesce(e.added_by, ''), coalesce(e.added_by_nation, ''),
    CASE WHEN e.origin IS NULL THEN 0 ELSE 1 END, coalesce(e.origin, ''), coalesce(e.markings, ''),
    e.granular_refs,
    CASE e.type WHEN 'sighting' THEN json_extract(CAST(e.json AS TEXT), '$.sighting_of_ref')
                WHEN 'relationship' THEN json_extract(CAST(e.json AS TEXT), '$.source_ref') END,
    CASE e.type WHEN 'relationship' THEN json_extract(CAST(e.json AS TEXT), '$.target_ref') END,
    CASE e.type WHEN 'sighting'
      THEN max(0, coalesce(CAST(json_extract(CAST(e.json AS TEXT), '$.count') AS INTEGER), 1))
      ELSE 1 END
  FROM entries e
  WHERE e.date_added_us >= ?5 AND e.date_added_us < ?6
    AND ((e.date_added_us >= ?1 AND e.date_added_us < ?2) OR (e.date_added_us >= ?3 AND e.date_added_us < ?4))
    AND e.is_last = 1 AND e.is_top_spec = 1 AND e.collection IN ()sql";

constexpr std::string_view kGroupRows = R"sql(
CREATE TEMP TABLE brief_groups (grp INTEGER PRIMARY KEY, collection INTEGER NOT NULL, type TEXT NOT NULL,
  created_by_ref TEXT NOT NULL, added_by TEXT NOT NULL, added_by_nation TEXT NOT NULL,
  received INTEGER NOT NULL, markings TEXT NOT NULL);
INSERT INTO brief_groups (collection, type, created_by_ref, added_by, added_by_nation, received, markings)
  SELECT DISTINCT collection, type, created_by_ref, added_by, added_by_nation, received, markings
  FROM brief_entries WHERE granular_refs = 0;
CREATE UNIQUE INDEX temp.brief_groups_key ON brief_groups (collection, type, created_by_ref, added_by,
  added_by_nation, received, markings);
CREATE TEMP TABLE brief_rows AS
  SELECT r.date_added_us, r.period, r.collection, r.id_hash, r.type, r.version_ns, r.created_by_ref, r.added_by, r.added_by_nation, r.received, r.origin, r.ref_a, r.ref_b, r.n, g.grp
  FROM brief_entries r JOIN brief_groups g ON g.collection = r.collection AND g.type = r.type
    AND g.created_by_ref = r.created_by_ref AND g.added_by = r.added_by
    AND g.added_by_nation = r.added_by_nation AND g.received = r.received AND g.markings = r.markings
  WHERE r.granular_refs = 0;
INSERT INTO brief_rows SELECT date_added_us, period, collection, id_hash, type, version_ns, created_by_ref, added_by, added_by_nation, received, origin, ref_a, ref_b, n, -date_added_us FROM brief_entries WHERE granular_refs > 0;
)sql";

// brief_released: the released rows, with whether the audience reads them whole (not
// redacted), their TLP rank and releasability label. brief_objects: the same, definitions
// left out.
constexpr std::string_view kMaterialise = R"sql(
CREATE TEMP VIEW brief_released AS
  SELECT r.*, a.whole, a.tlp, a.rel FROM brief_rows r JOIN brief_allowed a ON a.grp = r.grp;
CREATE TEMP VIEW brief_objects AS
  SELECT * FROM brief_released WHERE type NOT IN ('marking-definition', 'extension-definition');
DROP TABLE temp.brief_entries;
)sql";

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
  KZ_ASSIGN_OR_RETURN(store::Statement * insert, sql_.Cached(sql));
  insert->Bind(1, current.from_us).Bind(2, current.to_us).Bind(3, previous.from_us).Bind(4, previous.to_us);
  insert->Bind(5, std::min(current.from_us, previous.from_us)).Bind(6, std::max(current.to_us, previous.to_us));
  absl::Status inserted = insert->Run();
  insert->Reset();
  KZ_RETURN_IF_ERROR(inserted);
  return sql_.Exec(kGroupRows);
}

absl::Status ReleasedRows::DecideAllGroups(const Audience& audience) {
  KZ_ASSIGN_OR_RETURN(store::Statement * read,
                      sql_.Cached("SELECT grp, collection, type, created_by_ref, added_by, added_by_nation, "
                                  "received, markings FROM brief_groups ORDER BY grp"));
  for (;;) {
    KZ_ASSIGN_OR_RETURN(bool row, read->Step());
    if (!row) break;
    EntryGroup g{read->Int(0), read->Int(1), std::string(read->Text(2)), std::string(read->Text(3)),
                 std::string(read->Text(4)), std::string(read->Text(5)), std::string(read->Text(7)),
                 read->Int(6) != 0};
    all_groups_.emplace(g.grp, std::move(g));
  }
  read->Reset();
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
      sql_.Cached("SELECT r.date_added_us, r.collection, r.stix_id, r.type, r.created_by_ref, r.added_by, "
                  "r.added_by_nation, r.origin, r.markings, r.granular_refs, CAST(e.json AS TEXT) "
                  "FROM brief_entries r JOIN entries e ON e.date_added_us = r.date_added_us "
                  "WHERE r.granular_refs > 0 ORDER BY r.date_added_us"));
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
