// Kizuna. Routing, negotiation and authentication; the endpoints are in handlers/.
#include "kizuna/taxii/service.h"

#include <algorithm>
#include <chrono>

#include "kizuna/base/strings.h"
#include "kizuna/http/router.h"
#include "kizuna/policy/exercise.h"
#include "kizuna/taxii/errors.h"
#include "kizuna/taxii/internal/context.h"
#include "kizuna/taxii/media.h"
#include "kizuna/taxii/query.h"
#include "kizuna/taxii/response_cache.h"

namespace kizuna::taxii {
namespace {

using taxii_internal::Call;
using taxii_internal::Context;

using Handler = http::Response (*)(Context&, const Call&);

// Splits "/a/b/c/" into percent-decoded segments. Every TAXII URL ends in '/'.
absl::StatusOr<std::vector<std::string>> Segments(std::string_view path) {
  if (path.empty() || path.front() != '/' || path.back() != '/') {
    return absl::NotFoundError("no such resource (TAXII URLs end with '/')");
  }
  std::vector<std::string> out;
  path = path.substr(1, path.size() - 2);
  while (!path.empty()) {
    size_t slash = path.find('/');
    absl::StatusOr<std::string> segment = PercentDecode(path.substr(0, slash));
    if (!segment.ok()) return segment.status();
    if (segment->empty() || *segment == "." || *segment == ".." ||
        segment->find_first_of(std::string_view("/\0", 2)) != std::string::npos) {
      return absl::NotFoundError("no such resource");
    }
    out.push_back(std::move(*segment));
    path = slash == std::string_view::npos ? std::string_view() : path.substr(slash + 1);
  }
  return out;
}

struct RouteMatch {
  Route route = Route::kOther;
  Handler handler = nullptr;
  bool below_root = false;
  bool below_collection = false;
  std::string allow;  // methods allowed on the resource, for 405
};

// Maps (method, segments) to an endpoint. Returns a match with no handler and a non-empty
// `allow` for a known resource and a wrong method; an empty match for unknown paths.
RouteMatch Match(http::Method method, const std::vector<std::string>& s) {
  const size_t n = s.size();
  const bool get = method == http::Method::kGet || method == http::Method::kHead;
  auto one = [&](Route r, Handler h, bool root, bool coll) {
    return RouteMatch{r, get ? h : nullptr, root, coll, "GET, HEAD"};
  };
  if (n == 1 && s[0] == "taxii2") return one(Route::kDiscovery, taxii_internal::Discovery, false, false);
  if (n == 1) return one(Route::kApiRoot, taxii_internal::ApiRootInfo, true, false);
  if (n == 3 && s[1] == "status") return one(Route::kStatus, taxii_internal::GetStatus, true, false);
  if (n < 2 || s[1] != "collections") return {};
  if (n == 2) return one(Route::kCollections, taxii_internal::Collections, true, false);
  if (n == 3) return one(Route::kCollection, taxii_internal::CollectionInfo, true, true);
  if (n == 4 && s[3] == "manifest") return one(Route::kManifest, taxii_internal::GetManifest, true, true);
  if (n == 4 && s[3] == "objects") {
    if (method == http::Method::kPost) return {Route::kAddObjects, taxii_internal::AddObjects, true, true, ""};
    return {Route::kObjects, get ? taxii_internal::GetObjects : nullptr, true, true, "GET, HEAD, POST"};
  }
  if (n == 5 && s[3] == "objects") {
    if (method == http::Method::kDelete) return {Route::kDeleteObject, taxii_internal::DeleteObject, true, true, ""};
    return {Route::kObject, get ? taxii_internal::GetObject : nullptr, true, true, "GET, HEAD, DELETE"};
  }
  if (n == 6 && s[3] == "objects" && s[5] == "versions") {
    return one(Route::kVersions, taxii_internal::GetVersions, true, true);
  }
  return {};
}

// Whether responses of `route` may be kept (response_cache.h): the reading endpoints below a
// collection.
bool Cacheable(Route route, http::Method method) {
  bool reading = route == Route::kObjects || route == Route::kManifest || route == Route::kObject ||
                 route == Route::kVersions;
  return reading && (method == http::Method::kGet || method == http::Method::kHead);
}

// Who asks and what: everything a reading endpoint's response depends on besides the node's
// state.
std::string CacheKey(const identity::Principal& p, std::string_view target) {
  std::string key = StrCat(p.user, '\0', p.organization, '\0', p.nation, '\0', p.roles, '\0',
                           p.node_operator, '\0');
  for (const std::string& g : p.groups) StrAppend(key, g, ' ');
  StrAppend(key, '\0', target);
  return key;
}

}  // namespace

struct Service::Impl {
  Impl(store::Store& store, policy::Policy& policy, Authenticator& authenticator, AccessControl& access,
       const NextTokens::Key& key, Clock& clock, ServiceOptions opts, store::Directory* audit)
      : authenticator(authenticator),
        options(std::move(opts)),
        reader(store, policy),
        responses(options.response_cache),
        ctx{store, access, policy, reader, NextTokens(key), clock,
            options.random != nullptr ? *options.random : SecureRandom(), options, metrics, audit} {}

