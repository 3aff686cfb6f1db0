// Kizuna.
#include "kizuna/api/released_counts.h"

#include <sqlite3.h>

#include <algorithm>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>

#include "absl/container/flat_hash_map.h"
#include "kizuna/base/status.h"
#include "kizuna/base/strings.h"
#include "kizuna/stix/object.h"

namespace kizuna::api {
namespace {

// kz_count's arguments: the facts of the row, then whether its object may have a version
// standing in for it (Count's `stand_in`).
constexpr std::string_view kCall =
    "kz_count(e.collection, e.type, e.created_by_ref, e.added_by, e.added_by_nation, e.origin IS "
    "NOT NULL, "
    "e.markings, e.granular_refs, e.date_added_us, ";
constexpr int kArgs = 10;

std::string_view Arg(sqlite3_value* v) {
  const unsigned char* text = sqlite3_value_text(v);
  return text == nullptr ? std::string_view()
                         : std::string_view(reinterpret_cast<const char*>(text),
                                            static_cast<size_t>(sqlite3_value_bytes(v)));
}

}  // namespace

store::ReportScope CountScope(const std::vector<store::Collection>& collections, int64_t after_us,
                              int64_t through_us) {
  store::ReportScope scope;
  for (const store::Collection& c : collections) scope.collections.push_back(c.id);
  scope.after_us = after_us;
  scope.through_us = through_us;
  return scope;
}

// One SQL pass: the groups met, numbered in the order met, with their counts.
struct ReleasedCounter::Pass {
  const std::vector<int64_t>* bounds = nullptr;
  absl::flat_hash_map<int64_t, size_t> collection_of;  // collections.pk -> index
  absl::flat_hash_map<std::string, size_t> numbers;    // facts -> index in groups
  std::vector<CountedGroup> groups;
  std::vector<int64_t> granular_added;  // per group: the date_added of a granular entry, else 0
  std::vector<std::pair<size_t, int64_t>> stand_ins;  // (group, date_added) of such entries
  std::string key;                                    // the row's facts (a buffer)
  std::string last_key;  // the last row's that was not granular, and its group
  size_t last_group = SIZE_MAX;

