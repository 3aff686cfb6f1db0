// Kizuna. The node's configuration file (YAML), field by field in docs/config.md.
#pragma once

// `kizuna serve --config kizuna.yaml` reads it; command-line flags override its fields.
// Unknown keys are errors (a typo must not silently fall back to a default), and every error
// names the key and the line.
// Thread-safety: values only.

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "kizuna/store/store.h"
#include "kizuna/taxii/auth/token_authenticator.h"
#include "kizuna/taxii/server/server.h"
#include "kizuna/taxii/service.h"

namespace kizuna::taxii {

struct NodeConfig {
  std::string data_dir;            // empty: the --data-dir / $KIZUNA_DATA default
  ServerOptions server;            // listen, TLS, threads, limits
  ServiceOptions service;          // discovery, pages, max_content_length, metrics
  AuthenticatorOptions auth;       // failed-login limits, slow-check budget
  std::vector<store::ApiRoot> api_roots;  // created at start when missing
  std::string access_log = "-";    // "-" standard error, a file path, or "" for none
};

// Parses YAML `text` (named `name` in errors). Returns InvalidArgument naming the key and
// line of the first problem.
absl::StatusOr<NodeConfig> ParseConfig(std::string_view text, std::string_view name);

// Reads and parses the file at `path`.
absl::StatusOr<NodeConfig> LoadConfig(const std::string& path);

}  // namespace kizuna::taxii
