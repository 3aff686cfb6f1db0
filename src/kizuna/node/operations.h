// Kizuna. The node's operations endpoints, a mount of their own: GET /healthz and /metrics.
#pragma once

// GET /healthz answers {"status":"ok"} without authentication, or 503 when the store cannot
// be read or has met a damaged database (Store::CorruptionSeen): what a load balancer or
// supervisor polls. GET /metrics answers the Prometheus text of the node's request metrics
// (taxii::Metrics, shared with the TAXII service) and the objects stored, to node
// administrators, or to anyone when `metrics_public`. Other methods are 405. Answers and
// errors have the TAXII service's format (taxii/errors.h), as before these endpoints had a
// mount of their own; each request is recorded in the metrics as endpoint "healthz",
// "metrics" (or "other" for a 405).
//
//   Operations operations(store, authenticator, taxii.metrics(), {});
//   KZ_RETURN_IF_ERROR(operations.MountOn(router));
//
// Thread-safety: safe for concurrent use.

#include <functional>
#include <memory>
#include <string_view>

#include "absl/status/status.h"
#include "kizuna/http/handler.h"
#include "kizuna/http/router.h"
#include "kizuna/store/store.h"
#include "kizuna/taxii/auth/authenticator.h"
#include "kizuna/taxii/metrics.h"

namespace kizuna::node {

struct OperationsOptions {
  // Whether /metrics answers without authentication (for a scraper on a trusted network).
  // Default false: node administrators only.
  bool metrics_public = false;
  // More lines of /metrics (the scheduled feeds' statistics), in the Prometheus text format;
  // none when empty.
  std::function<std::string()> more_metrics = nullptr;
};

class Operations final : public http::Handler {
 public:
  static constexpr std::string_view kHealthPath = "/healthz";
  static constexpr std::string_view kMetricsPath = "/metrics";

  // Every reference must outlive the handler.
  Operations(store::Store& store, taxii::Authenticator& authenticator, taxii::Metrics& metrics,
             OperationsOptions options)
      : store_(store), authenticator_(authenticator), metrics_(metrics), options_(options) {}

  // Mounts this handler on kHealthPath and kMetricsPath exactly. Errors as Router::Exact.
  absl::Status MountOn(http::Router& router);

  std::shared_ptr<const http::Response> Serve(const http::Request& request,
                                              http::RequestInfo& info) override;
  // Never: a POST here is answered 405 on the event loop.
  bool Writes(const http::Request&) override { return false; }
  http::Response Error(int status, std::string_view description) override;

 private:
  http::Response Health();
  http::Response Prometheus(const http::Request& request);

  store::Store& store_;
  taxii::Authenticator& authenticator_;
  taxii::Metrics& metrics_;
  const OperationsOptions options_;
};

}  // namespace kizuna::node