  static void Call(sqlite3_context* ctx, int argc, sqlite3_value** argv) {
    auto* self = static_cast<Pass*>(sqlite3_user_data(ctx));
    if (argc != kArgs) return sqlite3_result_error(ctx, "kz_count takes 10 arguments", -1);
    auto collection = self->collection_of.find(sqlite3_value_int64(argv[0]));
    if (collection == self->collection_of.end())
      return sqlite3_result_error(ctx, "kz_count: unknown collection", -1);
    const int64_t added = sqlite3_value_int64(argv[8]);
    const bool received = sqlite3_value_int(argv[5]) != 0;
    const bool granular = sqlite3_value_int64(argv[7]) > 0;
    size_t g = self->groups.size();
    if (!granular) {
      // Each text with its length first (as bytes), so that no two lists of facts make one
      // key. Rows come in runs of the same facts: the last key's group is tried first.
      std::string& key = self->key;
      key.clear();
      const auto append = [&key](const auto& value) {
        key.append(reinterpret_cast<const char*>(&value), sizeof value);
      };
      append(collection->second);
      key.push_back(received ? 'r' : 'l');
      for (int i : {1, 2, 3, 4, 6}) {
        std::string_view text = Arg(argv[i]);
        append(text.size());
        key.append(text);
      }
      if (self->last_group < self->groups.size() && key == self->last_key) {
        g = self->last_group;
      } else {
        g = self->numbers.try_emplace(key, g).first->second;
        self->last_key = key;
        self->last_group = g;
      }
    }
    if (g == self->groups.size()) {
      CountedGroup& group = self->groups.emplace_back();
      group.collection = collection->second;
      store::StoredObject& o = group.entry;
      o.type = Arg(argv[1]);
      o.id = StrCat(o.type, "--counted-group-", g);  // never shown: names the group in errors
      o.created_by_ref = Arg(argv[2]);
      o.added_by = Arg(argv[3]);
      o.added_by_nation = Arg(argv[4]);
      o.origin = received ? "received" : "";
      o.markings = Arg(argv[6]);
      o.granular_refs = static_cast<uint32_t>(sqlite3_value_int64(argv[7]));
      self->granular_added.push_back(granular ? added : 0);
    }
    CountedGroup& group = self->groups[g];
    const size_t segment =
        std::lower_bound(self->bounds->begin(), self->bounds->end(), added) - self->bounds->begin();
    ++group.counts[{added - added % kDayUs, segment}];
    group.last_added_us = std::max(group.last_added_us, added);
    if (sqlite3_value_int(argv[9]) != 0) self->stand_ins.emplace_back(g, added);
    sqlite3_result_int(ctx, 1);
  }
};

absl::StatusOr<std::string> ReleasedCounter::PkList(
    const std::vector<store::Collection>& collections,
    absl::flat_hash_map<int64_t, size_t>* index_of) {
  KZ_ASSIGN_OR_RETURN(store::Statement * pks, sql_.Cached("SELECT pk, id FROM collections"));
  std::string in;
  for (;;) {
    KZ_ASSIGN_OR_RETURN(bool row, pks->Step());
    if (!row) break;
    for (size_t i = 0; i < collections.size(); ++i) {
      if (collections[i].id != pks->Text(1)) continue;
      if (index_of != nullptr) (*index_of)[pks->Int(0)] = i;
      StrAppend(in, in.empty() ? "" : ", ", pks->Int(0));
    }
  }
  pks->Reset();
  return in.empty() ? std::string("NULL") : in;
}

absl::Status ReleasedCounter::Count(Pass& pass, const std::vector<store::Collection>& collections,
                                    std::string_view where, std::string_view stand_in,
                                    int64_t after_us, int64_t through_us) {
  KZ_ASSIGN_OR_RETURN(std::string in, PkList(collections, &pass.collection_of));
  auto define = [&](Pass* p) {
    int rc = sqlite3_create_function_v2(
        sql_.handle(), "kz_count", kArgs, SQLITE_UTF8 | SQLITE_DIRECTONLY, p,
        p == nullptr ? nullptr : &Pass::Call, nullptr, nullptr, nullptr);
    return rc == SQLITE_OK ? absl::OkStatus()
                           : absl::InternalError(StrCat("kz_count: ", sqlite3_errstr(rc)));
  };
  KZ_RETURN_IF_ERROR(define(&pass));
  absl::StatusOr<store::Statement*> count =
      sql_.Cached(StrCat("SELECT count(", kCall, stand_in,
                         ")) FROM entries e WHERE e.collection IN (", in, ") AND ", where));
  absl::Status counted = count.status();
  if (count.ok()) {
    (*count)->Bind(1, after_us).Bind(2, through_us);
    counted = (*count)->Step().status();
    (*count)->Reset();
  }
  KZ_RETURN_IF_ERROR(define(nullptr));  // `pass` may end after this
  KZ_RETURN_IF_ERROR(counted);
  // The entries with granular markings, each a group of its own, are decided with their JSON.
  KZ_ASSIGN_OR_RETURN(
      store::Statement * read,
      sql_.Cached("SELECT stix_id, CAST(json AS TEXT) FROM entries WHERE date_added_us = ?"));
  for (size_t g = 0; g < pass.groups.size(); ++g) {
    if (pass.granular_added[g] == 0) continue;
    KZ_ASSIGN_OR_RETURN(bool row, read->Bind(1, pass.granular_added[g]).Step());
    if (row) {
      pass.groups[g].entry.id = read->Text(0);
      pass.groups[g].entry.json = read->Text(1);
    } else {
      pass.groups[g].counts.clear();  // deleted since
    }
    read->Reset();
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<CountedGroup>> ReleasedCounter::TallyEntries(
    const std::vector<store::Collection>& collections, int64_t after_us, int64_t through_us,
    const std::vector<int64_t>& bounds) {
  Pass pass;
  pass.bounds = &bounds;
  KZ_RETURN_IF_ERROR(Count(pass, collections, "e.date_added_us > ?1 AND e.date_added_us <= ?2", "0",
                           after_us, through_us));
  return std::move(pass.groups);
}

absl::StatusOr<std::vector<bool>> ReleasedCounter::Release(
    const identity::Principal& principal, const std::vector<store::Collection>& collections,
    const std::vector<CountedGroup>& groups) {
  std::vector<bool> released(groups.size(), false);
  std::vector<store::StoredObject> entries;
  for (size_t c = 0; c < collections.size(); ++c) {
    entries.clear();
    for (size_t g = 0; g < groups.size(); ++g) {
      if (groups[g].collection != c) continue;
      entries.push_back(groups[g].entry);
      entries.back().date_added_us = static_cast<int64_t>(g);  // which group, after Filter
    }
    if (entries.empty()) continue;
    KZ_RETURN_IF_ERROR(policy_.Filter(principal, collections[c], entries).status());
    for (const store::StoredObject& o : entries)
      released[static_cast<size_t>(o.date_added_us)] = true;
  }
  return released;
}

absl::StatusOr<int64_t> ReleasedCounter::CountObjects(const identity::Principal& principal,
                                                      const store::Collection& collection) {
  const std::vector<int64_t> no_bounds;
  Pass pass;
  pass.bounds = &no_bounds;
  const std::vector<store::Collection> one = {collection};
  KZ_RETURN_IF_ERROR(Count(
      pass, one,
      "e.is_last = 1 AND e.is_top_spec = 1 AND e.date_added_us > ?1 AND e.date_added_us <= ?2",
      "NOT (e.is_first AND e.is_last)", 0, std::numeric_limits<int64_t>::max()));
  KZ_ASSIGN_OR_RETURN(std::vector<bool> released, Release(principal, one, pass.groups));
  int64_t n = 0;
  for (size_t g = 0; g < pass.groups.size(); ++g) {
    if (!released[g]) continue;
    for (const auto& [key, count] : pass.groups[g].counts) n += count;
  }
  // A withheld last version gives way to any released version of the object.
  KZ_ASSIGN_OR_RETURN(store::Statement * id_of,
                      sql_.Cached("SELECT stix_id FROM entries WHERE date_added_us = ?"));
  for (const auto& [g, added] : pass.stand_ins) {
    if (released[g]) continue;
    KZ_ASSIGN_OR_RETURN(bool row, id_of->Bind(1, added).Step());
    std::string id(row ? id_of->Text(0) : std::string_view());
    id_of->Reset();
    if (!row) continue;
    store::PageRequest all;
    all.limit = store::kMaxPageLimit;
    all.filter.versions.all = true;
    KZ_ASSIGN_OR_RETURN(store::Page versions, store_.GetObject(collection.id, id, all));
    KZ_RETURN_IF_ERROR(policy_.Filter(principal, collection, versions.objects).status());
    if (!versions.objects.empty()) ++n;
  }
  return n;
}

absl::StatusOr<int64_t> ReleasedCounter::Newest(std::string_view where, int64_t after_us,
                                                int64_t through_us) {
  KZ_ASSIGN_OR_RETURN(
      store::Statement * newest,
      sql_.Cached(StrCat("SELECT coalesce(max(date_added_us), 0) FROM entries WHERE ", where)));
  absl::StatusOr<bool> row = newest->Bind(1, after_us).Bind(2, through_us).Step();
  const int64_t found = row.ok() && *row ? newest->Int(0) : 0;
  newest->Reset();
  KZ_RETURN_IF_ERROR(row.status());
  return found;
}

absl::StatusOr<int64_t> ReleasedCounter::LastEntryAdded() {
  return Newest("date_added_us > ?1 AND date_added_us <= ?2", 0,
                std::numeric_limits<int64_t>::max());
}

absl::StatusOr<int64_t> ReleasedCounter::LastDefinitionAdded(int64_t after_us, int64_t through_us) {
  return Newest("date_added_us > ?1 AND date_added_us <= ?2 AND type = 'marking-definition'",
                after_us, through_us);
}

namespace {

// Whether TAXII's default read, released to a principal who sees `visible` of `versions` (one
// object's versions, every spec version), counts the object as it was when the entries up to
// `through_us` were all there were: its last version of the highest spec version, or where
// that is withheld and it has other versions of that spec version, a released one of them.
int64_t CountedAt(const std::vector<store::StoredObject>& versions,
                  const std::vector<store::StoredObject>& visible, int64_t through_us) {
  const store::StoredObject* last = nullptr;
  for (const store::StoredObject& v : versions) {
    if (v.date_added_us > through_us) continue;
    if (last == nullptr || v.spec_version > last->spec_version ||
        (v.spec_version == last->spec_version && v.version_ns > last->version_ns))
      last = &v;
  }
  if (last == nullptr) return 0;
  const auto held = [&](const store::StoredObject& v) {
    return v.date_added_us <= through_us && v.spec_version == last->spec_version;
  };
  const bool shown = std::any_of(visible.begin(), visible.end(), [&](const store::StoredObject& v) {
    return v.date_added_us == last->date_added_us;
  });
  if (shown) return 1;
  return std::count_if(versions.begin(), versions.end(), held) > 1 &&
                 std::any_of(visible.begin(), visible.end(), held)
             ? 1
             : 0;
}

}  // namespace

absl::StatusOr<std::optional<int64_t>> ReleasedCounter::ObjectsAdded(
    const identity::Principal& principal, const store::Collection& collection, int64_t after_us,
    int64_t through_us, size_t max_objects) {
  KZ_ASSIGN_OR_RETURN(int64_t defined, LastDefinitionAdded(after_us, through_us));
  if (defined != 0) return std::optional<int64_t>();
  KZ_ASSIGN_OR_RETURN(std::string in, PkList({collection}, nullptr));
  KZ_ASSIGN_OR_RETURN(
      store::Statement * added,
      sql_.Cached(StrCat("SELECT DISTINCT stix_id FROM entries WHERE collection IN (", in,
                         ") AND date_added_us > ?1 AND date_added_us <= ?2 LIMIT ?3")));
  added->Bind(1, after_us).Bind(2, through_us).Bind(3, static_cast<int64_t>(max_objects) + 1);
  std::vector<std::string> ids;
  for (;;) {
    absl::StatusOr<bool> row = added->Step();
    if (!row.ok()) added->Reset();
    KZ_RETURN_IF_ERROR(row.status());
    if (!*row) break;
    ids.emplace_back(added->Text(0));
  }
  added->Reset();
  if (ids.size() > max_objects) return std::optional<int64_t>();
  int64_t change = 0;
  store::PageRequest all;
  all.limit = store::kMaxPageLimit;
  all.filter.versions.all = true;
  all.filter.spec_versions = {stix::SpecVersion::k20, stix::SpecVersion::k21};
  for (const std::string& id : ids) {
    KZ_ASSIGN_OR_RETURN(store::Page versions, store_.GetObject(collection.id, id, all));
    std::vector<store::StoredObject> visible = versions.objects;
    KZ_RETURN_IF_ERROR(policy_.Filter(principal, collection, visible).status());
    change += CountedAt(versions.objects, visible, through_us) -
              CountedAt(versions.objects, visible, after_us);
  }
  return change;
}

}  // namespace kizuna::api
