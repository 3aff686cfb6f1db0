// Kizuna. `kizuna policy explain ID [--collection C] (--as USER | --for-peer PEER | --org ORG)
// [--latest] [--json]`: why each version of an object is released, redacted or withheld to a
// user, a peer node or an organisation's readers, marking by marking.
//
// The decision is the server's own: the same policy::Policy, the same facts and the same rules
// (Policy::ExplainEntry calls policy::Explain, which calls what policy::Decide calls). It is an
// operator's command on the node's own data directory, like `kizuna export`: it reads what the
// operator may read anyway, and no API offers it.
#include <CLI/CLI.hpp>
#include <boost/json.hpp>
#include <cstdio>

#include "absl/strings/str_join.h"
#include "kizuna/base/clock.h"
#include "kizuna/base/status.h"
#include "kizuna/base/strings.h"
#include "kizuna/cli/command.h"
#include "kizuna/policy/policy.h"
#include "kizuna/stix/timestamp.h"
#include "kizuna/store/database.h"
#include "kizuna/taxii/auth/grant_access_control.h"

namespace kizuna::cli {
namespace {

struct ExplainFlags {
  std::string id, collection, as_user, for_peer, org;
  bool latest = false;
  bool json = false;
};

// Who the explanation decides for, and how to name them.
struct Audience {
  identity::Principal principal;
  std::string label;                // "user 'kr'", "peer 'usa'", "organisation 'KOR-A'"
  std::optional<store::Peer> peer;  // --for-peer
};

absl::StatusOr<Audience> AudienceOf(store::Database& db, const ExplainFlags& f) {
  if (!f.as_user.empty()) {
    KZ_ASSIGN_OR_RETURN(identity::Principal p, policy::PrincipalForUser(db, f.as_user));
    return Audience{std::move(p), StrCat("user '", f.as_user, "'"), std::nullopt};
  }
  if (!f.for_peer.empty()) {
    KZ_ASSIGN_OR_RETURN(store::Peer peer, db.GetPeer(f.for_peer));
    identity::Principal p = policy::PrincipalForPeer(peer);
    return Audience{std::move(p), StrCat("peer '", f.for_peer, "'"), std::move(peer)};
  }
  KZ_ASSIGN_OR_RETURN(identity::Principal p, policy::PrincipalForOrganization(db, f.org));
  return Audience{std::move(p), StrCat("organisation '", f.org, "'"), std::nullopt};
}

// Why the audience gets nothing of `collection` before any object is looked at (the server
// answers as if the collection did not exist), or "" when it may read it: a user or an
// organisation needs a read grant (taxii::GrantAccessControl, as the server checks); the
// node pushes to a peer only through a mapping that pushes.
absl::StatusOr<std::string> CollectionRefusal(store::Database& db, const Audience& a,
                                              const store::Collection& collection) {
  if (a.peer) {
    for (const store::PeerMapping& m : a.peer->mappings) {
      if (m.local_collection == collection.id && m.Pushes()) return std::string();
    }
    return std::string("collection-not-pushed-to-peer");
  }
  taxii::GrantAccessControl access(db, SystemClock());
  KZ_ASSIGN_OR_RETURN(taxii::CollectionAccess can, access.Access(a.principal, collection.id));
  return can.can_read ? std::string() : std::string("no-read-grant");
}

std::string_view DecisionWord(policy::Verdict v) {
  switch (v) {
    case policy::Verdict::kAllow:
      return "released";
    case policy::Verdict::kAllowWithRedactions:
      return "redacted";
    case policy::Verdict::kDeny:
      return "withheld";
  }
  return "?";
}

// What a marking says, for people: "TLP:AMBER", "releasable to USA, JPN", ...
std::string Meaning(const policy::MarkingReason& r) {
  if (!r.facts) return "not held on this node (or not for this creator)";
  const policy::MarkingFacts& m = *r.facts;
  if (!m.understood) return "not understood";
  std::vector<std::string> parts;
  if (m.tlp) parts.push_back(StrCat("TLP:", policy::TlpName(*m.tlp)));
  if (m.releasable_to) {
    std::vector<std::string> to = m.releasable_to->nations;
    to.insert(to.end(), m.releasable_to->communities.begin(), m.releasable_to->communities.end());
    parts.push_back(StrCat("releasable to ", to.empty() ? "nobody" : absl::StrJoin(to, ", ")));
  }
  if (m.recipients) parts.push_back(StrCat("recipients ", absl::StrJoin(*m.recipients, ", ")));
  if (parts.empty()) parts.push_back("statement (informational)");
  return absl::StrJoin(parts, "; ");
}

boost::json::value J(std::string_view s) { return boost::json::string(s.data(), s.size()); }

boost::json::object VersionJson(const store::StoredObject& o, const policy::EntryExplanation& e) {
  boost::json::array markings;
  for (const policy::MarkingReason& r : e.markings) {
    boost::json::array selectors;
    for (const std::string& s : r.selectors) selectors.push_back(J(s));
    markings.push_back({{"id", J(r.id)},
                        {"granular", r.granular},
                        {"selectors", selectors},
                        {"meaning", J(Meaning(r))},
                        {"allows", r.outcome.allows},
                        {"rule", J(r.outcome.rule)}});
  }
  return {{"version", J(o.version)},
          {"date_added", J(stix::FormatTaxii(o.date_added_us))},
          {"revoked", o.revoked},
          {"decision", J(DecisionWord(e.decision.verdict))},
          {"rule", J(e.decision.rule)},
          {"created_by_ref", J(o.created_by_ref)},
          {"creator_nation", J(e.creator_nation)},
          {"received", e.received},
          {"markings", markings}};
}

std::string VersionText(const store::StoredObject& o, const policy::EntryExplanation& e) {
  std::string out =
      StrCat("  version ", o.version, " (added ", stix::FormatTaxii(o.date_added_us),
             "): ", DecisionWord(e.decision.verdict), " by rule ", e.decision.rule, "\n");
  StrAppend(out, "    creator ", o.created_by_ref.empty() ? "(none)" : o.created_by_ref,
            ", nation ", e.creator_nation.empty() ? "unknown" : e.creator_nation,
            e.received ? ", received from a peer" : "", "\n");
  if (e.markings.empty())
    StrAppend(out, "    markings not consulted (rule ", e.decision.rule, ")\n");
  for (const policy::MarkingReason& r : e.markings) {
    StrAppend(out, "    ", r.granular ? "granular marking " : "marking ", r.id, " [", Meaning(r),
              "]");
    if (r.granular) StrAppend(out, " on ", absl::StrJoin(r.selectors, ", "));
    StrAppend(out, ": ", r.outcome.allows ? "allows" : (r.granular ? "removes" : "denies"), " (",
              r.outcome.rule, ")\n");
  }
  return out;
}

int Run(GlobalOptions& global, const ExplainFlags& f) {
  auto db = OpenNodeDatabase(global.data_dir);
  if (!db.ok()) return ReportError(db.status());
  absl::StatusOr<Audience> audience = AudienceOf(**db, f);
  if (!audience.ok()) return ReportError(audience.status());
  absl::StatusOr<std::vector<HeldObject>> held = FindHeldObject(**db, f.collection, f.id);
  if (!held.ok()) return ReportError(held.status());
  policy::Policy policy(**db, db->get(), SystemClock());
  boost::json::array collections;
  std::string text;
  for (HeldObject& h : *held) {
    std::string_view name = h.collection.alias.empty() ? h.collection.title : h.collection.alias;
    absl::StatusOr<std::string> refusal = CollectionRefusal(**db, *audience, h.collection);
    if (!refusal.ok()) return ReportError(refusal.status());
    StrAppend(text, f.id, " in collection '", name, "' to ", audience->label, " (",
              audience->principal.nation, "):\n");
    boost::json::array versions;
    if (!refusal->empty()) StrAppend(text, "  every version withheld by rule ", *refusal, "\n");
    if (f.latest && h.versions.size() > 1)
      h.versions.erase(h.versions.begin(), h.versions.end() - 1);
    for (const store::StoredObject& o : h.versions) {
      if (!refusal->empty()) break;
      absl::StatusOr<policy::EntryExplanation> e =
          policy.ExplainEntry(audience->principal, h.collection, o);
      if (!e.ok()) return ReportError(e.status());
      versions.push_back(VersionJson(o, *e));
      text += VersionText(o, *e);
    }
    collections.push_back({{"collection", J(h.collection.id)},
                           {"name", J(name)},
                           {"readable", refusal->empty()},
                           {"refusal", J(*refusal)},
                           {"versions", versions}});
  }
  if (f.json) {
    boost::json::object out{{"object", J(f.id)},
                            {"to", J(audience->label)},
                            {"organization", J(audience->principal.organization)},
                            {"nation", J(audience->principal.nation)},
                            {"collections", collections}};
    text = boost::json::serialize(out) + "\n";
  }
  std::fwrite(text.data(), 1, text.size(), stdout);
  return std::fflush(stdout) == 0 ? kExitOk : kExitFailure;
}

}  // namespace

void AddPolicyCommand(CLI::App& app, GlobalOptions& global) {
  auto* policy =
      app.add_subcommand("policy", "The releasability policy on this node's data (docs/policy.md)");
  policy->require_subcommand(1);
  auto f = std::make_shared<ExplainFlags>();
  auto* cmd = policy->add_subcommand(
      "explain",
      "Why each version of an object is released, redacted or withheld to a user, a peer or an "
      "organisation, marking by marking: the decision the server applies (the same policy code). "
      "An operator's command on the node's own data directory (local, like export), not an API: "
      "it shows what the operator may read anyway.");
  cmd->add_option("ID", f->id, "The object's STIX id")->required();
  cmd->add_option("--collection", f->collection,
                  "Collection id or alias (default: every collection holding it)");
  auto* as = cmd->add_option("--as", f->as_user,
                             "Decide for this user of the node (a peer's user: its pulls)");
  auto* peer = cmd->add_option("--for-peer", f->for_peer,
                               "Decide for this peer node, as the push to it does");
  auto* org = cmd->add_option("--org", f->org,
                              "Decide for a reader of this organisation (name or identity id)");
  as->excludes(peer)->excludes(org);
  peer->excludes(org);
  cmd->add_flag("--latest", f->latest, "Only the newest version (default: every version)");
  cmd->add_flag("--json", f->json, "Print one JSON object");
  cmd->callback([&global, f] {
    if (f->as_user.empty() && f->for_peer.empty() && f->org.empty()) {
      ReportError(
          absl::InvalidArgumentError("policy explain: say who the decision is for with --as USER, "
                                     "--for-peer PEER or --org ORG"));
      global.exit_code = kExitUsage;
      return;
    }
    global.exit_code = Run(global, *f);
  });
}

}  // namespace kizuna::cli
