// Kizuna. The node: one process that serves TAXII, its operations endpoints and federation.
#pragma once

// Node is the composition root of `kizuna serve`, and of any test that needs a whole node.
// Built from a NodeConfig (config.h), it owns, in the order it builds them:
//   - the store and directory: one SQLite database in `data_dir`, quick-checked first
//     (preflight.h, StartCheck), with the API roots the configuration names (created when
//     missing) and the key of TAXII `next` tokens;
//   - ONE policy::Policy, the releasability decision every read path of the node goes
//     through: TAXII reads and sync pushes share it (and its caches);
//   - the TAXII service with its token authenticator and grant-based access control;
//   - the operations endpoints, /healthz and /metrics (operations.h);
//   - the JSON API under /api/v1/ (api/console_api.h: search, the console's sign-in sessions,
//     kept in memory, and endpoints) and the console's files under /console/, read from
//     config.console.dir or the default directories (ConsoleDir) when one holds them;
//   - sensor exports under /api/v1/exports/ (api/export_api.h) and collections as MISP feeds
//     (api/misp_feed_api.h), both through the grants and the policy;
//   - the router: the operations endpoints mounted at their exact paths, TAXII as the
//     default. Further mounts (a console's assets, a JSON API) go on router() before Start,
//     without touching the transport; no mount may take a path below an API root's name;
//   - the access log, the sweeper of expired statuses, the sync runner, the feed runner
//     (scheduled feeds, sync/feed_runner.h: each writes as its user, checked against the
//     same grants as TAXII) and the HTTP server.
// Create builds everything and starts nothing; Start starts the sync and feed runners (unless
// `sync` is false), the sweeper, the search index's follower (store/index_follower.h) and the
// server; Stop stops them, the server first, so that requests in flight finish.
//
//   KZ_ASSIGN_OR_RETURN(std::unique_ptr<node::Node> node, node::Node::Create(config,
//   SystemClock())); KZ_RETURN_IF_ERROR(node->Start());
//   ... node->url() ...
//   node->Stop();
//
// Threads: Create and Start may start threads (the authenticator's, the runner's, the
// server's); a process that waits for signals blocks them before Create.
// Thread-safety: Create, Start and Stop from one controlling thread; the objects the
// accessors return are as thread-safe as their headers say.

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "kizuna/api/console_api.h"
#include "kizuna/api/console_assets.h"
#include "kizuna/api/console_endpoints.h"
#include "kizuna/api/export_api.h"
#include "kizuna/api/misp_feed_api.h"
#include "kizuna/api/search_api.h"
#include "kizuna/api/session_api.h"
#include "kizuna/api/session_store.h"
#include "kizuna/base/clock.h"
#include "kizuna/detect/allowlist.h"
#include "kizuna/http/line_sink.h"
#include "kizuna/http/router.h"
#include "kizuna/http/server.h"
#include "kizuna/node/config.h"
#include "kizuna/node/operations.h"
#include "kizuna/node/warninglists.h"
#include "kizuna/policy/policy.h"
#include "kizuna/search/searcher.h"
#include "kizuna/store/data_dir.h"
#include "kizuna/store/database.h"
#include "kizuna/store/index_follower.h"
#include "kizuna/store/status_sweeper.h"
#include "kizuna/sync/feed_runner.h"
#include "kizuna/sync/runner.h"
#include "kizuna/taxii/auth/grant_access_control.h"
#include "kizuna/taxii/auth/token_authenticator.h"
#include "kizuna/taxii/service.h"

namespace kizuna::node {

// The directories the console's files are looked for in, in order: `configured` alone when
// set, else the build tree's console directory and <prefix>/share/kizuna/console beside the
// running binary.
std::vector<std::string> ConsoleDirs(std::string_view configured);

class Node {
  struct Private {
    explicit Private() = default;
  };

