// Kizuna. The check's steps over the store's own invariants: entry flags, id runs, marking
// definitions, peer tokens.
#include <algorithm>
#include <cstring>
#include <tuple>
#include <vector>

#include "kizuna/base/status.h"
#include "kizuna/base/strings.h"
#include "kizuna/store/check_rules.h"
#include "kizuna/store/sqlite/check_steps.h"
#include "kizuna/store/sqlite/entry_ids.h"
#include "kizuna/store/sqlite/internal.h"

namespace kizuna::store::sqlite_internal {
namespace {

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
      int flags = EntryFlags(st->Int(6) != 0, st->Int(7) != 0, st->Int(8) != 0);
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
    DefinitionCheck definitions(c, step);
    for (;;) {
      KZ_ASSIGN_OR_RETURN(bool row, st->Step());
      if (!row) break;
      definitions.Add(st->Text(0), st->Int(1), st->Text(2), st->Text(3));
    }
    definitions.Finish();
    st->Reset();
    return absl::OkStatus();
  });
}

CheckStep CheckPeerTokens(CheckContext& c, const std::string& key_path) {
  return c.Run("peer-tokens", 0, [&](CheckStep& step) -> absl::Status {
    KZ_ASSIGN_OR_RETURN(Statement * st,
                        c.db().Cached("SELECT name, token, sealed_token FROM peers ORDER BY name"));
    PeerTokenCheck tokens(c, step, key_path);
    for (;;) {
      KZ_ASSIGN_OR_RETURN(bool row, st->Step());
      if (!row) break;
      tokens.Peer(st->Text(0), st->Text(1), st->Text(2));
    }
    st->Reset();
    return absl::OkStatus();
  });
}

}  // namespace kizuna::store::sqlite_internal