  // The response to `request`. A response that is kept (response_cache.h), found or just
  // built, comes back in `shared` instead, and the returned one is empty.
  http::Response Route(const http::Request& request, taxii::Route& route, std::string& user,
                       std::shared_ptr<const http::Response>& shared);

  Authenticator& authenticator;
  const ServiceOptions options;
  Metrics metrics;
  policy::ReleasedReader reader;
  ResponseCache responses;
  Context ctx;
};

http::Response Service::Impl::Route(const http::Request& request, taxii::Route& route, std::string& user,
                                    std::shared_ptr<const http::Response>& shared) {
  absl::StatusOr<std::vector<std::string>> segments = Segments(request.Path());
  if (!segments.ok()) return ErrorResponse(segments.status());
  RouteMatch match = Match(request.method, *segments);
  route = match.route;
  if (match.handler == nullptr && match.allow.empty() && match.route == Route::kOther) {
    return ErrorResponse(404, "no such resource");
  }
  // Authenticate before anything that could tell a stranger what exists.
  absl::StatusOr<identity::Principal> principal = authenticator.AuthenticateRequest(request);
  if (!principal.ok()) return AuthenticationFailure(principal.status());
  user = principal->user;
  if (match.handler == nullptr) {
    http::Response r = ErrorResponse(405, "method not allowed on this resource");
    r.headers.emplace_back("Allow", match.allow);
    return r;
  }
  if (!AcceptsTaxii(request.accept)) {
    return ErrorResponse(406, StrCat("this server answers with ", kTaxiiMediaType));
  }
  // A kept response answers at once; the stamp and the time are taken before anything is read.
  std::string cache_key;
  ChangeStamp stamp;
  int64_t now_us = 0;
  if (Cacheable(match.route, request.method)) {
    stamp = {ctx.store.LocalContentChanges(), ctx.audit != nullptr ? ctx.audit->LocalChanges() : 0};
    now_us = ctx.clock.NowMicros();
    cache_key = CacheKey(*principal, request.target);
    shared = responses.Find(cache_key, stamp, now_us);
    if (shared != nullptr) return {};
  }
  Call call{request, std::move(*principal), std::move(*segments), {}, {}, {}};
  if (match.below_root) {
    absl::StatusOr<store::ApiRoot> root = ctx.store.GetApiRoot(call.segments[0]);
    if (!root.ok()) return ErrorResponse(root.status());
    call.root = std::move(*root);
  }
  if (match.below_collection) {
    absl::StatusOr<store::Collection> c = ctx.store.FindCollection(call.root.name, call.segments[2]);
    if (!c.ok()) return ErrorResponse(404, "no such collection");
    absl::StatusOr<CollectionAccess> access = ctx.access.Access(call.principal, c->id);
    if (!access.ok()) return ErrorResponse(access.status());
    // A partner node outside an exercise gets nothing of its collection (docs/security.md, rule 6).
    if ((!access->can_read && !access->can_write) || !policy::PeerMayReachExercise(*c, call.principal)) {
      return ErrorResponse(404, "no such collection");
    }
    call.collection = std::move(*c);
    call.access = *access;
  }
  http::Response response = match.handler(ctx, call);
  if (cache_key.empty() || response.status != 200) return response;
  shared = std::make_shared<const http::Response>(std::move(response));
  responses.Put(std::move(cache_key), stamp, now_us, shared);
  return {};
}

Service::Service(store::Store& store, policy::Policy& policy, Authenticator& authenticator, AccessControl& access,
                 const NextTokens::Key& token_key, Clock& clock, ServiceOptions options,
                 store::Directory* audit)
    : impl_(std::make_unique<Impl>(store, policy, authenticator, access, token_key, clock, std::move(options),
                                   audit)) {}

Service::~Service() = default;

Metrics& Service::metrics() { return impl_->metrics; }

std::shared_ptr<const http::Response> Service::Serve(const http::Request& request, http::RequestInfo& info) {
  auto start = std::chrono::steady_clock::now();
  taxii::Route route = Route::kOther;
  std::shared_ptr<const http::Response> shared;
  http::Response response = impl_->Route(request, route, info.user, shared);
  if (shared == nullptr) shared = std::make_shared<const http::Response>(std::move(response));
  impl_->metrics.Record(route, shared->status,
                        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  info.endpoint = RouteName(route);
  return shared;
}

http::Response Service::AddObjectsFor(const identity::Principal& principal, std::string_view collection_id,
                                      std::string envelope, std::string_view remote) {
  Context& ctx = impl_->ctx;
  absl::StatusOr<std::vector<store::Collection>> all = ctx.store.ListCollections("");
  if (!all.ok()) return ErrorResponse(all.status());
  auto c = std::find_if(all->begin(), all->end(), [&](const store::Collection& x) { return x.id == collection_id; });
  if (c == all->end()) return ErrorResponse(404, "no such collection");
  absl::StatusOr<CollectionAccess> access = ctx.access.Access(principal, c->id);
  if (!access.ok()) return ErrorResponse(access.status());
  if (!access->can_read && !access->can_write) return ErrorResponse(404, "no such collection");
  absl::StatusOr<store::ApiRoot> root = ctx.store.GetApiRoot(c->api_root);
  if (!root.ok()) return ErrorResponse(root.status());
  http::Request request;
  request.method = http::Method::kPost;
  request.target = StrCat("/", c->api_root, "/collections/", c->id, "/objects/");
  request.content_type = std::string(kTaxiiMediaType);
  request.accept = std::string(kTaxiiMediaType);
  request.body = std::move(envelope);
  request.remote = std::string(remote);
  Call call{request, principal, {c->api_root, "collections", c->id, "objects"}, std::move(*root), std::move(*c),
            *access};
  return taxii_internal::AddObjects(ctx, call);
}

http::Response Service::Handle(const http::Request& request) {
  http::RequestInfo info;
  return *http::Dispatch(*this, request, info);
}

http::BodyLimit Service::MaxBody(const http::Request& head) {
  // The API root a target names ("/root/collections/..."); none for other forms.
  std::string_view root = head.Path();
  root = root.starts_with('/') ? root.substr(1, root.find('/', 1) - 1) : std::string_view();
  absl::StatusOr<store::ApiRoot> found = impl_->ctx.store.GetApiRoot(root);
  int64_t bytes = found.ok() && found->max_content_length > 0 ? found->max_content_length
                                                               : impl_->options.default_max_content_length;
  return {static_cast<uint64_t>(bytes), "max_content_length"};
}

http::Response Service::Error(int status, std::string_view description) { return ErrorResponse(status, description); }

}  // namespace kizuna::taxii
