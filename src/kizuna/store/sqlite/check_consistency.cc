// Kizuna. The check's steps over the store's own invariants: entry flags, id runs, marking
// definitions, peer tokens.
#include <algorithm>
#include <cstring>
#include <optional>
#include <tuple>
#include <vector>

#include "kizuna/base/status.h"
#include "kizuna/base/strings.h"
#include "kizuna/stix/jcs.h"
#include "kizuna/store/peer_tokens.h"
#include "kizuna/store/sqlite/check_steps.h"
#include "kizuna/store/sqlite/entry_ids.h"
#include "kizuna/store/sqlite/internal.h"

namespace kizuna::store::sqlite_internal {
namespace {

// The version flags of an entry as one number: is_first, is_last, is_top_spec in bits 0 to 2.
constexpr int kFirst = 1, kLast = 2, kTopSpec = 4;
// An object's only entry in a collection is its first, last and top spec version.
constexpr int kOnlyVersion = kFirst | kLast | kTopSpec;

// What the flags of an entry are computed from (RecomputeFlags in sqlite_query.cc).
struct VersionRow {
  int64_t collection;
  std::string stix_id;
  int64_t spec_version, version_ns, date_added_us;
  int flags;
};

std::string FlagsText(int flags) {
  return StrCat(flags & kFirst, "/", (flags & kLast) >> 1, "/", (flags & kTopSpec) >> 2);
}

void ReportFlags(CheckContext& c, CheckStep& step, int64_t date_added_us, std::string_view id, int has,
                 int wants) {
  c.Add(step, StrCat("entry ", date_added_us, " (", id, ")"),
        StrCat("flags first/last/top-spec are ", FlagsText(has), ", should be ", FlagsText(wants)));
}

absl::StatusOr<int64_t> Count(Connection& db, const std::string& sql) {
  KZ_ASSIGN_OR_RETURN(Statement * st, db.Cached(sql));
  KZ_ASSIGN_OR_RETURN(bool row, st->Step());
  int64_t n = row ? st->Int(0) : 0;
  st->Reset();
  return n;
}

// Returns the id hashes that more than one entry has (in one collection or several), sorted:
// only their entries need their versions compared.
absl::StatusOr<std::vector<int64_t>> SharedIdHashes(Connection& db) {
  std::vector<int64_t> all, shared;
  KZ_ASSIGN_OR_RETURN(Statement * st, db.Cached("SELECT id_hash FROM entries"));
  for (;;) {
    KZ_ASSIGN_OR_RETURN(bool row, st->Step());
    if (!row) break;
    all.push_back(st->Int(0));
  }
  st->Reset();
  std::sort(all.begin(), all.end());
  for (size_t i = 1; i < all.size(); ++i) {
    if (all[i] == all[i - 1] && (shared.empty() || shared.back() != all[i])) shared.push_back(all[i]);
  }
  return shared;
}

// Compares the flags of `rows` with those their versions call for: per collection and object
// id, first and last within each spec version, and the highest spec version held.
void CompareVersions(CheckContext& c, CheckStep& step, std::vector<VersionRow>& rows) {
  auto object = [](const VersionRow& r) { return std::tie(r.collection, r.stix_id); };
  std::sort(rows.begin(), rows.end(), [&](const VersionRow& a, const VersionRow& b) {
    return std::tie(a.collection, a.stix_id, a.spec_version, a.version_ns) <
           std::tie(b.collection, b.stix_id, b.spec_version, b.version_ns);
  });
  for (size_t begin = 0, end = 0; begin < rows.size(); begin = end) {
    while (end < rows.size() && object(rows[end]) == object(rows[begin])) ++end;
    const int64_t top = rows[end - 1].spec_version;
    for (size_t i = begin; i < end; ++i) {
      size_t lo = i, hi = i;  // the first and last rows of this spec version
      while (lo > begin && rows[lo - 1].spec_version == rows[i].spec_version) --lo;
      while (hi + 1 < end && rows[hi + 1].spec_version == rows[i].spec_version) ++hi;
      const VersionRow& r = rows[i];
      int wants = (r.version_ns == rows[lo].version_ns ? kFirst : 0) |
                  (r.version_ns == rows[hi].version_ns ? kLast : 0) |
                  (r.spec_version == top ? kTopSpec : 0);
      if (wants != r.flags) ReportFlags(c, step, r.date_added_us, r.stix_id, r.flags, wants);
    }
  }
}

// Appends the pairs of every chunk and of entry_id_compacted to `pairs`; malformed chunks are
// problems.
absl::Status ReadIdPairs(CheckContext& c, CheckStep& step, std::vector<IdPair>& pairs) {
  KZ_ASSIGN_OR_RETURN(Statement * chunks,
                      c.db().Cached("SELECT run, first_hash, ids FROM entry_id_chunks"));
  for (;;) {
    KZ_ASSIGN_OR_RETURN(bool row, chunks->Step());
    if (!row) break;
    std::string_view blob = chunks->Text(2);
    std::string where =
        StrCat("id chunk (run ", chunks->Int(0), ", first hash ", chunks->Int(1), ")");
    if (blob.empty() || blob.size() % sizeof(IdPair) != 0) {
      c.Add(step, where,
            StrCat("holds ", blob.size(), " octets, not a whole number of 16-octet pairs"));
      continue;
    }
    size_t first = pairs.size();
    for (size_t at = 0; at < blob.size(); at += sizeof(IdPair)) {
      IdPair p;
      std::memcpy(&p, blob.data() + at, sizeof p);
      pairs.push_back(p);
    }
    if (!std::is_sorted(pairs.begin() + first, pairs.end()))
      c.Add(step, where, "its pairs are not sorted");
    if (pairs[first].id_hash != chunks->Int(1))
      c.Add(step, where, "its first pair has another hash");
  }
  chunks->Reset();
  KZ_ASSIGN_OR_RETURN(Statement * compacted,
                      c.db().Cached("SELECT id_hash, date_added_us FROM entry_id_compacted"));
  for (;;) {
    KZ_ASSIGN_OR_RETURN(bool row, compacted->Step());
    if (!row) break;
    pairs.push_back({compacted->Int(0), compacted->Int(1)});
  }
  compacted->Reset();
  return absl::OkStatus();
}

// Compares the entries, in date_added order, with the pairs sorted the same way.
absl::Status MatchEntriesWithPairs(CheckContext& c, CheckStep& step,
                                   const std::vector<IdPair>& pairs, int64_t total) {
  KZ_ASSIGN_OR_RETURN(std::vector<int64_t> deleted, DeletedEntries(c.db()));
  KZ_ASSIGN_OR_RETURN(IdHashKey key, ReadIdHashKey(c.db()));
  auto orphan = [&](const IdPair& p) {
    if (std::binary_search(deleted.begin(), deleted.end(), p.date_added_us)) return;
    c.Add(step, StrCat("entry ", p.date_added_us),
          StrCat("an id run holds it (hash ", p.id_hash,
                 "), but it is neither stored nor recorded as deleted"));
  };
  KZ_ASSIGN_OR_RETURN(
      Statement * entries,
      c.db().Cached("SELECT date_added_us, id_hash, stix_id FROM entries ORDER BY date_added_us"));
  size_t j = 0;
  for (;;) {
    KZ_ASSIGN_OR_RETURN(bool row, entries->Step());
    if (!row) break;
    const int64_t date = entries->Int(0), hash = entries->Int(1);
    std::string_view id = entries->Text(2);
    for (; j < pairs.size() && pairs[j].date_added_us < date; ++j) orphan(pairs[j]);
    int found = 0, other = 0;
    for (; j < pairs.size() && pairs[j].date_added_us == date; ++j)
      (pairs[j].id_hash == hash ? found : other)++;
    std::string where = StrCat("entry ", date, " (", id, ")");
    if (found == 0) c.Add(step, where, "is in no id run: lookups by its id miss it");
    if (found > 1) c.Add(step, where, StrCat("is in ", found, " id runs"));
    if (other > 0) c.Add(step, where, "is in an id run under another hash");
    if (IdHash(key, id) != hash) c.Add(step, where, "its id_hash is not the hash of its id");
    ++step.checked;
    c.Progress(step.name, step.checked, total);
  }
  entries->Reset();
  for (; j < pairs.size(); ++j) orphan(pairs[j]);
  return absl::OkStatus();
}

// One stored marking definition.
struct Definition {
  int64_t date_added_us;
  std::string collection;
  std::string canonical;  // the JSON in canonical form (RFC 8785)
};

// Reports `id` when its definitions do not all have the same content.
void CompareDefinitions(CheckContext& c, CheckStep& step, std::string_view id,
                        const std::vector<Definition>& all) {
  std::vector<std::string_view> contents;
  for (const Definition& d : all) contents.push_back(d.canonical);
  std::sort(contents.begin(), contents.end());
  size_t distinct = std::unique(contents.begin(), contents.end()) - contents.begin();
  if (distinct < 2) return;
  std::string entries;
  for (const Definition& d : all)
    StrAppend(entries, entries.empty() ? "" : ", ", d.date_added_us, " in ", d.collection);
  c.Add(step, std::string(id),
        StrCat("stored with ", distinct, " different contents (entries ", entries,
               "): a marking definition is never versioned, so all but one are forged or damaged"));
}

}  // namespace

CheckStep CheckEntryFlags(CheckContext& c) {
  absl::StatusOr<int64_t> total = Count(c.db(), "SELECT count(*) FROM entries");
  return c.Run("entries", total.value_or(0), [&](CheckStep& step) -> absl::Status {
    KZ_RETURN_IF_ERROR(total.status());
    KZ_ASSIGN_OR_RETURN(std::vector<int64_t> shared, SharedIdHashes(c.db()));
    KZ_ASSIGN_OR_RETURN(Statement * st, c.db().Cached(
        "SELECT date_added_us, collection, id_hash, stix_id, spec_version, version_ns, is_first,"
        " is_last, is_top_spec FROM entries"));
    std::vector<VersionRow> versions;  // the entries of ids held more than once
    for (;;) {
      KZ_ASSIGN_OR_RETURN(bool row, st->Step());
      if (!row) break;
      int flags = (st->Int(6) != 0 ? kFirst : 0) | (st->Int(7) != 0 ? kLast : 0) |
                  (st->Int(8) != 0 ? kTopSpec : 0);
      if (std::binary_search(shared.begin(), shared.end(), st->Int(2))) {
        versions.push_back({st->Int(1), std::string(st->Text(3)), st->Int(4), st->Int(5), st->Int(0), flags});
      } else if (flags != kOnlyVersion) {
        ReportFlags(c, step, st->Int(0), st->Text(3), flags, kOnlyVersion);
      }
      ++step.checked;
      c.Progress(step.name, step.checked, *total);
    }
    st->Reset();
    CompareVersions(c, step, versions);
    return absl::OkStatus();
  });
}

CheckStep CheckEntryIds(CheckContext& c) {
  absl::StatusOr<int64_t> total = Count(c.db(), "SELECT count(*) FROM entries");
  return c.Run("ids", total.value_or(0), [&](CheckStep& step) -> absl::Status {
    KZ_RETURN_IF_ERROR(total.status());
    std::vector<IdPair> pairs;
    KZ_RETURN_IF_ERROR(ReadIdPairs(c, step, pairs));
    std::sort(pairs.begin(), pairs.end(), [](const IdPair& a, const IdPair& b) {
      return std::tie(a.date_added_us, a.id_hash) < std::tie(b.date_added_us, b.id_hash);
    });
    return MatchEntriesWithPairs(c, step, pairs, *total);
  });
}

CheckStep CheckMarkingDefinitions(CheckContext& c) {
  return c.Run("marking-definitions", 0, [&](CheckStep& step) -> absl::Status {
    KZ_ASSIGN_OR_RETURN(
        Statement * st,
        c.db().Cached(
            "SELECT e.stix_id, e.date_added_us, coalesce(c.id, e.collection), e.json FROM entries e"
            " LEFT JOIN collections c ON c.pk = e.collection WHERE e.type = 'marking-definition'"
            " ORDER BY e.stix_id, e.date_added_us"));
    simdjson::dom::parser parser;
    std::string id;
    std::vector<Definition> same_id;
    for (;;) {
      KZ_ASSIGN_OR_RETURN(bool row, st->Step());
      if (!row || st->Text(0) != id) {
        if (!same_id.empty()) CompareDefinitions(c, step, id, same_id);
        same_id.clear();
        if (!row) break;
        id = st->Text(0);
        ++step.checked;
      }
      Definition d{st->Int(1), std::string(st->Text(2)), {}};
      simdjson::dom::element root;
      if (parser.parse(st->Text(3).data(), st->Text(3).size()).get(root) != simdjson::SUCCESS) {
        c.Add(step, StrCat("entry ", d.date_added_us, " (", id, ")"),
              "its stored JSON does not parse");
        continue;
      }
      d.canonical = stix::CanonicalJson(root);
      same_id.push_back(std::move(d));
    }
    st->Reset();
    return absl::OkStatus();
  });
}

CheckStep CheckPeerTokens(CheckContext& c, const std::string& key_path) {
  return c.Run("peer-tokens", 0, [&](CheckStep& step) -> absl::Status {
    KZ_ASSIGN_OR_RETURN(Statement * st,
                        c.db().Cached("SELECT name, token, sealed_token FROM peers ORDER BY name"));
    std::optional<absl::StatusOr<TokenSealer>> sealer;  // loaded when a sealed token is met
    bool key_reported = false;
    for (;;) {
      KZ_ASSIGN_OR_RETURN(bool row, st->Step());
      if (!row) break;
      ++step.checked;
      std::string where = StrCat("peer '", st->Text(0), "'");
      if (!st->Text(1).empty())
        c.Add(step, where, "its token is stored in clear (the store seals it when it next opens)");
      if (st->Text(2).empty()) {
        if (st->Text(1).empty()) c.Add(step, where, "it has no token");
        continue;
      }
      if (!sealer) sealer = TokenSealer::Load(key_path);
      if (!sealer->ok()) {
        if (!key_reported) {
          c.Add(step, key_path,
                StrCat("the peers' tokens cannot be opened: ", View(sealer->status().message())));
        }
        key_reported = true;
        continue;
      }
      absl::StatusOr<std::string> token = (*sealer)->Open(st->Text(0), st->Text(2));
      if (!token.ok()) c.Add(step, where, std::string(View(token.status().message())));
    }
    st->Reset();
    return absl::OkStatus();
  });
}

}  // namespace kizuna::store::sqlite_internal
