// Kizuna. POST /api/v1/release-preview {"collection": C, "object": {STIX object}}: who would
// receive the object if it were saved in collection C, and why — before it is saved.
//
// An optional "markings": [marking-definition objects] holds definitions saved in the same
// bundle as the object: each is used for an id the node holds no definition of.
// -> {"decisions": [{"kind": "organization"|"peer"|"nation"|"community", "name",
//    "receives", "rule", "reason"}]}. The decision for each organisation and peer is the
// policy's own (policy::Policy::ExplainEntry, the code `kizuna policy explain` and every
// read use), for the object as it would be stored by the caller (its organisation as the
// writer); an organisation also needs a read grant on C, a peer a mapping that pushes C. A
// nation or a community receives when one of its organisations or peers does. Only a
// principal that may write to C gets a preview (404 otherwise, as for an absent collection):
// the preview names the node's partners, which readers need not know. Nothing is stored.
#include <boost/json.hpp>
#include <map>

#include "absl/strings/str_join.h"
#include "kizuna/api/answer.h"
#include "kizuna/api/console_endpoints.h"
#include "kizuna/base/status.h"
#include "kizuna/base/strings.h"
#include "kizuna/policy/marking.h"
#include "kizuna/policy/tlp.h"
#include "kizuna/stix/parser.h"
#include "kizuna/stix/timestamp.h"

