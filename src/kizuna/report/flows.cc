// Kizuna. The brief's flows between nations: objects by direction, time to share, and the
// health of each peer's link, from the released rows and the node's peers.
#include <algorithm>
#include <map>
#include <limits>
#include <string>

#include "kizuna/base/status.h"
#include "kizuna/base/strings.h"
#include "kizuna/report/internal/query.h"
#include "kizuna/report/internal/sections.h"

namespace kizuna::report_internal {
namespace {


// brief_dir: one row per object and period that crossed a border: received here from a peer
// (sent = 0, peer = the entry's origin) or pushed from here to a peer (sent = 1).
constexpr std::string_view kCreateDir = R"sql(
DROP TABLE IF EXISTS temp.brief_dir;
DROP TABLE IF EXISTS temp.brief_push;
CREATE TEMP TABLE brief_dir (id_hash INTEGER NOT NULL, period INTEGER NOT NULL, from_nation TEXT NOT NULL,
  to_nation TEXT NOT NULL, sent INTEGER NOT NULL, peer TEXT NOT NULL);
-- The groups a peer's mapping pushes (released to the peer), from which nation, up to where.
CREATE TEMP TABLE brief_push (grp INTEGER NOT NULL, from_nation TEXT NOT NULL, to_nation TEXT NOT NULL,
  peer TEXT NOT NULL, cursor_us INTEGER NOT NULL, PRIMARY KEY (grp, peer, cursor_us));
)sql";

// The node's nation: given, or the one nation of the organisations no peer stands for.
absl::StatusOr<std::string> NodeNation(Context& c, const std::vector<store::Peer>& peers) {
  if (!c.input.node_nation.empty()) return c.input.node_nation;
  KZ_ASSIGN_OR_RETURN(std::vector<store::Organization> orgs, c.db.ListOrganizations());
  std::string nation;
  for (const store::Organization& o : orgs) {
    bool partner = std::any_of(peers.begin(), peers.end(), [&](const auto& p) { return p.organization == o.id; });
    if (partner) continue;
    if (!nation.empty() && nation != o.nation) return std::string();
    nation = o.nation;
  }
  return nation;
}

// The origins entries received from `peer` carry: its name (pulls) and its users (pushes).
std::vector<std::string> OriginsOf(const store::Peer& peer, const std::vector<store::User>& users) {
  std::vector<std::string> out = {peer.name};
  for (const store::User& u : users) {
    if (!peer.organization.empty() && u.organization == peer.organization) out.push_back(u.name);
  }
  return out;
}

absl::Status AddReceived(Context& c, const std::string& node_nation) {
  KZ_ASSIGN_OR_RETURN(store::Statement * s, c.sql.Cached("INSERT INTO brief_dir SELECT id_hash, period, added_by_nation, ?, 0, "
                                                          "origin FROM brief_objects WHERE received = 1"));
  absl::Status st = s->Bind(1, node_nation).Run();
  s->Reset();
  return st;
}

// What this node pushed to `peer` of the released rows: entries written here, in a collection
// the peer's mapping pushes, up to its push cursor, that the policy releases to the peer.
absl::Status AddSent(Context& c, const store::Peer& peer, const std::string& node_nation) {
  KZ_ASSIGN_OR_RETURN(std::vector<store::Organization> orgs, c.db.ListOrganizations());
  identity::Principal principal = policy::PrincipalForPeer(peer);
  KZ_ASSIGN_OR_RETURN(store::Statement * s,
                      c.sql.Cached("INSERT OR IGNORE INTO brief_push (from_nation, to_nation, peer, grp, cursor_us) "
                                   "VALUES (?, ?, ?, ?, ?)"));
  for (const store::PeerMapping& m : peer.mappings) {
    if (!m.Pushes()) continue;
    auto collection = std::find_if(c.input.audience.collections.begin(), c.input.audience.collections.end(),
                                   [&](const store::Collection& x) { return x.id == m.local_collection; });
    if (collection == c.input.audience.collections.end()) continue;
    KZ_ASSIGN_OR_RETURN(std::vector<const report::EntryGroup*> released, c.rows.DecideGroups(principal, {*collection}));
    for (const report::EntryGroup* g : released) {
      std::string from = g->added_by_nation.empty() ? node_nation : g->added_by_nation;
      for (const store::Organization& o : orgs) {
        if (!g->created_by_ref.empty() && o.id == g->created_by_ref) from = o.nation;
      }
      absl::Status st = s->Bind(1, from).Bind(2, peer.nation).Bind(3, peer.name).Bind(4, g->grp)
                            .Bind(5, m.push_cursor_us).Run();
      s->Reset();
      KZ_RETURN_IF_ERROR(st);
    }
  }
  return absl::OkStatus();
}

// Nearest-rank quantile of sorted `v` (not empty).
int64_t Quantile(const std::vector<int64_t>& v, int percent) {
  size_t rank = (v.size() * static_cast<size_t>(percent) + 99) / 100;
  return v[std::max<size_t>(rank, 1) - 1];
}

absl::Status AddTimeToShare(Context& c, const std::string& node_nation, boost::json::object& out) {
  std::map<std::string, std::vector<int64_t>> by_nation;
  KZ_RETURN_IF_ERROR(ForEachRow(
      c.sql,
      "SELECT r.added_by_nation, max(0, coalesce(p.received_us, r.date_added_us) - r.version_ns / 1000) AS d "
      "FROM brief_released r LEFT JOIN provenance p ON p.date_added_us = r.date_added_us "
      "WHERE r.period = 0 AND r.received = 1 AND r.type NOT IN ('marking-definition', 'extension-definition') "
      "ORDER BY 1, 2",
      {}, [&](const store::Statement& r) {
        by_nation[std::string(r.Text(0))].push_back(r.Int(1));
        return absl::OkStatus();
      }));
  boost::json::array& rows = out["time_to_share"].emplace_array();
  for (const auto& [nation, v] : by_nation) {
    rows.push_back({{"from", nation},
                    {"to", node_nation},
                    {"versions", v.size()},
                    {"median_s", Quantile(v, 50) / 1'000'000},
                    {"p90_s", Quantile(v, 90) / 1'000'000}});
  }
  return absl::OkStatus();
}

absl::StatusOr<int64_t> CountDistinct(Context& c, const std::string& sql, std::initializer_list<int64_t> binds) {
  int64_t n = 0;
  KZ_RETURN_IF_ERROR(ForEachRow(c.sql, sql, binds, [&](const store::Statement& r) {
    n = r.Int(0);
    return absl::OkStatus();
  }));
  return n;
}

struct PassHistory {
  int64_t errors = 0;          // failed passes in the period
  int64_t longest_outage = 0;  // microseconds within the period
};

// The failed passes and the longest outage of `peer` in the period, from its mappings' runs
// of passes (table sync_runs): an outage runs from the last success before a failed pass (or
// that pass, when none came before) to the next success (or now), counted within the period.
absl::StatusOr<PassHistory> PeerPasses(Context& c, const store::Peer& peer) {
  const report::Period& p = c.input.current;
  const int64_t to = std::min(p.to_us, std::max(p.from_us, c.input.now_us));
  PassHistory h;
  auto outage = [&](int64_t start, int64_t end) {
    h.longest_outage = std::max(h.longest_outage, std::min(end, to) - std::max(start, p.from_us));
  };
  // Per mapping: the last success so far and when the outage under way began (kNone: none).
  constexpr int64_t kNone = std::numeric_limits<int64_t>::min();
  std::string mapping;
  int64_t last_ok = kNone, start = kNone;
  auto end_mapping = [&] {
    if (start != kNone) outage(start, c.input.now_us);
    last_ok = start = kNone;
  };
  KZ_ASSIGN_OR_RETURN(store::Statement * s,
                      c.sql.Cached("SELECT local_collection || ' ' || remote_collection, ok, first_us, last_us, failures "
                                   "FROM sync_runs WHERE peer = ? ORDER BY local_collection, remote_collection, pk"));
  s->Bind(1, peer.name);
  for (;;) {
    absl::StatusOr<bool> row = s->Step();
    if (!row.ok() || !*row) {
      s->Reset();
      KZ_RETURN_IF_ERROR(row.status());
      break;
    }
    if (s->Text(0) != mapping) {
      end_mapping();
      mapping = std::string(s->Text(0));
    }
    const int64_t first = s->Int(2), last = s->Int(3);
    if (s->Int(1) != 0) {
      if (start != kNone) outage(start, first);
      start = kNone;
      last_ok = last;
      continue;
    }
    if (start == kNone) start = last_ok != kNone ? last_ok : first;
    if (first >= p.from_us && first < p.to_us) h.errors += s->Int(4);
  }
  end_mapping();
  return h;
}

absl::StatusOr<boost::json::object> PeerHealth(Context& c, const store::Peer& peer,
                                               const std::vector<store::User>& users) {
  int64_t received = 0;
  for (const std::string& origin : OriginsOf(peer, users)) {
    KZ_ASSIGN_OR_RETURN(store::Statement * s,
                        c.sql.Cached("SELECT count(DISTINCT id_hash) FROM brief_dir WHERE period = 0 AND sent = 0 AND peer = ?"));
    s->Bind(1, origin);
    KZ_ASSIGN_OR_RETURN(bool row, s->Step());
    if (row) received += s->Int(0);
    s->Reset();
  }
  KZ_ASSIGN_OR_RETURN(store::Statement * s,
                      c.sql.Cached("SELECT count(DISTINCT id_hash) FROM brief_dir WHERE period = 0 AND sent = 1 AND peer = ?"));
  s->Bind(1, peer.name);
  KZ_ASSIGN_OR_RETURN(bool row, s->Step());
  int64_t sent = row ? s->Int(0) : 0;
  s->Reset();
  int64_t last_success = 0, failing = 0, since = c.input.now_us;
  for (const store::PeerMapping& m : peer.mappings) {
    int64_t ok = std::max(m.last_pull_us.value_or(0), m.last_push_us.value_or(0));
    last_success = std::max(last_success, ok);
    if (m.last_error_us && *m.last_error_us >= ok) {
      ++failing;
      since = std::min(since, ok > 0 ? ok : peer.created_us);
    }
  }
  KZ_ASSIGN_OR_RETURN(PassHistory history, PeerPasses(c, peer));
  boost::json::object o{{"peer", peer.name}, {"nation", peer.nation}, {"received", received}, {"sent", sent},
                        {"failing_mappings", failing}, {"mappings", peer.mappings.size()},
                        {"errors", history.errors}, {"longest_outage_s", history.longest_outage / 1'000'000}};
  o["last_success"] = last_success > 0 ? boost::json::value(report::DayText(last_success)) : nullptr;
  o["outage_s"] = failing > 0 ? std::max<int64_t>(0, c.input.now_us - since) / 1'000'000 : 0;
  return o;
}

}  // namespace

