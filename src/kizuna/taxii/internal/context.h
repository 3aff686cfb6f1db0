// Kizuna. What the TAXII handlers share: the service's dependencies and one call's state.
// Internal to src/kizuna/taxii/.
#pragma once

#include <string>
#include <vector>

#include "kizuna/base/clock.h"
#include "kizuna/base/random.h"
#include "kizuna/http/message.h"
#include "kizuna/identity/principal.h"
#include "kizuna/policy/policy.h"
#include "kizuna/policy/released_reader.h"
#include "kizuna/store/store.h"
#include "kizuna/taxii/auth/authenticator.h"
#include "kizuna/taxii/metrics.h"
#include "kizuna/taxii/next_token.h"
#include "kizuna/taxii/service.h"

namespace kizuna::taxii::taxii_internal {

// The service-wide dependencies handlers use.
struct Context {
  store::Store& store;
  AccessControl& access;
  policy::Policy& policy;
  policy::ReleasedReader& reader;  // every object version a reading endpoint serves
  NextTokens tokens;
  Clock& clock;
  Random& random;  // ids of status resources
  const ServiceOptions& options;
  Metrics& metrics;
  store::Directory* audit;  // may be null
};

// One authenticated request, routed.
struct Call {
  const http::Request& http;
  identity::Principal principal;
  std::vector<std::string> segments;  // percent-decoded path segments
  store::ApiRoot root;                // for every endpoint below an API root
  store::Collection collection;       // for every endpoint below a collection
  CollectionAccess access;            // the principal's access to `collection`
};

// Response helpers.
http::Response JsonResponse(int status, std::string body);

// Handlers, one file each under handlers/.
http::Response Discovery(Context& ctx, const Call& call);
http::Response ApiRootInfo(Context& ctx, const Call& call);
http::Response Collections(Context& ctx, const Call& call);
http::Response CollectionInfo(Context& ctx, const Call& call);
http::Response GetObjects(Context& ctx, const Call& call);
http::Response GetManifest(Context& ctx, const Call& call);
http::Response GetObject(Context& ctx, const Call& call);
http::Response GetVersions(Context& ctx, const Call& call);
http::Response AddObjects(Context& ctx, const Call& call);
http::Response DeleteObject(Context& ctx, const Call& call);
http::Response GetStatus(Context& ctx, const Call& call);

}  // namespace kizuna::taxii::taxii_internal