namespace kizuna::api {
namespace {

// Unsaved marking definitions a preview accepts at most.
constexpr size_t kMaxPreviewMarkings = 32;

struct Outcome {
  bool receives = false;
  std::string rule;
  std::string reason;
};

std::string_view Word(policy::Verdict v) {
  switch (v) {
    case policy::Verdict::kAllow: return "receives it";
    case policy::Verdict::kAllowWithRedactions: return "receives it with marked parts removed";
    case policy::Verdict::kDeny: return "does not receive it";
  }
  return "";
}

std::string Meaning(const policy::MarkingReason& r) {
  if (!r.facts) return StrCat(r.id, " (not held on this node)");
  std::vector<std::string> parts;
  if (r.facts->tlp) parts.push_back(StrCat("TLP:", policy::TlpName(*r.facts->tlp)));
  if (r.facts->releasable_to) {
    std::vector<std::string> to = r.facts->releasable_to->nations;
    to.insert(to.end(), r.facts->releasable_to->communities.begin(), r.facts->releasable_to->communities.end());
    parts.push_back(StrCat("releasable to ", to.empty() ? "nobody" : absl::StrJoin(to, ", ")));
  }
  if (parts.empty()) parts.push_back("a statement");
  return absl::StrJoin(parts, "; ");
}

Outcome Explained(const policy::EntryExplanation& e) {
  Outcome o{e.decision.verdict != policy::Verdict::kDeny, std::string(e.decision.rule), std::string(Word(e.decision.verdict))};
  std::vector<std::string> why;
  for (const policy::MarkingReason& r : e.markings) {
    why.push_back(StrCat(Meaning(r), r.outcome.allows ? " allows" : " denies", " (", r.outcome.rule, ")"));
  }
  if (!why.empty()) StrAppend(o.reason, ": ", absl::StrJoin(why, "; "));
  return o;
}

// The entry `json` would make if the caller stored it now.
absl::StatusOr<store::StoredObject> EntryOf(std::string_view json, const identity::Principal& writer) {
  stix::ObjectParser parser;
  KZ_ASSIGN_OR_RETURN(stix::ObjectIndex index, parser.Parse(json, stix::Padding::kAbsent));
  store::StoredObject o;
  o.id = index.id;
  o.type = index.type;
  if (index.version()) {
    o.version = stix::FormatTimestamp(*index.version(), index.version()->fraction_digits);
    o.version_ns = index.version()->seconds * 1'000'000'000 + index.version()->nanos;
  }
  o.spec_version = index.spec_version;
  o.created_by_ref = index.created_by_ref;
  o.revoked = index.revoked;
  for (const auto* list : {&index.object_marking_refs, &index.granular_marking_refs}) {
    for (const std::string& ref : *list) StrAppend(o.markings, o.markings.empty() ? "" : " ", ref);
  }
  o.granular_refs = static_cast<uint32_t>(index.granular_marking_refs.size());
  o.added_by = writer.organization;
  o.added_by_nation = writer.nation;
  o.single_version = true;
  o.json = std::string(json);
  return o;
}

// Folds `o` into the outcome of a nation or community: it receives when a member does.
void Fold(Outcome& into, const Outcome& o, std::string_view member) {
  if (o.receives && !into.receives) {
    into = {true, o.rule, StrCat("through ", member, ": ", o.reason)};
  } else if (into.rule.empty()) {
    into = {o.receives, o.rule, StrCat("through ", member, ": ", o.reason)};
  }
}

}  // namespace

http::Response ConsoleEndpoints::ReleasePreview(const ApiCall& call) {
  call.info.endpoint = "api-release-preview";
  boost::json::error_code ec;
  boost::json::value body = boost::json::parse(call.request.body, ec);
  if (ec || !body.is_object()) return ErrorAnswer(400, "the body must be {\"collection\": ID, \"object\": {...}}");
  const boost::json::value* cid = body.as_object().if_contains("collection");
  const boost::json::value* object = body.as_object().if_contains("object");
  if (cid == nullptr || !cid->is_string() || object == nullptr || !object->is_object()) {
    return ErrorAnswer(400, "the body must be {\"collection\": ID, \"object\": {...}}");
  }
  std::string collection_id(cid->as_string().data(), cid->as_string().size());
  absl::StatusOr<std::optional<store::Collection>> c = WritableCollection(call.principal, collection_id);
  if (!c.ok()) return ErrorAnswer(500, "the collections could not be read");
  if (!*c) return ErrorAnswer(404, StrCat("no collection '", collection_id, "' that you may write to"));
  const store::Collection& collection = **c;
  absl::StatusOr<store::StoredObject> entry = EntryOf(boost::json::serialize(*object), call.principal);
  if (!entry.ok()) return ErrorAnswer(400, View(entry.status().message()));

  // Marking definitions saved in the same bundle as the object, not stored yet.
  absl::flat_hash_map<std::string, policy::MarkingFacts> pending;
  if (const boost::json::value* m = body.as_object().if_contains("markings"); m != nullptr) {
    if (!m->is_array() || m->as_array().size() > kMaxPreviewMarkings) {
      return ErrorAnswer(400, StrCat("markings must be a list of at most ", kMaxPreviewMarkings,
                                     " marking-definition objects"));
    }
    for (const boost::json::value& d : m->as_array()) {
      const boost::json::value* id = d.is_object() ? d.as_object().if_contains("id") : nullptr;
      absl::StatusOr<policy::MarkingFacts> facts =
          id != nullptr && id->is_string() ? policy::ReadMarkingDefinition(boost::json::serialize(d))
                                           : absl::InvalidArgumentError("a marking definition needs an id");
      if (!facts.ok()) return ErrorAnswer(400, StrCat("markings: ", View(facts.status().message())));
      pending.insert_or_assign(std::string(id->as_string()), std::move(*facts));
    }
  }
  auto decide = [&](const identity::Principal& p) -> absl::StatusOr<Outcome> {
    KZ_ASSIGN_OR_RETURN(policy::EntryExplanation e, policy_.ExplainEntry(p, collection, *entry, &pending));
    return Explained(e);
  };
  boost::json::array decisions;
  std::map<std::string, Outcome> nations, communities;
  auto add = [&](std::string_view kind, std::string_view name, const Outcome& o) {
    decisions.push_back({{"kind", std::string(kind)},
                         {"name", std::string(name)},
                         {"receives", o.receives},
                         {"rule", o.rule},
                         {"reason", o.reason}});
  };
  absl::StatusOr<std::vector<store::Organization>> orgs = db_.ListOrganizations();
  absl::StatusOr<std::vector<store::Group>> groups = db_.ListGroups();
  absl::StatusOr<std::vector<store::Peer>> peers = db_.ListPeers();
  if (!orgs.ok() || !groups.ok() || !peers.ok()) return ErrorAnswer(500, "the directory could not be read");
  std::map<std::string, std::vector<std::string>> groups_of;  // organisation id -> groups
  for (const store::Group& g : *groups) {
    communities[g.name];
    for (const std::string& m : g.members) groups_of[m].push_back(g.name);
  }
  for (const store::Organization& org : *orgs) {
    Outcome o;
    absl::StatusOr<identity::Principal> p = policy::PrincipalForOrganization(db_, org.id);
    if (!p.ok()) return ErrorAnswer(500, "the directory could not be read");
    absl::StatusOr<taxii::CollectionAccess> can = access_.Access(*p, collection.id);
    if (!can.ok()) return ErrorAnswer(500, "the grants could not be read");
    if (!can->can_read) {
      o = {false, "no-read-grant", "has no read grant on the collection"};
    } else {
      absl::StatusOr<Outcome> d = decide(*p);
      if (!d.ok()) return ErrorAnswer(500, "the policy could not decide");
      o = std::move(*d);
    }
    add("organization", org.name, o);
    Fold(nations[org.nation], o, StrCat("organisation ", org.name));
    for (const std::string& g : groups_of[org.id]) Fold(communities[g], o, StrCat("organisation ", org.name));
  }
  for (const store::Peer& peer : *peers) {
    Outcome o;
    bool pushed = false;
    for (const store::PeerMapping& m : peer.mappings) pushed = pushed || (m.local_collection == collection.id && m.Pushes());
    if (!pushed) {
      o = {false, "collection-not-pushed-to-peer", "no mapping pushes this collection to the peer"};
    } else {
      absl::StatusOr<Outcome> d = decide(policy::PrincipalForPeer(peer));
      if (!d.ok()) return ErrorAnswer(500, "the policy could not decide");
      o = std::move(*d);
    }
    add("peer", peer.name, o);
    Fold(nations[peer.nation], o, StrCat("peer ", peer.name));
    for (const std::string& g : peer.communities) Fold(communities[g], o, StrCat("peer ", peer.name));
  }
  for (auto& [name, o] : nations) {
    if (o.rule.empty()) o = {false, "no-member", "no organisation or peer of this nation is known"};
    add("nation", name, o);
  }
  for (auto& [name, o] : communities) {
    if (o.rule.empty()) o = {false, "no-member", "the community has no member"};
    add("community", name, o);
  }
  return JsonAnswer(boost::json::serialize(boost::json::object{{"decisions", std::move(decisions)}}));
}

}  // namespace kizuna::api
