// Kizuna.
#include "kizuna/node/operations.h"

#include <chrono>
#include <string>
#include <vector>

#include "kizuna/base/status.h"
#include "kizuna/taxii/errors.h"
#include "kizuna/taxii/media.h"

namespace kizuna::node {

absl::Status Operations::MountOn(http::Router& router) {
  KZ_RETURN_IF_ERROR(router.Exact(std::string(kHealthPath), *this));
  return router.Exact(std::string(kMetricsPath), *this);
}

http::Response Operations::Error(int status, std::string_view description) {
  return taxii::ErrorResponse(status, description);
}

http::Response Operations::Health() {
  if (store_.CorruptionSeen()) {
    return Error(503, "the store is damaged: SQLite met a corrupt page (run `kizuna check`)");
  }
  absl::StatusOr<std::vector<store::ApiRoot>> roots = store_.ListApiRoots();
  if (!roots.ok()) return Error(503, "the store is not available");
  http::Response r;
  r.content_type = std::string(taxii::kTaxiiMediaType);
  r.body = "{\"status\":\"ok\"}";
  return r;
}

http::Response Operations::Prometheus(const http::Request& request) {
  if (!options_.metrics_public) {
    absl::StatusOr<identity::Principal> who =
        authenticator_.AuthenticateRequest(request);
    if (!who.ok()) return taxii::AuthenticationFailure(who.status());
    if (!who->Has(identity::Role::kNodeAdmin))
      return Error(403, "metrics are for node administrators");
  }
  int64_t stored = 0;
  if (absl::StatusOr<std::vector<store::Collection>> all = store_.ListCollections(""); all.ok()) {
    for (const auto& c : *all) stored += store_.CountObjects(c.id).value_or(0);
  }
  http::Response r;
  r.content_type = "text/plain; version=0.0.4";
  r.body = metrics_.Render(stored) + authenticator_.MetricsText();
  if (options_.more_metrics) r.body += options_.more_metrics();
  return r;
}

std::shared_ptr<const http::Response> Operations::Serve(const http::Request& request,
                                                        http::RequestInfo& info) {
  auto start = std::chrono::steady_clock::now();
  taxii::Route route = taxii::Route::kOther;
  http::Response response;
  if (request.method != http::Method::kGet && request.method != http::Method::kHead) {
    response = Error(405, "only GET is allowed here");
    response.headers.emplace_back("Allow", "GET, HEAD");
  } else if (request.Path() == kHealthPath) {
    route = taxii::Route::kHealth;
    response = Health();
  } else {
    route = taxii::Route::kMetrics;
    response = Prometheus(request);
  }
  metrics_.Record(route, response.status,
                  std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  info.endpoint = taxii::RouteName(route);
  return std::make_shared<const http::Response>(std::move(response));
}

}  // namespace kizuna::node
