// Kizuna. GET /api/v1/audit?limit=N&before=SEQ: the audit log, newest first, for
// administrators.
//
// -> {"events": [{"seq", "time", "actor", "action", "target", "remote", "details"}], "more",
//     "next": SEQ (pass as before= for the next page) or 0}
// A node administrator sees every event; an organisation administrator only the events, from
// the user's creation on, whose actor is a user of its own organisation, or that are about
// such a user (user.*, token.*, session.*, auth.*: the target is that user); anyone else gets
// 403. A name is not an identity over time, nor only a user's: an administrator who names a
// new user "cli", "anonymous" or a collection's id learns nothing of what others did under
// that name before, nor of events whose target is a collection or a peer. limit 1..
// kMaxAuditShown (default 100).
#include <boost/json.hpp>
#include <algorithm>
#include <charconv>

#include "absl/container/flat_hash_map.h"
#include "kizuna/api/answer.h"
#include "kizuna/api/console_endpoints.h"
#include "kizuna/base/strings.h"
#include "kizuna/stix/timestamp.h"

namespace kizuna::api {

http::Response ConsoleEndpoints::Audit(const ApiCall& call) {
  call.info.endpoint = "api-audit";
  const identity::Principal& p = call.principal;
  const bool node_admin = p.Has(identity::Role::kNodeAdmin);
  if (!node_admin && !p.Has(identity::Role::kOrgAdmin)) {
    return ErrorAnswer(403, "the audit log is for node and organisation administrators");
  }
  std::string_view query = call.request.Query();
  absl::StatusOr<size_t> limit = LimitOf(query, 100, kMaxAuditShown);
  if (!limit.ok()) return ErrorAnswer(400, View(limit.status().message()));
  absl::StatusOr<std::string> before_text = QueryValue(query, "before");
  if (!before_text.ok()) return ErrorAnswer(400, View(before_text.status().message()));
  int64_t before = 0;
  if (!before_text->empty()) {
    auto [end, ec] = std::from_chars(before_text->data(), before_text->data() + before_text->size(), before);
    if (ec != std::errc() || end != before_text->data() + before_text->size() || before < 1) {
      return ErrorAnswer(400, StrCat("before '", *before_text, "' is not an event number"));
    }
  }
  absl::flat_hash_map<std::string, int64_t> own_users;  // name -> created_us
  if (!node_admin) {
    absl::StatusOr<std::vector<store::User>> users = db_.ListUsers();
    if (!users.ok()) return ErrorAnswer(500, "the users could not be read");
    for (const store::User& u : *users) {
      if (u.organization == p.organization) own_users.emplace(u.name, u.created_us);
    }
  }
  auto own = [&](const std::string& name, int64_t time_us) {
    auto it = own_users.find(name);
    return it != own_users.end() && time_us >= it->second;
  };
  auto about_a_user = [](std::string_view action) {
    return action.starts_with("user.") || action.starts_with("token.") || action.starts_with("session.") ||
           action.starts_with("auth.");
  };
  std::vector<store::AuditEvent> kept;
  bool older = false;  // events before `before` are left unread
  // Newest first, page by page; an organisation administrator's filter may skip many.
  constexpr size_t kPage = store::kMaxAuditPage / 10;
  for (int round = 0; round < kMaxScanRounds && kept.size() <= *limit; ++round) {
    // The newest page, or the page of sequence numbers just below `before` (appended events
    // are numbered in order; a gap only makes a page shorter).
    const int64_t from = before == 0 ? 0 : std::max<int64_t>(0, before - 1 - static_cast<int64_t>(kPage));
    absl::StatusOr<std::vector<store::AuditEvent>> page =
        db_.ReadAudit({.after_seq = from, .limit = kPage, .newest = before == 0});
    if (!page.ok()) return ErrorAnswer(500, "the audit log could not be read");
    int64_t lowest = before;
    for (auto it = page->rbegin(); it != page->rend(); ++it) {
      if (before != 0 && it->seq >= before) continue;
      if (node_admin || own(it->actor, it->time_us) || (about_a_user(it->action) && own(it->target, it->time_us))) {
        kept.push_back(*it);
      }
      lowest = it->seq;
    }
    if (page->empty()) break;
    before = std::min(lowest, page->front().seq);
    older = before > 1;
    if (!older) break;
  }
  int64_t next = older ? before : 0;
  if (kept.size() > *limit) {
    kept.resize(*limit);
    next = kept.back().seq;
  }
  const bool more = next != 0;
  boost::json::array out;
  boost::json::error_code ec;
  for (const store::AuditEvent& e : kept) {
    boost::json::value details = boost::json::parse(e.details, ec);
    if (ec) details = boost::json::object();
    out.push_back({{"seq", e.seq}, {"time", stix::FormatTaxii(e.time_us)}, {"actor", e.actor}, {"action", e.action},
                   {"target", e.target}, {"remote", e.remote}, {"details", std::move(details)}});
  }
  return JsonAnswer(boost::json::serialize(boost::json::object{{"events", std::move(out)}, {"more", more}, {"next", next}}));
}

}  // namespace kizuna::api