 public:
  // Builds a node over the initialised data directory `config.data_dir` (`kizuna init`).
  // `clock` must outlive the node. Returns InvalidArgument for an empty data_dir,
  // FailedPrecondition when the directory holds no store, DataLoss when the store is damaged
  // (StartCheck) or the token key unreadable, Unavailable when the access log cannot be
  // opened, or the store's error creating an API root.
  static absl::StatusOr<std::unique_ptr<Node>> Create(NodeConfig config, Clock& clock);

  // Use Create.
  Node(Private, NodeConfig config, Clock& clock);
  ~Node();  // stops, if still running
  Node(const Node&) = delete;
  Node& operator=(const Node&) = delete;

  // Starts the sync runner (unless config.sync is false), the status sweeper and the HTTP
  // server. Returns FailedPrecondition when a mount takes a path below an API root, or the
  // server's error (http/server.h: the address cannot be bound, TLS files, limits); what was
  // started is stopped again then.
  absl::Status Start();
  // Stops the server (requests in flight are answered), the runner and the sweeper.
  // Idempotent.
  void Stop();

  // The port the server listens on (the one bound when config asked for port 0).
  // REQUIRES: Start() succeeded.
  uint16_t port() const;
  // The server's base URL, e.g. "https://127.0.0.1:8443" (IPv6 addresses in brackets).
  // REQUIRES: Start() succeeded.
  std::string url() const;

  const NodeConfig& config() const { return config_; }
  // Lines worth telling whoever started the node (a start check cut short by its budget).
  const std::vector<std::string>& notes() const { return notes_; }
  // Called (on the search index follower's thread) when the index cannot catch up, once per
  // error in a row (store/index_follower.h). Set before Start; default: nothing.
  void OnIndexError(std::function<void(const absl::Status&)> report) {
    index_error_ = std::move(report);
  }
  // Files of the data directory whose modes opening it tightened (store/open.h).
  const std::vector<store::ModeChange>& tightened() const { return tightened_; }

  store::Database& database() { return *database_; }
  policy::Policy& policy() { return *policy_; }
  taxii::Service& taxii() { return *taxii_; }
  // Mount handlers here before Start; they must outlive the node.
  http::Router& router() { return router_; }

 private:
  absl::Status Build();
  absl::Status BuildConsole();
  absl::Status CheckMounts();

  NodeConfig config_;
  Clock& clock_;
  std::vector<std::string> notes_;
  std::vector<store::ModeChange> tightened_;
  std::unique_ptr<store::Database> database_;
  std::unique_ptr<policy::Policy> policy_;
  std::unique_ptr<taxii::TokenAuthenticator> authenticator_;
  std::unique_ptr<taxii::GrantAccessControl> access_;
  std::unique_ptr<taxii::Service> taxii_;
  std::unique_ptr<Operations> operations_;
  detect::Allowlist warninglists_;  // read when the node starts (warninglists.h)
  std::unique_ptr<search::Searcher> searcher_;
  std::unique_ptr<api::SearchApi> search_api_;
  std::unique_ptr<api::SessionStore> sessions_;
  std::unique_ptr<api::SessionApi> session_api_;
  std::unique_ptr<api::ConsoleEndpoints> endpoints_;
  std::unique_ptr<api::ConsoleApi> console_api_;
  std::unique_ptr<api::ConsoleAssets> assets_;
  std::unique_ptr<api::ExportApi> export_api_;
  std::unique_ptr<api::MispFeedApi> misp_feed_api_;
  http::Router router_;
  std::unique_ptr<http::LineSink> access_log_;
  std::unique_ptr<sync::Runner> runner_;
  std::unique_ptr<sync::FeedRunner> feeds_;
  std::unique_ptr<store::StatusSweeper> sweeper_;
  std::unique_ptr<store::IndexFollower> index_follower_;  // catches the search index up
  std::function<void(const absl::Status&)> index_error_;
  std::unique_ptr<http::Server> server_;  // last: stops first
};

}  // namespace kizuna::node
