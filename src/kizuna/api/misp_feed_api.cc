// Kizuna.
#include "kizuna/api/misp_feed_api.h"

#include <openssl/evp.h>

#include <boost/json.hpp>
#include <optional>
#include <utility>

#include "kizuna/base/digest.h"
#include "kizuna/api/answer.h"
#include "kizuna/api/get_endpoint.h"
#include "kizuna/base/status.h"
#include "kizuna/base/strings.h"
#include "kizuna/misp/to_misp.h"
#include "kizuna/misp/to_stix.h"
#include "kizuna/policy/policy.h"
#include "kizuna/policy/released_reader.h"
#include "kizuna/stix/id.h"

namespace kizuna::api {
namespace {

namespace json = boost::json;

std::string Md5Hex(std::string_view value) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  EVP_Digest(value.data(), value.size(), digest, &size, EVP_md5(), nullptr);
  return HexEncode(std::string_view(reinterpret_cast<const char*>(digest), size));
}

// The manifest entry of `event`: the fields MISP reads from a feed's manifest.json.
json::object ManifestEntry(const json::object& event) {
  json::object out;
  for (std::string_view key : {"info", "date", "timestamp", "analysis", "threat_level_id", "published", "Orgc", "Tag"}) {
    if (const json::value* v = event.if_contains(key)) out[key] = *v;
  }
  return out;
}

// Adds "md5,event uuid" lines for the attributes of `attributes` to `out`.
void AddHashes(const json::value* attributes, std::string_view uuid, std::string& out) {
  if (attributes == nullptr || !attributes->is_array()) return;
  for (const json::value& a : attributes->get_array()) {
    const json::value* value = a.is_object() ? a.get_object().if_contains("value") : nullptr;
    if (value != nullptr && value->is_string()) StrAppend(out, Md5Hex(value->get_string()), ",", uuid, "\n");
  }
}

}  // namespace

absl::Status MispFeedApi::MountOn(http::Router& router) { return router.Prefix(std::string(kPrefix), *this); }

http::Response MispFeedApi::Error(int status, std::string_view description) { return ErrorAnswer(status, description); }

absl::StatusOr<std::string> MispFeedApi::Events(const identity::Principal& principal,
                                               const store::Collection& collection) {
  misp::ExportOptions options;
  options.native_event_uuid = stix::UuidV5(misp::kMispNamespace, StrCat("collection:", collection.id));
  options.native_event_info = StrCat("Kizuna collection ", collection.title);
  options.now_seconds = clock_.NowMicros() / 1'000'000;
  misp::EventWriter writer(options);
  policy::ReleasedReader reader(store_, policy_);
  store::PageRequest request;
  request.limit = store::kMaxPageLimit;
  int64_t read = 0;
  for (;;) {
    KZ_ASSIGN_OR_RETURN(store::Page page, reader.Read(principal, collection, {}, request));
    for (const store::StoredObject& o : page.objects) KZ_RETURN_IF_ERROR(writer.Add(o.json));
    read += static_cast<int64_t>(page.objects.size());
    if (read > kMaxObjects) return absl::ResourceExhaustedError("the collection is too large for a MISP feed");
    if (!page.more) break;
    request.after = page.next;
  }
  return writer.Finish();
}

struct MispFeedApi::Feed {
  std::string manifest;                                   // manifest.json
  std::string hashes;                                     // hashes.csv
  absl::flat_hash_map<std::string, std::string> events;  // "{uuid}.json" -> its file
  size_t bytes = 0;

  // The files of the event list `text` (what Events returns); nullopt when it is not one.
  static std::optional<Feed> Of(std::string_view text) {
    boost::system::error_code ec;
    json::value list = json::parse(text, ec);
    json::value* events = ec || !list.is_object() ? nullptr : list.get_object().if_contains("response");
    if (events == nullptr || !events->is_array()) return std::nullopt;
    Feed feed;
    json::object manifest;
    for (json::value& item : events->get_array()) {
      json::value* found = item.is_object() ? item.get_object().if_contains("Event") : nullptr;
      if (found == nullptr || !found->is_object()) continue;
      json::object& event = found->get_object();
      const json::value* id = event.if_contains("uuid");
      if (id == nullptr || !id->is_string()) continue;
      std::string uuid(id->get_string());
      manifest[uuid] = ManifestEntry(event);
      AddHashes(event.if_contains("Attribute"), uuid, feed.hashes);
      if (const json::value* objects = event.if_contains("Object"); objects != nullptr && objects->is_array()) {
        for (const json::value& o : objects->get_array()) {
          if (o.is_object()) AddHashes(o.get_object().if_contains("Attribute"), uuid, feed.hashes);
        }
      }
      std::string body = json::serialize(json::object{{"Event", std::move(event)}});
      const size_t size = uuid.size() + body.size();
      if (feed.events.try_emplace(StrCat(uuid, ".json"), std::move(body)).second) feed.bytes += size;
    }
    feed.manifest = json::serialize(manifest);
    feed.bytes += feed.manifest.size() + feed.hashes.size();
    return feed;
  }
};

