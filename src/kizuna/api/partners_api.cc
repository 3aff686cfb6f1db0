// Kizuna. GET /api/v1/partners: the peers this node syncs with, and how their sync goes.
//
// -> [{"name", "nation", "state", "last_sync", "last_error", "last_error_at"}] where state is
// "ok" (the last pass of every mapping succeeded), "error" (a mapping's last pass failed) or
// "never" (no pass yet), last_sync the latest successful pull or push (TAXII timestamp, or
// ""), last_error its text (which may name hosts, certificates or the peer's answers).
// For node administrators only: peering is the node's business, and an organisation here
// (perhaps another nation's) has no need to learn with which partners the node syncs. Anyone
// else gets 403, and a dashboard without "partners" (docs/access.md).
#include <boost/json.hpp>

#include "kizuna/api/answer.h"
#include "kizuna/api/console_endpoints.h"
#include "kizuna/stix/timestamp.h"

namespace kizuna::api {

bool SeesPartners(const identity::Principal& principal) { return principal.Has(identity::Role::kNodeAdmin); }

boost::json::array PartnersJson(const identity::Principal& principal, const std::vector<store::Peer>& peers) {
  boost::json::array out;
  if (!SeesPartners(principal)) return out;
  for (const store::Peer& p : peers) {
    int64_t last_sync = 0, last_error_us = 0;
    std::string last_error;
    bool any_pass = false;
    for (const store::PeerMapping& m : p.mappings) {
      for (const std::optional<int64_t>& t : {m.last_pull_us, m.last_push_us}) {
        if (t) {
          any_pass = true;
          last_sync = std::max(last_sync, *t);
        }
      }
      if (!m.last_error.empty() && m.last_error_us.value_or(0) >= last_error_us) {
        last_error_us = m.last_error_us.value_or(0);
        last_error = m.last_error;
      }
    }
    std::string_view state = !last_error.empty() ? "error" : any_pass ? "ok" : "never";
    out.push_back({{"name", p.name},
                   {"nation", p.nation},
                   {"state", std::string(state)},
                   {"last_sync", last_sync > 0 ? stix::FormatTaxii(last_sync) : ""},
                   {"last_error", last_error},
                   {"last_error_at", last_error_us > 0 ? stix::FormatTaxii(last_error_us) : ""}});
  }
  return out;
}

http::Response ConsoleEndpoints::Partners(const ApiCall& call) {
  call.info.endpoint = "api-partners";
  if (!SeesPartners(call.principal)) return ErrorAnswer(403, "the partners are for node administrators");
  absl::StatusOr<std::vector<store::Peer>> peers = db_.ListPeers();
  if (!peers.ok()) return ErrorAnswer(500, "the peers could not be read");
  return JsonAnswer(boost::json::serialize(PartnersJson(call.principal, *peers)));
}

}  // namespace kizuna::api
