// Kizuna.
#include "kizuna/api/get_endpoint.h"

#include <boost/json.hpp>
#include <utility>

#include "kizuna/api/answer.h"
#include "kizuna/base/strings.h"
#include "kizuna/taxii/errors.h"

namespace kizuna::api {

absl::StatusOr<store::Collection> ReadableCollection(store::Store& store, const MayRead& may_read,
                                                     const identity::Principal& principal, std::string_view name) {
  const std::string missing = StrCat("no collection '", name, "' readable here");
  absl::StatusOr<store::Collection> collection = store.FindCollection("", name);
  if (absl::IsNotFound(collection.status())) return absl::NotFoundError(missing);
  if (!collection.ok()) return absl::InternalError("the store failed");
  absl::StatusOr<bool> may = may_read(principal, *collection);
  if (!may.ok()) return absl::InternalError("the grants could not be read");
  if (!*may) return absl::NotFoundError(missing);
  return collection;
}

http::Response CollectionError(const absl::Status& status) {
  return ErrorAnswer(absl::IsNotFound(status) ? 404 : 500, View(status.message()));
}

std::shared_ptr<const http::Response> ServeGet(
    const http::Request& request, http::RequestInfo& info, taxii::Authenticator& authenticator,
    std::string_view endpoint, const std::function<http::Response(const identity::Principal&)>& answer) {
  info.endpoint = endpoint;
  if (request.method != http::Method::kGet && request.method != http::Method::kHead) {
    http::Response r = ErrorAnswer(405, "only GET is allowed here");
    r.headers.emplace_back("Allow", "GET, HEAD");
    return std::make_shared<const http::Response>(std::move(r));
  }
  absl::StatusOr<identity::Principal> who = authenticator.AuthenticateRequest(request);
  if (!who.ok()) return std::make_shared<const http::Response>(taxii::AuthenticationFailure(who.status()));
  info.user = who->user;
  return std::make_shared<const http::Response>(answer(*who));
}

}  // namespace kizuna::api
