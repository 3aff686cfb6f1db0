// Kizuna.
#include "kizuna/node/config.h"

#include <yaml-cpp/yaml.h>

#include <functional>
#include <map>

#include "kizuna/base/file.h"
#include "kizuna/base/status.h"
#include "kizuna/base/strings.h"

namespace kizuna::node {
namespace {

// The longest duration in seconds a key accepts: ten years.
constexpr int64_t kMaxSeconds = int64_t{10} * 366 * 24 * 3600;
// The most status entries kept per list a node may be configured with.
constexpr size_t kMaxStatusDetails = 100'000;
// The most objects per envelope a node may be configured with.
constexpr size_t kMaxEnvelopeObjects = 10'000'000;

absl::Status Bad(std::string_view name, const YAML::Node& node, std::string_view key, std::string_view what) {
  return absl::InvalidArgumentError(StrCat(name, ":", node.Mark().line + 1, ": ", key, ": ", what));
}

// Reads scalar `node` as T; yaml-cpp reports conversion failures by exception, which stays here.
template <typename T>
absl::Status Scalar(std::string_view name, const YAML::Node& node, std::string_view key, T& out) {
  if (!node.IsScalar()) return Bad(name, node, key, "expected a single value");
  try {
    out = node.as<T>();
  } catch (const YAML::Exception&) {
    return Bad(name, node, key, std::is_same_v<T, bool> ? "expected true or false" : "expected a number");
  }
  return absl::OkStatus();
}

template <typename Rep, typename Period>
absl::Status Millis(std::string_view name, const YAML::Node& node, std::string_view key,
                    std::chrono::duration<Rep, Period>& out) {
  int64_t ms = 0;
  KZ_RETURN_IF_ERROR(Scalar(name, node, key, ms));
  if (ms <= 0) return Bad(name, node, key, "must be positive");
  out = std::chrono::milliseconds(ms);
  return absl::OkStatus();
}

// Reads a positive number of seconds into microseconds.
absl::Status Seconds(std::string_view name, const YAML::Node& node, std::string_view key, int64_t& out_us) {
  int64_t seconds = 0;
  KZ_RETURN_IF_ERROR(Scalar(name, node, key, seconds));
  if (seconds <= 0 || seconds > kMaxSeconds) return Bad(name, node, key, StrCat("must be 1..", kMaxSeconds));
  out_us = seconds * 1'000'000;
  return absl::OkStatus();
}

// Walks a mapping, calling the handler registered for each key; unknown keys are errors.
using Fields = std::map<std::string, std::function<absl::Status(const YAML::Node&)>>;
absl::Status Walk(std::string_view name, const YAML::Node& map, std::string_view where, const Fields& fields) {
  if (!map.IsMap()) return Bad(name, map, where, "expected a mapping of keys to values");
  for (const auto& item : map) {
    std::string key = item.first.as<std::string>();
    auto it = fields.find(key);
    if (it == fields.end()) {
      return Bad(name, item.first, StrCat(where, where.empty() ? "" : ".", key), "unknown key");
    }
    KZ_RETURN_IF_ERROR(it->second(item.second));
  }
  return absl::OkStatus();
}

absl::Status ApiRoots(std::string_view name, const YAML::Node& list, NodeConfig& c) {
  if (!list.IsSequence()) return Bad(name, list, "api_roots", "expected a list");
  for (const auto& item : list) {
    store::ApiRoot root;
    KZ_RETURN_IF_ERROR(Walk(name, item, "api_roots[]", {
        {"name", [&](const YAML::Node& n) { return Scalar(name, n, "name", root.name); }},
        {"title", [&](const YAML::Node& n) { return Scalar(name, n, "title", root.title); }},
        {"description", [&](const YAML::Node& n) { return Scalar(name, n, "description", root.description); }},
        {"max_content_length", [&](const YAML::Node& n) {
           return Scalar(name, n, "max_content_length", root.max_content_length);
         }},
    }));
    if (root.name.empty()) return Bad(name, item, "api_roots[].name", "required");
    if (root.title.empty()) root.title = root.name;
    c.api_roots.push_back(std::move(root));
  }
  return absl::OkStatus();
}

absl::Status Auth(std::string_view name, const YAML::Node& map, taxii::AuthenticatorOptions& a) {
  int64_t block_ms = a.per_client.block_us / 1000;
  KZ_RETURN_IF_ERROR(Walk(name, map, "auth", {
      {"max_failures_per_client", [&](const YAML::Node& n) {
         return Scalar(name, n, "auth.max_failures_per_client", a.per_client.max_failures);
       }},
      {"client_block_ms", [&](const YAML::Node& n) { return Scalar(name, n, "auth.client_block_ms", block_ms); }},
      {"max_tracked_clients", [&](const YAML::Node& n) {
         return Scalar(name, n, "auth.max_tracked_clients", a.per_client.max_keys);
       }},
      {"slow_checks_per_second", [&](const YAML::Node& n) {
         return Scalar(name, n, "auth.slow_checks_per_second", a.slow_checks.per_second);
       }},
      {"slow_check_burst", [&](const YAML::Node& n) {
         return Scalar(name, n, "auth.slow_check_burst", a.slow_checks.burst);
       }},
  }));
  if (a.per_client.max_failures < 1 || block_ms < 1 || a.per_client.max_keys < 1 || a.slow_checks.per_second <= 0 ||
      a.slow_checks.burst < 1) {
    return Bad(name, map, "auth", "every limit must be positive (slow_check_burst at least 1)");
  }
  a.per_client.block_us = block_ms * 1000;
  return absl::OkStatus();
}

absl::Status Apply(std::string_view name, const YAML::Node& doc, NodeConfig& c) {
  http::ServerOptions& s = c.server;
  taxii::ServiceOptions& v = c.service;
  return Walk(
      name, doc, "",
      {
          {"data_dir",
           [&](const YAML::Node& n) { return Scalar(name, n, "data_dir", c.data_dir); }},
          {"store", [&](const YAML::Node& n) { return Scalar(name, n, "store", c.store); }},
          {"access_log",
           [&](const YAML::Node& n) { return Scalar(name, n, "access_log", c.access_log); }},
          {"public_url",
           [&](const YAML::Node& n) { return Scalar(name, n, "public_url", v.public_url); }},
          {"threads", [&](const YAML::Node& n) { return Scalar(name, n, "threads", s.threads); }},
          {"write_threads",
           [&](const YAML::Node& n) { return Scalar(name, n, "write_threads", s.write_threads); }},
          {"metrics_public",
           [&](const YAML::Node& n) {
             return Scalar(name, n, "metrics_public", c.operations.metrics_public);
           }},
          {"listen",
           [&](const YAML::Node& n) {
             return Walk(
                 name, n, "listen",
                 {
                     {"address",
                      [&](const YAML::Node& m) {
                        return Scalar(name, m, "listen.address", s.address);
                      }},
                     {"port",
                      [&](const YAML::Node& m) { return Scalar(name, m, "listen.port", s.port); }},
                 });
           }},
          {"tls",
           [&](const YAML::Node& n) {
             return Walk(
                 name, n, "tls",
                 {
                     {"enabled",
                      [&](const YAML::Node& m) { return Scalar(name, m, "tls.enabled", s.tls); }},
                     {"cert",
                      [&](const YAML::Node& m) {
                        return Scalar(name, m, "tls.cert", s.tls_cert_file);
                      }},
                     {"key",
                      [&](const YAML::Node& m) {
                        return Scalar(name, m, "tls.key", s.tls_key_file);
                      }},
                     {"client_ca",
                      [&](const YAML::Node& m) {
                        return Scalar(name, m, "tls.client_ca", s.tls_client_ca_file);
                      }},
                 });
           }},
          {"limits",
           [&](const YAML::Node& n) {
             return Walk(
                 name, n, "limits",
                 {
                     {"max_header_bytes",
                      [&](const YAML::Node& m) {
                        return Scalar(name, m, "limits.max_header_bytes", s.max_header_bytes);
                      }},
                     {"request_timeout_ms",
                      [&](const YAML::Node& m) {
                        return Millis(name, m, "limits.request_timeout_ms", s.request_timeout);
                      }},
                     {"idle_timeout_ms",
                      [&](const YAML::Node& m) {
                        return Millis(name, m, "limits.idle_timeout_ms", s.idle_timeout);
                      }},
                     {"shutdown_grace_ms",
                      [&](const YAML::Node& m) {
                        return Millis(name, m, "limits.shutdown_grace_ms", s.shutdown_grace);
                      }},
                     {"max_connections",
                      [&](const YAML::Node& m) {
                        return Scalar(name, m, "limits.max_connections", s.max_connections);
                      }},
                     {"max_connections_per_client",
                      [&](const YAML::Node& m) {
                        return Scalar(name, m, "limits.max_connections_per_client",
                                      s.max_connections_per_client);
                      }},
                     {"reserved_connections",
                      [&](const YAML::Node& m) {
                        return Scalar(name, m, "limits.reserved_connections",
                                      s.reserved_connections);
                      }},
                     {"max_pending_writes",
                      [&](const YAML::Node& m) {
                        return Scalar(name, m, "limits.max_pending_writes", s.max_pending_writes);
                      }},
                     {"default_page",
                      [&](const YAML::Node& m) {
                        return Scalar(name, m, "limits.default_page", v.pages.default_limit);
                      }},
                     {"max_page",
                      [&](const YAML::Node& m) {
                        return Scalar(name, m, "limits.max_page", v.pages.max_limit);
                      }},
                     {"max_match_values",
                      [&](const YAML::Node& m) {
                        return Scalar(name, m, "limits.max_match_values", v.pages.max_match_values);
                      }},
                     {"max_content_length",
                      [&](const YAML::Node& m) {
                        return Scalar(name, m, "limits.max_content_length",
                                      v.default_max_content_length);
                      }},
                     {"max_envelope_objects",
                      [&](const YAML::Node& m) {
                        return Scalar(name, m, "limits.max_envelope_objects",
                                      v.max_envelope_objects);
                      }},
                 });
           }},
          {"statuses",
           [&](const YAML::Node& n) {
             return Walk(
                 name, n, "statuses",
                 {
                     {"max_details",
                      [&](const YAML::Node& m) {
                        return Scalar(name, m, "statuses.max_details", v.max_status_details);
                      }},
                     {"retention_s",
                      [&](const YAML::Node& m) {
                        return Seconds(name, m, "statuses.retention_s", v.status_retention_us);
                      }},
                 });
           }},
          {"discovery",
           [&](const YAML::Node& n) {
             return Walk(name, n, "discovery",
                         {
                             {"title",
                              [&](const YAML::Node& m) {
                                return Scalar(name, m, "discovery.title", v.title);
                              }},
                             {"description",
                              [&](const YAML::Node& m) {
                                return Scalar(name, m, "discovery.description", v.description);
                              }},
                             {"contact",
                              [&](const YAML::Node& m) {
                                return Scalar(name, m, "discovery.contact", v.contact);
                              }},
                             {"default_api_root",
                              [&](const YAML::Node& m) {
                                return Scalar(name, m, "discovery.default_api_root",
                                              v.default_api_root);
                              }},
                         });
           }},
          {"auth", [&](const YAML::Node& n) { return Auth(name, n, c.auth); }},
          {"console",
           [&](const YAML::Node& n) {
             return Walk(name, n, "console",
                         {
                             {"dir",
                              [&](const YAML::Node& m) {
                                return Scalar(name, m, "console.dir", c.console.dir);
                              }},
                             {"idle_timeout_s",
                              [&](const YAML::Node& m) {
                                return Seconds(name, m, "console.idle_timeout_s",
                                               c.console.sessions.idle_timeout_us);
                              }},
                             {"absolute_timeout_s",
                              [&](const YAML::Node& m) {
                                return Seconds(name, m, "console.absolute_timeout_s",
                                               c.console.sessions.absolute_timeout_us);
                              }},
                             {"max_import_bytes",
                              [&](const YAML::Node& m) {
                                return Scalar(name, m, "console.max_import_bytes",
                                              c.console.max_import_bytes);
                              }},
                         });
           }},
          {"api_roots", [&](const YAML::Node& n) { return ApiRoots(name, n, c); }},
      });
}

absl::Status Check(std::string_view name, const NodeConfig& c) {
  const taxii::ServiceOptions& v = c.service;
  if (v.pages.default_limit < 1 || v.pages.max_limit < v.pages.default_limit || v.pages.max_limit > store::kMaxPageLimit) {
    return absl::InvalidArgumentError(StrCat(name, ": limits: need 1 <= default_page <= max_page <= ", store::kMaxPageLimit));
  }
  if (v.default_max_content_length < 1024) {
    return absl::InvalidArgumentError(StrCat(name, ": limits.max_content_length: at least 1024 octets"));
  }
  if (v.max_envelope_objects < 1 || v.max_envelope_objects > kMaxEnvelopeObjects) {
    return absl::InvalidArgumentError(StrCat(name, ": limits.max_envelope_objects: must be 1..", kMaxEnvelopeObjects));
  }
  if (v.max_status_details > kMaxStatusDetails) {
    return absl::InvalidArgumentError(StrCat(name, ": statuses.max_details: at most ", kMaxStatusDetails));
  }
  if (c.server.max_header_bytes < 1024) {
    return absl::InvalidArgumentError(StrCat(name, ": limits.max_header_bytes: at least 1024"));
  }
  if (c.console.max_import_bytes < 1024 || c.console.max_import_bytes > (uint64_t{1} << 30)) {
    return absl::InvalidArgumentError(StrCat(name, ": console.max_import_bytes: must be 1024..", uint64_t{1} << 30));
  }
  const http::ServerOptions& s = c.server;
  if (s.reserved_connections >= s.max_connections) {
    return absl::InvalidArgumentError(StrCat(name, ": limits.reserved_connections: must be less than max_connections (",
                                             s.max_connections, ")"));
  }
  if (s.max_connections_per_client < 1 || s.max_pending_writes < 1 || s.write_threads < 1) {
    return absl::InvalidArgumentError(
        StrCat(name, ": limits.max_connections_per_client, limits.max_pending_writes and write_threads: at least 1"));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<NodeConfig> ParseConfig(std::string_view text, std::string_view name) {
  NodeConfig config;
  YAML::Node doc;
  try {
    doc = YAML::Load(std::string(text));
  } catch (const YAML::ParserException& e) {
    return absl::InvalidArgumentError(StrCat(name, ":", e.mark.line + 1, ":", e.mark.column + 1, ": ", e.msg));
  }
  if (doc.IsNull()) return config;  // an empty file: all defaults
  try {
    KZ_RETURN_IF_ERROR(Apply(name, doc, config));
  } catch (const YAML::Exception& e) {
    return absl::InvalidArgumentError(StrCat(name, ":", e.mark.line + 1, ": ", e.msg));
  }
  KZ_RETURN_IF_ERROR(Check(name, config));
  return config;
}

absl::StatusOr<NodeConfig> LoadConfig(const std::string& path) {
  KZ_ASSIGN_OR_RETURN(simdjson::padded_string text, ReadFile(path, 1 << 20));
  return ParseConfig(std::string_view(text), path);
}

}  // namespace kizuna::node
