// Kizuna. The JSON API's sensor exports: what `kizuna export --format zeek-intel|suricata|rpz|
// csv` writes, fetched over HTTPS by a sensor or resolver on a timer.
#pragma once

// GET /api/v1/exports/{format}?collection=ID_OR_ALIAS[&file=NAME]
//   format: zeek-intel, rpz or csv: the file itself (text/plain; text/csv for csv);
//           suricata: with file=NAME one of its files (kizuna.rules, or a dataset list);
//           without it, {"files": [names]} (application/json).
// The answer's X-Kizuna-Exported and X-Kizuna-Skipped headers count the indicators written
// and left out. Authentication is TAXII's (the same TokenAuthenticator, client certificates
// included); the collection must be one the principal may read (its grants), and the export
// is what the policy releases to it (detect::ExportForSensors reads through
// policy::ReleasedReader): a collection it may not read answers 404 like one that does not
// exist, and what is withheld is not counted. The node's stored allowlists apply, as for
// `kizuna export`. Errors are {"status": N, "description": "..."}: 400 (a bad parameter),
// 401, 404, 405 (not GET/HEAD), 500. docs/api.openapi.yaml documents it.
// Limits: a query string of at most kMaxQueryBytes.
//
//   api::ExportApi exports(db, policy, authenticator, may_read, allowlist_dir, clock);
//   KZ_RETURN_IF_ERROR(exports.MountOn(router));
//
// Thread-safety: safe for concurrent use, as the store, policy and authenticator are.

#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "kizuna/api/get_endpoint.h"
#include "kizuna/base/clock.h"
#include "kizuna/http/handler.h"
#include "kizuna/http/router.h"
#include "kizuna/policy/policy.h"
#include "kizuna/store/store.h"
#include "kizuna/taxii/auth/authenticator.h"

namespace kizuna::api {

class ExportApi final : public http::Handler {
 public:
  static constexpr std::string_view kPrefix = "/api/v1/exports/";
  static constexpr size_t kMaxQueryBytes = 1024;

  using MayRead = api::MayRead;

  // All must outlive the handler. `allowlist_dir` is the node's stored allowlists folder
  // (read at each request; a missing folder holds none).
  ExportApi(store::Store& store, policy::Policy& policy, taxii::Authenticator& authenticator, MayRead may_read,
            std::string allowlist_dir, Clock& clock)
      : store_(store),
        policy_(policy),
        authenticator_(authenticator),
        may_read_(std::move(may_read)),
        allowlist_dir_(std::move(allowlist_dir)),
        clock_(clock) {}

  // Mounts this handler on kPrefix. Errors as Router::Prefix.
  absl::Status MountOn(http::Router& router);

  std::shared_ptr<const http::Response> Serve(const http::Request& request, http::RequestInfo& info) override;
  bool Writes(const http::Request&) override { return false; }
  http::Response Error(int status, std::string_view description) override;

 private:
  http::Response Answer(const http::Request& request, const identity::Principal& principal);

  store::Store& store_;
  policy::Policy& policy_;
  taxii::Authenticator& authenticator_;
  const MayRead may_read_;
  const std::string allowlist_dir_;
  Clock& clock_;
};

}  // namespace kizuna::api