absl::Status AddFlowFigures(Context& c, boost::json::object& out) {
  KZ_RETURN_IF_ERROR(c.sql.Exec(kCreateDir));
  KZ_ASSIGN_OR_RETURN(std::vector<store::Peer> peers, c.db.ListPeers());
  KZ_ASSIGN_OR_RETURN(std::string node_nation, NodeNation(c, peers));
  KZ_RETURN_IF_ERROR(AddReceived(c, node_nation));
  for (const store::Peer& p : peers) KZ_RETURN_IF_ERROR(AddSent(c, p, node_nation));
  KZ_RETURN_IF_ERROR(c.sql.Exec(
      "INSERT INTO brief_dir SELECT DISTINCT r.id_hash, r.period, p.from_nation, p.to_nation, 1, p.peer "
      "FROM brief_objects r JOIN brief_push p ON p.grp = r.grp WHERE r.received = 0 AND r.date_added_us <= p.cursor_us"));

  boost::json::array& by_direction = out["by_direction"].emplace_array();
  KZ_RETURN_IF_ERROR(ForEachRow(
      c.sql,
      "SELECT from_nation, to_nation, sum(CASE WHEN period = 0 THEN 1 ELSE 0 END), "
      "sum(CASE WHEN period = 1 THEN 1 ELSE 0 END) "
      "FROM (SELECT DISTINCT id_hash, period, from_nation, to_nation FROM brief_dir) d GROUP BY 1, 2 ORDER BY 1, 2",
      {}, [&](const store::Statement& r) {
        by_direction.push_back({{"from", r.Text(0)}, {"to", r.Text(1)}, {"current", r.Int(2)}, {"previous", r.Int(3)}});
        return absl::OkStatus();
      }));
  boost::json::object& headline = out["headline"].as_object();
  const std::string count = "SELECT count(*) FROM (SELECT DISTINCT id_hash FROM brief_dir WHERE sent = ?1 AND period = ?2) d";
  KZ_ASSIGN_OR_RETURN(int64_t received, CountDistinct(c, count, {0, 0}));
  KZ_ASSIGN_OR_RETURN(int64_t received_before, CountDistinct(c, count, {0, 1}));
  KZ_ASSIGN_OR_RETURN(int64_t sent, CountDistinct(c, count, {1, 0}));
  KZ_ASSIGN_OR_RETURN(int64_t sent_before, CountDistinct(c, count, {1, 1}));
  headline["received"] = {{"current", received}, {"previous", received_before}};
  headline["sent"] = {{"current", sent}, {"previous", sent_before}};
  KZ_RETURN_IF_ERROR(AddTimeToShare(c, node_nation, out));

  KZ_ASSIGN_OR_RETURN(std::vector<store::User> users, c.db.ListUsers());
  boost::json::array& federation = out["federation"].emplace_array();
  for (const store::Peer& p : peers) {
    KZ_ASSIGN_OR_RETURN(boost::json::object health, PeerHealth(c, p, users));
    federation.push_back(std::move(health));
  }
  out["node_nation"] = node_nation;
  return absl::OkStatus();
}

}  // namespace kizuna::report_internal
