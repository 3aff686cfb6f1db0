// Kizuna. GET /api/v1/dashboard: what came in and went out today and this week, per nation;
// sightings per day over the last 30 days; the partners' sync state.
//
// -> {"today": {"in": {NATION: n}, "out": {NATION: n}}, "week": {...}, "sightings_by_day":
//     [{"day": "YYYY-MM-DD", "count": n}] (30 days, oldest first), "partners": [...] (as
//     GET partners; node administrators only, absent for anyone else), "capped": bool}
// Everything is counted from entries released to the caller (ScanReleased: the collection
// grants and the policy's released read), so no count reveals an entry it may not read:
//   - "in": entries added in the period, by the nation of who added them (a partner's node or
//     an organisation here);
//   - "out": of those entries, the ones the node has pushed to a partner (date_added within a
//     pushing mapping's push cursor) and that the policy releases to that partner, by the
//     partner's nation;
//   - "sightings_by_day": released sighting entries by the UTC day they were added.
// The day and the week are UTC: since midnight, and since midnight six days ago.
// The counts read up to kMaxScanned entries per collection, so they are kept (Kept: while the
// store is unchanged, for at most kKeptMaxAgeUs) per release key (policy::ReleaseKey),
// readable collections, day and the pushing mappings with their partners and cursors. The
// partners' rows are read at every request.
#include <boost/json.hpp>
#include <map>

#include "kizuna/api/answer.h"
#include "kizuna/base/status.h"
#include "kizuna/api/console_endpoints.h"
#include "kizuna/base/strings.h"
#include "kizuna/stix/timestamp.h"

namespace kizuna::api {
namespace {

constexpr int64_t kDayUs = int64_t{86'400} * 1'000'000;

boost::json::object Counts(const std::map<std::string, int64_t>& m) {
  boost::json::object o;
  for (const auto& [k, v] : m) o[k.empty() ? "unknown" : k] = v;
  return o;
}

// What the counts depend on besides the store's content: the release key, the collections
// read, the day, and each pushing mapping of those collections with its partner and cursor.
std::string DashboardKey(const identity::Principal& principal, const std::vector<store::Collection>& readable,
                         const std::vector<store::Peer>& peers, int64_t today_us) {
  std::string key = StrCat("dashboard", '\0', policy::ReleaseKey(principal), '\0', today_us);
  for (const store::Collection& c : readable) {
    StrAppend(key, '\0', c.id);
    for (const store::Peer& peer : peers) {
      for (const store::PeerMapping& m : peer.mappings) {
        if (m.local_collection == c.id && m.Pushes()) StrAppend(key, '\1', peer.name, '\1', peer.nation, '\1', m.push_cursor_us);
      }
    }
  }
  return key;
}

}  // namespace

absl::StatusOr<boost::json::value> ConsoleEndpoints::DashboardCounts(const identity::Principal& principal,
                                                                      const std::vector<store::Collection>& readable,
                                                                      const std::vector<store::Peer>& peers,
                                                                      int64_t today_us) {
  const int64_t week_us = today_us - 6 * kDayUs;
  const int64_t month_us = today_us - 29 * kDayUs;
  std::map<std::string, int64_t> in_today, in_week, out_today, out_week;
  std::map<int64_t, int64_t> sightings;  // by day start
  bool capped = false;
  for (const store::Collection& c : readable) {
    store::ObjectFilter filter;
    filter.added_after_us = std::min(week_us, month_us) - 1;
    filter.versions.last = false;
    filter.versions.all = true;
    std::vector<store::StoredObject> week;
    KZ_ASSIGN_OR_RETURN(bool stopped, ScanReleased(principal, c, filter, false, [&](const store::StoredObject& o) {
      if (o.type == "sighting") ++sightings[o.date_added_us - o.date_added_us % kDayUs];
      if (o.date_added_us < week_us) return;
      ++in_week[o.added_by_nation];
      if (o.date_added_us >= today_us) ++in_today[o.added_by_nation];
      week.push_back(o);
    }));
    capped = capped || stopped;
    for (const store::Peer& peer : peers) {
      for (const store::PeerMapping& m : peer.mappings) {
        if (m.local_collection != c.id || !m.Pushes()) continue;
        std::vector<store::StoredObject> sent;
        for (const store::StoredObject& o : week) {
          if (o.date_added_us <= m.push_cursor_us) sent.push_back(o);
        }
        // What the partner received is what the policy releases to it.
        if (!policy_.Filter(policy::PrincipalForPeer(peer), c, sent).ok()) continue;
        for (const store::StoredObject& o : sent) {
          ++out_week[peer.nation];
          if (o.date_added_us >= today_us) ++out_today[peer.nation];
        }
      }
    }
  }
  boost::json::array by_day;
  for (int64_t day = month_us; day <= today_us; day += kDayUs) {
    auto it = sightings.find(day);
    by_day.push_back({{"day", stix::FormatTaxii(day).substr(0, 10)}, {"count", it == sightings.end() ? 0 : it->second}});
  }
  return boost::json::object{
      {"today", {{"in", Counts(in_today)}, {"out", Counts(out_today)}}},
      {"week", {{"in", Counts(in_week)}, {"out", Counts(out_week)}}},
      {"sightings_by_day", std::move(by_day)},
      {"capped", capped},
  };
}

http::Response ConsoleEndpoints::Dashboard(const ApiCall& call) {
  call.info.endpoint = "api-dashboard";
  const int64_t now_us = clock_.NowMicros();
  const int64_t today_us = now_us - now_us % kDayUs;
  absl::StatusOr<std::vector<store::Collection>> readable = Readable(call.principal);
  absl::StatusOr<std::vector<store::Peer>> peers = db_.ListPeers();
  if (!readable.ok() || !peers.ok()) return ErrorAnswer(500, "the collections could not be read");
  absl::StatusOr<std::shared_ptr<const boost::json::value>> counts =
      Kept(DashboardKey(call.principal, *readable, *peers, today_us),
           [&] { return DashboardCounts(call.principal, *readable, *peers, today_us); });
  if (!counts.ok() || !(*counts)->is_object()) return ErrorAnswer(500, "the collection could not be read");
  boost::json::object out = (*counts)->get_object();
  if (SeesPartners(call.principal)) out["partners"] = PartnersJson(call.principal, *peers);
  return JsonAnswer(boost::json::serialize(out));
}

}  // namespace kizuna::api
