// Kizuna. GET /api/v1/dashboard: what came in and went out today and this week, per nation;
// sightings per day over the last 30 days; the partners' sync state.
//
// -> {"today": {"in": {NATION: n}, "out": {NATION: n}}, "week": {...}, "sightings_by_day":
//     [{"day": "YYYY-MM-DD", "count": n}] (30 days, oldest first), "partners": [...] (as
//     GET partners; node administrators only, absent for anyone else)}
// Everything is counted from entries released to the caller (the collection grants and the
// policy's decisions, as its released read makes them), so no count reveals an entry it may
// not read:
//   - "in": entries added in the period, by the nation of who added them (a partner's node or
//     an organisation here);
//   - "out": of those entries, the ones the node has pushed to a partner (date_added within a
//     pushing mapping's push cursor) and that the policy releases to that partner, by the
//     partner's nation;
//   - "sightings_by_day": released sighting entries by the UTC day they were added.
// The day and the week are UTC: since midnight, and since midnight six days ago.
//
// They are counted in SQL (CountTally: ReleasedCounter::TallyEntries, the entries grouped by
// what the policy decides on and each group decided once), exactly at any size, and kept
// (DashboardTally) per release key (policy::ReleaseKey), readable
// collections, day and pushing mappings with their partners, counted through the store's
// LastDateAdded read before counting. A later request brings them up to date instead of
// counting again: it reads, through the same released read, only the entries added since
// (and, for "out", the entries a push cursor has moved past since), so the load after a write
// reads a few entries, not the window's. They are counted again from the start when that
// cannot be trusted: nothing kept for the key, kRecountMaxAgeUs passed, a change that added
// nothing (a delete; one that comes with additions since the last request shows at the next
// counting), a push cursor moved back, or a marking definition among the entries
// added (it can release entries counted before as withheld; the policy uses it within
// policy::PolicyOptions::unknown_marking_ttl_us, so until then every request counts again).
// A marking definition the caller cannot read, or another process's delete, shows at the
// next counting (within kRecountMaxAgeUs), and only ever as counts too low. Bringing them up
// to date reads through the released read (ScanReleased); past kMaxScanned entries they are
// counted again instead. The partners' rows are read at every request.
#include <algorithm>
#include <boost/json.hpp>
#include <limits>
#include <map>

#include "kizuna/api/answer.h"
#include "kizuna/api/console_endpoints.h"
#include "kizuna/api/released_counts.h"
#include "kizuna/base/status.h"
#include "kizuna/base/strings.h"
#include "kizuna/stix/timestamp.h"

