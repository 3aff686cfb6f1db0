// Kizuna. `kizuna provenance ID [--collection C] [--json]`: where each version of an object
// came from: pulled from a peer (which remote collection, its date_added there, when it was
// received), pushed by a peer's user, or written here (by whom, when the audit log names it);
// and its creator's organisation and nation as this node knows them (docs/federation.md).
// An operator's command on the node's own data directory, as `kizuna export` is.
#include <CLI/CLI.hpp>
#include <boost/json.hpp>
#include <cstdio>
#include <cstdlib>
#include <map>

#include "kizuna/base/status.h"
#include "kizuna/base/strings.h"
#include "kizuna/cli/command.h"
#include "kizuna/stix/timestamp.h"
#include "kizuna/store/database.h"

namespace kizuna::cli {
namespace {

// Most audit events read to find who wrote versions created here.
constexpr int64_t kMaxAuditEventsScanned = 1'000'000;

struct ProvenanceFlags {
  std::string id, collection;
  bool json = false;
};

// An "object.add" audit event naming the object (TAXII POST by a user of this node).
struct Added {
  int64_t time_us = 0;
  std::string actor, remote;
};

// Returns the "object.add" events of `collection_id` that name `object_id`, oldest first.
absl::StatusOr<std::vector<Added>> AddedEvents(store::Directory& dir,
                                               std::string_view collection_id,
                                               std::string_view object_id) {
  std::vector<Added> out;
  store::AuditQuery q{.after_seq = 0, .limit = store::kMaxAuditPage, .newest = false};
  for (int64_t read = 0; read < kMaxAuditEventsScanned;) {
    KZ_ASSIGN_OR_RETURN(std::vector<store::AuditEvent> page, dir.ReadAudit(q));
    for (const store::AuditEvent& e : page) {
      if (e.action != "object.add" || e.target != collection_id) continue;
      if (e.details.find(StrCat("\"", object_id, "\"")) == std::string::npos) continue;
      out.push_back({e.time_us, e.actor, e.remote});
    }
    if (page.size() < q.limit) break;
    read += static_cast<int64_t>(page.size());
    q.after_seq = page.back().seq;
  }
  return out;
}

// The audit event closest in time to an entry's date_added (which is its commit time).
const Added* WriterOf(const std::vector<Added>& events, int64_t date_added_us) {
  const Added* best = nullptr;
  for (const Added& e : events) {
    if (best == nullptr ||
        std::llabs(e.time_us - date_added_us) < std::llabs(best->time_us - date_added_us))
      best = &e;
  }
  return best;
}

boost::json::value J(std::string_view s) { return boost::json::string(s.data(), s.size()); }

// A version's description; Describe's `peer_nation` maps "pull:" + peer and "push:" + user to
// the sender's nation.
struct Version {
  boost::json::object json;
  std::string text;
};

Version Describe(const store::StoredObject& o, const store::Provenance* from,
                 const std::vector<Added>& added,
                 const std::map<std::string, store::Organization>& orgs,
                 const std::map<std::string, std::string>& peer_nation) {
  Version v;
  auto org = orgs.find(o.created_by_ref);
  std::string creator = o.created_by_ref.empty() ? "(no creator)"
                        : org == orgs.end()
                            ? StrCat(o.created_by_ref, " (unknown here)")
                            : StrCat(org->second.name, " (", org->second.nation, ")");
  v.json = {{"version", J(o.version)},
            {"date_added", J(stix::FormatTaxii(o.date_added_us))},
            {"created_by_ref", J(o.created_by_ref)},
            {"creator_organization", J(org == orgs.end() ? "" : org->second.name)},
            {"creator_nation", J(org == orgs.end() ? "" : org->second.nation)}};
  v.text = StrCat("  version ", o.version, " (added ", stix::FormatTaxii(o.date_added_us), "): ");
  if (from != nullptr) {
    bool pulled = !from->remote_collection.empty();
    v.json["source"] = pulled ? "pulled" : "pushed";
    v.json["peer"] = J(from->peer);
    v.json["received"] = J(stix::FormatTaxii(from->received_us));
    if (pulled) {
      v.json["remote_collection"] = J(from->remote_collection);
      v.json["remote_date_added"] = J(from->remote_date_added);
      StrAppend(v.text, "pulled from peer ", from->peer, " (collection ", from->remote_collection,
                ", added there ", from->remote_date_added, ")");
    } else {
      StrAppend(v.text, "pushed by peer ", from->peer);
    }
    StrAppend(v.text, ", received ", stix::FormatTaxii(from->received_us), "\n");
    auto nation = peer_nation.find(StrCat(pulled ? "pull:" : "push:", from->peer));
    if (org != orgs.end() && nation != peer_nation.end() && nation->second != org->second.nation) {
      std::string warning = StrCat("the creator's nation ", org->second.nation,
                                   " is not the peer's (", nation->second, ")");
      v.json["warning"] = J(warning);
      StrAppend(v.text, "    warning: ", warning, "\n");
    }
  } else {
    v.json["source"] = "here";
    StrAppend(v.text, "written here");
    if (const Added* by = WriterOf(added, o.date_added_us)) {
      v.json["writer"] = J(by->actor);
      v.json["remote"] = J(by->remote);
      StrAppend(v.text, " by ", by->actor, by->remote.empty() ? "" : StrCat(" from ", by->remote));
    }
    v.text += "\n";
  }
  StrAppend(v.text, "    creator ", creator, "\n");
  return v;
}

int Run(GlobalOptions& global, const ProvenanceFlags& f) {
  auto db = OpenNodeDatabase(global.data_dir);
  if (!db.ok()) return ReportError(db.status());
  absl::StatusOr<std::vector<HeldObject>> held = FindHeldObject(**db, f.collection, f.id);
  if (!held.ok()) return ReportError(held.status());
  auto orgs = (*db)->ListOrganizations();
  if (!orgs.ok()) return ReportError(orgs.status());
  std::map<std::string, store::Organization> by_id;
  for (store::Organization& o : *orgs) by_id.emplace(o.id, std::move(o));
  auto peers = (*db)->ListPeers();
  if (!peers.ok()) return ReportError(peers.status());
  auto users = (*db)->ListUsers();
  if (!users.ok()) return ReportError(users.status());
  // The nation of each sender: a peer pulled from, or the organisation of a peer's user.
  std::map<std::string, std::string> peer_nation;
  for (const store::Peer& p : *peers) peer_nation.emplace(StrCat("pull:", p.name), p.nation);
  for (const store::User& u : *users) {
    if (auto org = by_id.find(u.organization); org != by_id.end()) {
      peer_nation.emplace(StrCat("push:", u.name), org->second.nation);
    }
  }
  boost::json::array collections;
  std::string text;
  for (const HeldObject& h : *held) {
    auto rows = (*db)->GetProvenance(h.collection.id, f.id);
    if (!rows.ok()) return ReportError(rows.status());
    auto added = AddedEvents(**db, h.collection.id, f.id);
    if (!added.ok()) return ReportError(added.status());
    std::string_view name = h.collection.alias.empty() ? h.collection.title : h.collection.alias;
    StrAppend(text, f.id, " in collection '", name, "':\n");
    boost::json::array versions;
    for (const store::StoredObject& o : h.versions) {
      const store::Provenance* from = nullptr;
      for (const store::Provenance& p : *rows) {
        if (p.date_added_us == o.date_added_us) from = &p;
      }
      Version v = Describe(o, from, *added, by_id, peer_nation);
      versions.push_back(std::move(v.json));
      text += v.text;
    }
    collections.push_back(
        {{"collection", J(h.collection.id)}, {"name", J(name)}, {"versions", versions}});
  }
  if (f.json)
    text = boost::json::serialize(
               boost::json::object{{"object", J(f.id)}, {"collections", collections}}) +
           "\n";
  std::fwrite(text.data(), 1, text.size(), stdout);
  return std::fflush(stdout) == 0 ? kExitOk : kExitFailure;
}

}  // namespace

void AddProvenanceCommand(CLI::App& app, GlobalOptions& global) {
  auto f = std::make_shared<ProvenanceFlags>();
  auto* cmd = app.add_subcommand(
      "provenance",
      "Where each version of an object came from (a peer: which, its collection, when; or written "
      "here: by "
      "whom), and its creator's organisation and nation. Local: reads this node's data directory");
  cmd->add_option("ID", f->id, "The object's STIX id")->required();
  cmd->add_option("--collection", f->collection,
                  "Collection id or alias (default: every collection holding it)");
  cmd->add_flag("--json", f->json, "Print one JSON object");
  cmd->callback([&global, f] { global.exit_code = Run(global, *f); });
}

}  // namespace kizuna::cli
