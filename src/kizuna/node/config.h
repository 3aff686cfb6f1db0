// Kizuna. The node's configuration file (YAML), field by field in docs/config.md.
#pragma once

// `kizuna serve --config kizuna.yaml` reads it; command-line flags override its fields, and
// a few fields are set by flags only. Unknown keys are errors (a typo must not silently fall
// back to a default), and every error names the key and the line. node::Node is built from
// a NodeConfig (node.h).
// Thread-safety: values only.

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "kizuna/api/session_store.h"
#include "kizuna/http/server.h"
#include "kizuna/node/operations.h"
#include "kizuna/sync/feed_runner.h"
#include "kizuna/store/store.h"
#include "kizuna/taxii/auth/token_authenticator.h"
#include "kizuna/taxii/service.h"

namespace kizuna::node {

// The default budget of the start check: SQLite's quick check of a 1 GB store takes about 3 s
// from the page cache and 10 s from disk (docs/formats/store.md, "Checks"), so a store of about
// 3 GB is checked whole even from a cold disk; a larger one as far as the budget goes.
inline constexpr double kDefaultStartCheckSeconds = 30;

// The web console (docs/console.md): its files and its sign-in sessions.
struct ConsoleOptions {
  // The directory of the console's files (index.html, app.js, ...). Empty: the build tree's
  // console directory, else <prefix>/share/kizuna/console beside the installed binary; no
  // index.html there turns the console's files off (the JSON API stays).
  std::string dir;
  api::SessionOptions sessions;  // idle_timeout_s, absolute_timeout_s
  // The largest file `POST /api/v1/collections/{id}/import` accepts. Default 16 MiB.
  uint64_t max_import_bytes = uint64_t{16} << 20;
};

struct NodeConfig {
  std::string data_dir;                  // empty: the --data-dir / $KIZUNA_DATA default
  // A PostgreSQL database (postgresql://...) as the store, for several processes on one
  // database (docs/deploy.md); empty: the one the data directory records, else its SQLite
  // file. The data directory keeps the keys every process of the node must share.
  std::string store;
  http::ServerOptions server;            // listen, TLS, threads, limits
  taxii::ServiceOptions service;         // discovery, pages, max_content_length, statuses
  OperationsOptions operations;          // metrics_public
  taxii::AuthenticatorOptions auth;      // failed-login limits, slow-check budget
  std::vector<store::ApiRoot> api_roots;  // created at start when missing
  ConsoleOptions console;
  std::string access_log = "-";          // "-" standard error, a file path, or "" for none
  // Flags only (not keys of the file):
  // Whether the node syncs with its peers (`kizuna serve --no-sync` turns it off; `kizuna
  // sync run --once` still does). Default true.
  bool sync = true;
  // The scheduled feeds' runner (started with sync): how often it looks, its backoff.
  sync::FeedRunnerOptions feeds;
  // Seconds SQLite's quick check of the store may take before the node serves it (0: no
  // check); a damaged store is refused. Default kDefaultStartCheckSeconds.
  double start_check_s = kDefaultStartCheckSeconds;
};

// Parses YAML `text` (named `name` in errors). Returns InvalidArgument naming the key and
// line of the first problem.
absl::StatusOr<NodeConfig> ParseConfig(std::string_view text, std::string_view name);

// Reads and parses the file at `path`.
absl::StatusOr<NodeConfig> LoadConfig(const std::string& path);

}  // namespace kizuna::node
