// Kizuna. GET /api/v1/objects/{id}: one object for the console's object page.
//
// {"object": the newest released version (redacted as released), "versions": [{"modified",
//  "date_added"}], "marking": {"tlp", "statements", "release"}, "provenance": [{"source",
//  "peer", "nation", "user", "received"}], "relationships": [...], "sightings": [...],
//  "collections": [ids]} — every part from the versions released to the principal
// (search::Searcher::Versions and Related: collection grants, then the policy); 404 with the
// same words whether the object is absent or withheld.
#include <boost/json.hpp>
#include <set>

#include "absl/strings/ascii.h"
#include "kizuna/api/answer.h"
#include "kizuna/api/console_endpoints.h"
#include "kizuna/base/strings.h"
#include "kizuna/policy/marking.h"
#include "kizuna/policy/tlp.h"
#include "kizuna/stix/timestamp.h"
#include "kizuna/taxii/query.h"

namespace kizuna::api {
namespace {

boost::json::string Str(std::string_view s) { return boost::json::string(s.data(), s.size()); }

// The marking of `object` as the console shows it: TLP, statements, releasability, from the
// predefined TLP markings and the definitions the node holds (policy/marking.h).
boost::json::object MarkingOf(const boost::json::object& object, store::Store& store) {
  boost::json::array statements, release;
  std::string tlp;
  std::set<std::string> seen;
  const boost::json::value* refs = object.if_contains("object_marking_refs");
  if (refs != nullptr && refs->is_array()) {
    for (const boost::json::value& ref : refs->as_array()) {
      if (!ref.is_string()) continue;
      std::string_view id(ref.as_string().data(), ref.as_string().size());
      std::optional<policy::MarkingFacts> facts = policy::PredefinedMarking(id);
      if (!facts || facts->informational) {  // a statement (the exercise marking): its text is stored
        absl::StatusOr<store::MarkingDefinitionRecord> def = store.FindMarkingDefinition(id);
        if (!def.ok()) continue;
        absl::StatusOr<policy::MarkingFacts> read = policy::ReadMarkingDefinition(def->json);
        if (read.ok()) facts = std::move(*read);
        boost::json::error_code ec;
        boost::json::value v = boost::json::parse(def->json, ec);
        const boost::json::value* d = !ec && v.is_object() ? v.as_object().if_contains("definition") : nullptr;
        const boost::json::value* st = d != nullptr && d->is_object() ? d->as_object().if_contains("statement") : nullptr;
        if (st != nullptr && st->is_string()) statements.push_back(st->as_string());
      }
      if (!facts) continue;
      if (facts->tlp) tlp = absl::AsciiStrToLower(AbslView(policy::TlpName(*facts->tlp)));  // as docs/api.openapi.yaml spells it
      if (facts->releasable_to) {
        for (const std::string& n : facts->releasable_to->nations) {
          if (seen.insert(n).second) release.emplace_back(Str(n));
        }
        for (const std::string& c : facts->releasable_to->communities) {
          if (seen.insert(c).second) release.emplace_back(Str(c));
        }
      }
    }
  }
  return {{"tlp", Str(tlp)}, {"statements", std::move(statements)}, {"release", std::move(release)}};
}

}  // namespace

http::Response ConsoleEndpoints::Object(const ApiCall& call, std::string_view encoded_id) {
  call.info.endpoint = "api-object";
  absl::StatusOr<std::string> id = taxii::PercentDecode(encoded_id);
  if (!id.ok()) return ErrorAnswer(400, View(id.status().message()));
  const std::string absent = StrCat("no object '", *id, "' that you may read");
  absl::StatusOr<std::vector<store::LocatedObject>> versions = searcher_.Versions(call.principal, *id);
  if (!versions.ok()) return ErrorAnswer(500, "the object could not be read");
  if (versions->empty()) return ErrorAnswer(404, absent);
  const store::LocatedObject& newest = versions->back();
  boost::json::error_code ec;
  boost::json::value object = boost::json::parse(newest.object.json, ec);
  if (ec || !object.is_object()) return ErrorAnswer(500, "the object could not be read");

  boost::json::array version_list, provenance, collections;
  std::set<std::string> versions_seen, collections_seen;
  absl::StatusOr<std::vector<store::Peer>> peers = db_.ListPeers();
  auto nation_of_peer = [&](std::string_view peer) -> std::string {
    if (!peers.ok()) return "";
    for (const store::Peer& p : *peers) {
      if (p.name == peer || StrCat("peer:", p.name) == peer) return p.nation;
    }
    return "";
  };
  for (const store::LocatedObject& v : *versions) {
    if (versions_seen.insert(v.object.version).second) {
      version_list.push_back({{"modified", v.object.version}, {"date_added", stix::FormatTaxii(v.object.date_added_us)}});
    }
    if (collections_seen.insert(v.collection_id).second) collections.emplace_back(Str(v.collection_id));
    if (v.object.origin.empty()) {
      provenance.push_back({{"source", "local"}, {"peer", ""}, {"nation", v.object.added_by_nation},
                            {"user", ""}, {"organization", v.object.added_by},
                            {"version", v.object.version}, {"received", stix::FormatTaxii(v.object.date_added_us)}});
      continue;
    }
    absl::StatusOr<std::vector<store::Provenance>> pulled = db_.GetProvenance(v.collection_id, *id);
    std::string received = stix::FormatTaxii(v.object.date_added_us);
    if (pulled.ok()) {
      for (const store::Provenance& p : *pulled) {
        if (p.date_added_us == v.object.date_added_us) received = stix::FormatTaxii(p.received_us);
      }
    }
    provenance.push_back({{"source", "peer"}, {"peer", v.object.origin}, {"nation", nation_of_peer(v.object.origin)},
                          {"user", ""}, {"organization", v.object.added_by},
                          {"version", v.object.version}, {"received", received}});
  }

  boost::json::array relationships, sightings;
  absl::StatusOr<search::Answer> related = searcher_.Related(call.principal, *id, {.limit = kMaxRelatedShown});
  if (related.ok()) {
    for (const search::Result& r : related->results) {
      if (r.object.type != "relationship" && r.object.type != "sighting") continue;
      boost::json::value o = boost::json::parse(r.object.json, ec);
      if (ec) continue;
      (r.object.type == "relationship" ? relationships : sightings).push_back(std::move(o));
    }
  }
  boost::json::object out;
  out["marking"] = MarkingOf(object.as_object(), db_);
  out["object"] = std::move(object);
  out["versions"] = std::move(version_list);
  out["provenance"] = std::move(provenance);
  out["relationships"] = std::move(relationships);
  out["sightings"] = std::move(sightings);
  out["collections"] = std::move(collections);
  return JsonAnswer(boost::json::serialize(out));
}

}  // namespace kizuna::api