namespace kizuna::api {

// The dashboard's counts for one key, through one point of the store.
struct DashboardTally {
  using ByNation = std::map<std::string, int64_t>;
  int64_t through_us = 0;    // entries with date_added up to this are counted (LastDateAdded)
  int64_t changes = 0;       // the store's LocalContentChanges when through_us was read
  int64_t deletes = 0;       // and its LocalDeletes: a delete since, and it is counted again
  int64_t recounted_us = 0;  // when the counting started from nothing
  int64_t settled_us = 0;    // the policy uses every marking definition counted from then on:
                             // a counting started before it is counted again
  std::map<int64_t, ByNation> in;        // by UTC day start, by nation
  std::map<int64_t, ByNation> out;       // by UTC day start, by partner nation
  std::map<int64_t, int64_t> sightings;  // by UTC day start
  // Per pushing mapping (MappingKey): entries up to this date_added are counted in "out".
  std::map<std::string, int64_t> pushed_through_us;
};

namespace {

boost::json::object Counts(const DashboardTally::ByNation& m) {
  boost::json::object o;
  for (const auto& [k, v] : m) o[k.empty() ? "unknown" : k] = v;
  return o;
}

// The sum of `by_day` over the days from `from_us` on.
DashboardTally::ByNation Since(const std::map<int64_t, DashboardTally::ByNation>& by_day,
                               int64_t from_us) {
  DashboardTally::ByNation sum;
  for (auto it = by_day.lower_bound(from_us); it != by_day.end(); ++it) {
    for (const auto& [nation, n] : it->second) sum[nation] += n;
  }
  return sum;
}

std::string MappingKey(const store::Peer& peer, const store::PeerMapping& m) {
  return StrCat(peer.name, '\1', m.local_collection, '\1', m.remote_collection);
}

// What the counts depend on besides the store's content and the push cursors: the release
// key, the collections read, the day, and each pushing mapping of those collections with its
// partner.
std::string DashboardKey(const identity::Principal& principal,
                         const std::vector<store::Collection>& readable,
                         const std::vector<store::Peer>& peers, int64_t today_us) {
  std::string key = StrCat("dashboard", '\0', policy::ReleaseKey(principal), '\0', today_us);
  for (const store::Collection& c : readable) {
    StrAppend(key, '\0', policy::CollectionKey(c));
    for (const store::Peer& peer : peers) {
      for (const store::PeerMapping& m : peer.mappings) {
        if (m.local_collection == c.id && m.Pushes())
          StrAppend(key, '\2', MappingKey(peer, m), '\2',
                    policy::ReleaseKey(policy::PrincipalForPeer(peer)));
      }
    }
  }
  return key;
}

boost::json::value TallyJson(const DashboardTally& t, int64_t today_us) {
  const int64_t week_us = today_us - 6 * kDayUs;
  const int64_t month_us = today_us - 29 * kDayUs;
  boost::json::array by_day;
  for (int64_t day = month_us; day <= today_us; day += kDayUs) {
    auto it = t.sightings.find(day);
    by_day.push_back({{"day", stix::FormatTaxii(day).substr(0, 10)},
                      {"count", it == t.sightings.end() ? 0 : it->second}});
  }
  return boost::json::object{
      {"today", {{"in", Counts(Since(t.in, today_us))}, {"out", Counts(Since(t.out, today_us))}}},
      {"week", {{"in", Counts(Since(t.in, week_us))}, {"out", Counts(Since(t.out, week_us))}}},
      {"sightings_by_day", std::move(by_day)},
  };
}

int64_t DayOf(int64_t us) { return us - us % kDayUs; }

// Every entry (each version) added after `after_us`.
store::ObjectFilter EntriesAfter(int64_t after_us) {
  store::ObjectFilter filter;
  filter.added_after_us = after_us;
  filter.versions.last = false;
  filter.versions.all = true;
  return filter;
}

// A pushing mapping not counted yet.
constexpr int64_t kNothingPushed = std::numeric_limits<int64_t>::min();

}  // namespace

absl::StatusOr<bool> ConsoleEndpoints::AdvanceTally(const identity::Principal& principal,
                                                    const std::vector<store::Collection>& readable,
                                                    const std::vector<store::Peer>& peers,
                                                    int64_t today_us, int64_t through_us,
                                                    DashboardTally& t) {
  const int64_t week_us = today_us - 6 * kDayUs;
  const int64_t from_us = t.through_us;  // entries after it are new
  bool marking_added = false;
  for (const store::Collection& c : readable) {
    std::vector<store::StoredObject> week;  // the new entries of the week
    KZ_ASSIGN_OR_RETURN(
        bool stopped,
        ScanReleased(principal, c, EntriesAfter(from_us), false, [&](const store::StoredObject& o) {
          if (o.date_added_us > through_us) return;  // counted from the next stamp on
          if (o.type == "marking-definition") {
            marking_added = true;
            t.settled_us = std::max(t.settled_us, o.date_added_us + kMarkingSettleUs);
          }
          if (o.type == "sighting") ++t.sightings[DayOf(o.date_added_us)];
          if (o.date_added_us < week_us) return;
          ++t.in[DayOf(o.date_added_us)][o.added_by_nation];
          week.push_back(o);
        }));
    if (stopped) return false;  // too many to bring up to date: counted again
    for (const store::Peer& peer : peers) {
      for (const store::PeerMapping& m : peer.mappings) {
        if (m.local_collection != c.id || !m.Pushes()) continue;
        const int64_t hi = std::min(m.push_cursor_us, through_us);
        int64_t& counted =
            t.pushed_through_us.try_emplace(MappingKey(peer, m), kNothingPushed).first->second;
        if (hi < counted) return false;  // the cursor moved back
        const int64_t counted_before = counted;
        const int64_t lo = std::max(counted, week_us - 1);
        counted = hi;
        if (hi <= lo) continue;
        // Pushed since: the older entries the cursor moved past, then the new ones.
        std::vector<store::StoredObject> sent;
        if (lo < std::min(hi, from_us)) {
          KZ_ASSIGN_OR_RETURN(bool pushed_stopped,
                              ScanReleased(principal, c, EntriesAfter(lo), false,
                                           [&](const store::StoredObject& o) {
                                             if (o.date_added_us <= std::min(hi, from_us))
                                               sent.push_back(o);
                                           }));
          if (pushed_stopped) return false;
        }
        for (const store::StoredObject& o : week) {
          if (o.date_added_us > lo && o.date_added_us > from_us && o.date_added_us <= hi)
            sent.push_back(o);
        }
        // What the partner received is what the policy releases to it (when the policy
        // cannot say, they are left for the next request).
        if (!policy_.Filter(policy::PrincipalForPeer(peer), c, sent).ok()) {
          counted = counted_before;
          continue;
        }
        for (const store::StoredObject& o : sent) ++t.out[DayOf(o.date_added_us)][peer.nation];
      }
    }
  }
  t.through_us = std::max(t.through_us, through_us);
  return !marking_added;
}

absl::Status ConsoleEndpoints::CountTally(const identity::Principal& principal,
                                          const std::vector<store::Collection>& readable,
                                          const std::vector<store::Peer>& peers, int64_t today_us,
                                          int64_t through_us, DashboardTally& t) {
  const int64_t week_us = today_us - 6 * kDayUs;
  // Each pushing mapping's cursor bounds a segment: what it has pushed is the segments up to it.
  std::vector<int64_t> bounds;
  for (const store::Peer& peer : peers) {
    for (const store::PeerMapping& m : peer.mappings) {
      if (m.Pushes()) bounds.push_back(std::min(m.push_cursor_us, through_us));
    }
  }
  std::sort(bounds.begin(), bounds.end());
  bounds.erase(std::unique(bounds.begin(), bounds.end()), bounds.end());
  KZ_ASSIGN_OR_RETURN(std::unique_ptr<store::Connection> sql,
                      db_.OpenReportView(CountScope(readable, t.through_us, through_us)));
  ReleasedCounter counter(*sql, db_, policy_);
  // One snapshot for the groups and the JSON of their granular entries (a delete in between
  // would leave an entry without its JSON); it ends with the connection.
  KZ_RETURN_IF_ERROR(sql->Exec("BEGIN"));
  KZ_ASSIGN_OR_RETURN(std::vector<CountedGroup> groups,
                      counter.TallyEntries(readable, t.through_us, through_us, bounds));
  KZ_ASSIGN_OR_RETURN(std::vector<bool> released, counter.Release(principal, readable, groups));
  std::vector<CountedGroup> shown;
  for (size_t g = 0; g < groups.size(); ++g) {
    if (released[g]) shown.push_back(std::move(groups[g]));
  }
  for (const CountedGroup& g : shown) {
    if (g.entry.type == "marking-definition")
      t.settled_us = std::max(t.settled_us, g.last_added_us + kMarkingSettleUs);
    for (const auto& [at, n] : g.counts) {
      if (g.entry.type == "sighting") t.sightings[at.first] += n;
      if (at.first >= week_us) t.in[at.first][g.entry.added_by_nation] += n;
    }
  }
  for (size_t c = 0; c < readable.size(); ++c) {
    for (const store::Peer& peer : peers) {
      for (const store::PeerMapping& m : peer.mappings) {
        if (m.local_collection != readable[c].id || !m.Pushes()) continue;
        const int64_t hi = std::min(m.push_cursor_us, through_us);
        int64_t& counted =
            t.pushed_through_us.try_emplace(MappingKey(peer, m), kNothingPushed).first->second;
        if (hi < week_us) {
          counted = hi;
          continue;
        }
        // What the partner received is what the policy releases to it (when the policy
        // cannot say, they are left for the next request).
        std::vector<CountedGroup> sent;
        for (const CountedGroup& g : shown) {
          if (g.collection == c) sent.push_back(g);
        }
        absl::StatusOr<std::vector<bool>> to_peer =
            counter.Release(policy::PrincipalForPeer(peer), readable, sent);
        if (!to_peer.ok()) continue;
        counted = hi;
        const size_t through = std::lower_bound(bounds.begin(), bounds.end(), hi) - bounds.begin();
        for (size_t g = 0; g < sent.size(); ++g) {
          if (!(*to_peer)[g]) continue;
          for (const auto& [at, n] : sent[g].counts) {
            if (at.first >= week_us && at.second <= through) t.out[at.first][peer.nation] += n;
          }
        }
      }
    }
  }
  t.through_us = std::max(t.through_us, through_us);
  return absl::OkStatus();
}

absl::StatusOr<boost::json::value> ConsoleEndpoints::DashboardCounts(
    const identity::Principal& principal, const std::vector<store::Collection>& readable,
    const std::vector<store::Peer>& peers, int64_t today_us) {
  const std::string key = DashboardKey(principal, readable, peers, today_us);
  // The stamp and the time are taken before anything is read: nothing is counted as newer
  // than what it was counted from.
  KZ_ASSIGN_OR_RETURN(const KeptStamp stamp, StampNow());
  const int64_t last_added = stamp.last_added;
  const int64_t now_us = clock_.NowMicros();
  std::shared_ptr<const DashboardTally> kept;
  {
    absl::MutexLock lock(&kept_mu_);
    if (auto* found = tallies_.Find(key)) kept = *found;
  }
  // A delete, or a change that moved no date_added: count again.
  const bool current =
      kept != nullptr && now_us >= kept->recounted_us && kept->recounted_us >= kept->settled_us &&
      now_us - kept->recounted_us < kRecountMaxAgeUs && last_added >= kept->through_us &&
      (last_added > kept->through_us || stamp.changes == kept->changes) &&
      stamp.deletes == kept->deletes;
  auto next = std::make_shared<DashboardTally>();
  bool advanced = false;
  if (current) {
    *next = *kept;
    KZ_ASSIGN_OR_RETURN(advanced,
                        AdvanceTally(principal, readable, peers, today_us, last_added, *next));
  }
  if (!advanced) {
    *next = DashboardTally{};
    next->through_us = today_us - 29 * kDayUs - 1;
    next->recounted_us = now_us;
    KZ_RETURN_IF_ERROR(CountTally(principal, readable, peers, today_us, last_added, *next));
  }
  next->changes = stamp.changes;
  next->deletes = stamp.deletes;
  boost::json::value json = TallyJson(*next, today_us);
  absl::MutexLock lock(&kept_mu_);
  tallies_.Put(principal.user, key, std::move(next));
  return json;
}

http::Response ConsoleEndpoints::Dashboard(const ApiCall& call) {
  call.info.endpoint = "api-dashboard";
  const int64_t now_us = clock_.NowMicros();
  const int64_t today_us = DayOf(now_us);
  absl::StatusOr<std::vector<store::Collection>> readable = Readable(call.principal);
  absl::StatusOr<std::vector<store::Peer>> peers = db_.ListPeers();
  if (!readable.ok() || !peers.ok()) return ErrorAnswer(500, "the collections could not be read");
  absl::StatusOr<boost::json::value> counts =
      DashboardCounts(call.principal, *readable, *peers, today_us);
  if (!counts.ok() || !counts->is_object())
    return ErrorAnswer(500, "the collection could not be read");
  boost::json::object& out = counts->get_object();
  if (SeesPartners(call.principal)) out["partners"] = PartnersJson(call.principal, *peers);
  return JsonAnswer(boost::json::serialize(out));
}

}  // namespace kizuna::api