absl::StatusOr<std::shared_ptr<const MispFeedApi::Feed>> MispFeedApi::FeedFor(const identity::Principal& principal,
                                                                             const store::Collection& collection) {
  // The stamp and the time are taken before anything is read: a feed is never kept as newer
  // than what it was built from.
  KZ_ASSIGN_OR_RETURN(int64_t last_added, store_.LastDateAdded());
  const Stamp stamp{store_.LocalContentChanges(), last_added};
  const int64_t now_us = clock_.NowMicros();
  std::string key = StrCat(collection.id, '\0', policy::ReleaseKey(principal));
  {
    absl::MutexLock lock(&mu_);
    auto it = feeds_.find(key);
    if (stamp == stamp_ && it != feeds_.end() && now_us >= it->second.built_us &&
        now_us - it->second.built_us < kCacheMaxAgeUs) {
      return it->second.feed;
    }
  }
  KZ_ASSIGN_OR_RETURN(std::string text, Events(principal, collection));
  std::optional<Feed> built = Feed::Of(text);
  if (!built) return absl::InternalError("the MISP event list could not be read back");
  auto feed = std::make_shared<const Feed>(std::move(*built));
  absl::MutexLock lock(&mu_);
  // Stamps only grow: an older one means the feed was built before a change.
  if (stamp.changes < stamp_.changes || stamp.last_added < stamp_.last_added) return feed;
  if (stamp != stamp_ || bytes_ + feed->bytes > kCacheMaxBytes) {
    feeds_.clear();
    bytes_ = 0;
    stamp_ = stamp;
  }
  if (feed->bytes > kCacheMaxBytes / 2) return feed;
  auto [it, inserted] = feeds_.try_emplace(std::move(key));
  if (!inserted) bytes_ -= it->second.feed->bytes;
  it->second = {feed, now_us};
  bytes_ += feed->bytes;
  return feed;
}

http::Response MispFeedApi::Answer(const http::Request& request, const identity::Principal& principal) {
  std::string_view rest = request.Path().substr(kPrefix.size());
  size_t slash = rest.find('/');
  if (slash == std::string_view::npos) return Error(404, "expected /misp-feed/{collection}/{file}");
  std::string_view name = rest.substr(0, slash), file = rest.substr(slash + 1);
  absl::StatusOr<store::Collection> collection = ReadableCollection(store_, may_read_, principal, name);
  if (!collection.ok()) return CollectionError(collection.status());
  if (file != "manifest.json" && file != "hashes.csv" && !file.ends_with(".json")) {
    return Error(404, "a MISP feed has manifest.json, hashes.csv and {uuid}.json");
  }
  absl::StatusOr<std::shared_ptr<const Feed>> feed = FeedFor(principal, *collection);
  if (!feed.ok()) return Error(500, "the feed could not be built");
  if (file == "manifest.json") return JsonAnswer((*feed)->manifest);
  if (file == "hashes.csv") {
    http::Response r;
    r.content_type = "text/csv";
    r.body = (*feed)->hashes;
    return r;
  }
  auto event = (*feed)->events.find(std::string(file));
  if (event == (*feed)->events.end()) return Error(404, StrCat("no event '", file, "' in this feed"));
  return JsonAnswer(event->second);
}

std::shared_ptr<const http::Response> MispFeedApi::Serve(const http::Request& request, http::RequestInfo& info) {
  return ServeGet(request, info, authenticator_, "misp-feed",
                  [&](const identity::Principal& principal) { return Answer(request, principal); });
}

}  // namespace kizuna::api
