// Kizuna.
#include "kizuna/api/misp_feed_api.h"

#include <openssl/evp.h>

#include <boost/json.hpp>
#include <utility>

#include "kizuna/base/digest.h"
#include "kizuna/api/answer.h"
#include "kizuna/api/get_endpoint.h"
#include "kizuna/base/status.h"
#include "kizuna/base/strings.h"
#include "kizuna/misp/to_misp.h"
#include "kizuna/misp/to_stix.h"
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
  absl::StatusOr<std::string> text = Events(principal, *collection);
  if (!text.ok()) return Error(500, "the feed could not be built");
  boost::system::error_code ec;
  json::value list = json::parse(*text, ec);
  const json::value* events = list.is_object() ? list.get_object().if_contains("response") : nullptr;
  if (ec || events == nullptr || !events->is_array()) return Error(500, "the feed could not be built");
  json::object manifest;
  std::string hashes;
  for (json::value& item : list.get_object()["response"].get_array()) {
    json::value* found = item.is_object() ? item.get_object().if_contains("Event") : nullptr;
    if (found == nullptr || !found->is_object()) continue;
    json::object& event = found->get_object();
    const json::value* id = event.if_contains("uuid");
    if (id == nullptr || !id->is_string()) continue;
    std::string uuid(id->get_string());
    if (file == "manifest.json") {
      manifest[uuid] = ManifestEntry(event);
    } else if (file == "hashes.csv") {
      AddHashes(event.if_contains("Attribute"), uuid, hashes);
      if (const json::value* objects = event.if_contains("Object"); objects != nullptr && objects->is_array()) {
        for (const json::value& o : objects->get_array()) {
          if (o.is_object()) AddHashes(o.get_object().if_contains("Attribute"), uuid, hashes);
        }
      }
    } else if (file == StrCat(uuid, ".json")) {
      return JsonAnswer(json::serialize(json::object{{"Event", std::move(event)}}));
    }
  }
  if (file == "manifest.json") return JsonAnswer(json::serialize(manifest));
  if (file != "hashes.csv") return Error(404, StrCat("no event '", file, "' in this feed"));
  http::Response r;
  r.content_type = "text/csv";
  r.body = std::move(hashes);
  return r;
}

std::shared_ptr<const http::Response> MispFeedApi::Serve(const http::Request& request, http::RequestInfo& info) {
  return ServeGet(request, info, authenticator_, "misp-feed",
                  [&](const identity::Principal& principal) { return Answer(request, principal); });
}

}  // namespace kizuna::api
