// Kizuna. What the JSON API's read-only endpoints share: the error body, and a GET answered
// for an authenticated principal.
#pragma once

// Thread-safety: stateless.

#include <functional>
#include <memory>
#include <string_view>

#include "absl/status/statusor.h"
#include "kizuna/http/handler.h"
#include "kizuna/identity/principal.h"
#include "kizuna/store/store.h"
#include "kizuna/taxii/auth/authenticator.h"

namespace kizuna::api {

// Whether `principal` may read `collection` (the node's grants).
using MayRead =
    std::function<absl::StatusOr<bool>(const identity::Principal& principal, const store::Collection& collection)>;

// The collection `name` (id or alias) when `principal` may read it. Errors: NotFound, in the
// same words, for one that does not exist and one it may not read; Internal when the store
// or the grants cannot be read.
absl::StatusOr<store::Collection> ReadableCollection(store::Store& store, const MayRead& may_read,
                                                     const identity::Principal& principal, std::string_view name);

// The JSON error of a failed ReadableCollection: 404 or 500.
http::Response CollectionError(const absl::Status& status);

// Answers `request` with `answer` for the principal the authenticator finds (its token or
// client certificate): 405 for a method other than GET or HEAD, TAXII's 401 when it finds
// none. Records `endpoint` and the user in `info`.
std::shared_ptr<const http::Response> ServeGet(
    const http::Request& request, http::RequestInfo& info, taxii::Authenticator& authenticator,
    std::string_view endpoint, const std::function<http::Response(const identity::Principal&)>& answer);

}  // namespace kizuna::api
