// Kizuna. The audit details of peers and feeds, and the seal name of a feed's secret.
#include "kizuna/store/federation_audit.h"

#include <boost/json.hpp>

#include "kizuna/base/strings.h"

namespace kizuna::store {
namespace {

boost::json::object SettingsObject(const Peer& p) {
  return {{"url", p.url},
          {"api_root", p.api_root},
          {"auth", PeerAuthName(p.auth)},
          {"basic_user", p.basic_user},
          {"ca_file", p.ca_file},
          {"client_cert", p.client_cert},
          {"client_key", p.client_key},
          {"nation", p.nation},
          {"communities", boost::json::array(p.communities.begin(), p.communities.end())},
          {"organization", p.organization}};
}

}  // namespace

AuditEvent FederationEvent(int64_t time_us, std::string_view actor, std::string_view action,
                           std::string_view target) {
  AuditEvent event;
  event.time_us = time_us;
  event.actor = actor;
  event.action = action;
  event.target = target;
  return event;
}

std::string PeerSettingsDetails(const Peer& p) { return boost::json::serialize(SettingsObject(p)); }

std::string PeerDetails(const Peer& p) {
  boost::json::array mappings;
  for (const PeerMapping& m : p.mappings) {
    mappings.push_back({{"local", m.local_collection},
                        {"remote", m.remote_collection},
                        {"direction", SyncDirectionName(m.direction)}});
  }
  boost::json::object details = SettingsObject(p);
  details["mappings"] = std::move(mappings);
  return boost::json::serialize(details);
}

std::string FeedDetails(const Feed& f) {
  return boost::json::serialize(boost::json::object{{"url", f.url},
                                                    {"format", FeedKindName(f.kind)},
                                                    {"collection", f.collection},
                                                    {"as", f.as_user},
                                                    {"every_us", f.every_us},
                                                    {"map", f.field_map},
                                                    {"timeout_ms", f.timeout_ms},
                                                    {"max_bytes", f.max_bytes},
                                                    {"auth", PeerAuthName(f.auth)},
                                                    {"basic_user", f.basic_user},
                                                    {"ca_file", f.ca_file}});
}

std::string FeedSealName(std::string_view feed) { return StrCat("feed:", feed); }

}  // namespace kizuna::store
