// Kizuna. POST /api/v1/collections/{id}/objects: publishing from the console.
//
// The body is a STIX bundle, a TAXII envelope or one object; it is written exactly as TAXII
// Add Objects writes (taxii::Service::AddObjectsFor: the same checks of who may write what,
// the same store write, status resource and "object.add" audit) and answered with the status
// resource (202). A TAXII error becomes {"status", "description"} with the same code.
#include <boost/json.hpp>

#include "kizuna/api/answer.h"
#include "kizuna/api/console_endpoints.h"
#include "kizuna/base/strings.h"
#include "kizuna/taxii/query.h"

namespace kizuna::api {
namespace {

// The TAXII envelope of `body`: {"objects": [...]} from a bundle, an envelope or one object.
absl::StatusOr<std::string> EnvelopeOf(std::string_view body) {
  boost::json::error_code ec;
  boost::json::value v = boost::json::parse(body, ec);
  if (ec || !v.is_object()) return absl::InvalidArgumentError("the body must be a STIX bundle or a STIX object");
  boost::json::object& o = v.as_object();
  if (const boost::json::value* objects = o.if_contains("objects"); objects != nullptr) {
    if (!objects->is_array()) return absl::InvalidArgumentError("objects must be a list");
    return boost::json::serialize(boost::json::object{{"objects", *objects}});
  }
  if (!o.contains("type")) return absl::InvalidArgumentError("the body must be a STIX bundle or a STIX object");
  return boost::json::serialize(boost::json::object{{"objects", boost::json::array{v}}});
}

}  // namespace

// Turns a TAXII answer into the API's: the status resource as it is, an error re-worded.
http::Response FromTaxii(http::Response r) {
  if (r.status < 400) {
    r.content_type = "application/json";
    return r;
  }
  boost::json::error_code ec;
  boost::json::value v = boost::json::parse(r.body, ec);
  const boost::json::value* d = !ec && v.is_object() ? v.as_object().if_contains("description") : nullptr;
  std::string description = d != nullptr && d->is_string() ? std::string(d->as_string()) : "the write failed";
  return ErrorAnswer(r.status, description);
}

http::Response ConsoleEndpoints::Publish(const ApiCall& call, std::string_view encoded_collection) {
  call.info.endpoint = "api-publish";
  absl::StatusOr<std::string> collection = taxii::PercentDecode(encoded_collection);
  if (!collection.ok()) return ErrorAnswer(400, View(collection.status().message()));
  absl::StatusOr<std::string> envelope = EnvelopeOf(call.request.body);
  if (!envelope.ok()) return ErrorAnswer(400, View(envelope.status().message()));
  return FromTaxii(taxii_.AddObjectsFor(call.principal, *collection, std::move(*envelope), call.request.remote));
}

}  // namespace kizuna::api
