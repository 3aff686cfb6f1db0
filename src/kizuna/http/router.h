// Kizuna. The router: which handler answers a request, by its path.
#pragma once

// A node serves several things on one listener: TAXII's discovery resource and API roots at
// the top level, its operations endpoints (/healthz, /metrics), and later a console and a
// JSON API. Each is a Handler (handler.h) mounted on the Router:
//   - Exact("/healthz", h): that path only;
//   - Prefix("/console/", h): every path that starts with the prefix (which ends in '/', so
//     "/api/" never takes "/apiary"); of several matching prefixes the longest wins;
//   - Default(h): every path no other mount takes.
// An exact mount wins over any prefix. With nothing mounted for a path the router answers
// 404. Paths are matched as sent, before percent-decoding, while a default handler may
// decode them (TAXII reads "/%63onsole/" as the API root "console"): so nothing the default
// serves may share its name with another mount, which is why node::Node refuses a mount
// below an API root's name (node/node.h).
//
//   http::Router router;
//   KZ_RETURN_IF_ERROR(router.Exact("/healthz", operations));
//   router.Default(taxii);
//   KZ_ASSIGN_OR_RETURN(auto server, http::Server::Start(router, options));
//
// Thread-safety: mount before serving; after that every const method is safe concurrently.

#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "kizuna/http/handler.h"
#include "kizuna/http/message.h"

namespace kizuna::http {

class Router {
 public:
  Router();
  ~Router();
  Router(const Router&) = delete;
  Router& operator=(const Router&) = delete;

  // Mounts `handler` (which must outlive the router) at exactly `path`. Returns
  // InvalidArgument for a path that does not start with '/' or holds '?', AlreadyExists for
  // a path mounted already.
  absl::Status Exact(std::string path, Handler& handler);
  // Mounts `handler` at every path starting with `prefix`. Returns InvalidArgument unless
  // the prefix starts and ends with '/' (and is not "/" alone: that is Default) and holds no
  // '?', AlreadyExists for a prefix mounted already.
  absl::Status Prefix(std::string prefix, Handler& handler);
  // Mounts `handler` for every path no other mount takes (replacing an earlier default).
  void Default(Handler& handler);

  // Returns the handler for `path` (exact, else the longest prefix, else the default); never
  // fails: with nothing mounted there, a handler that answers 404.
  Handler& Find(std::string_view path) const;
  // The default handler, or the one that answers 404: the error format of requests refused
  // before their path is known.
  Handler& Fallback() const;
  // The mounted paths and prefixes, in mounting order (the default is not among them).
  std::vector<std::string> Mounts() const;

  // Serves `request` with the handler of its path, as the server does (Dispatch).
  std::shared_ptr<const Response> Serve(const Request& request, RequestInfo& info) const;

 private:
  class NotFound;

  std::unique_ptr<NotFound> not_found_;
  Handler* default_ = nullptr;
  absl::flat_hash_map<std::string, Handler*> exact_;
  std::vector<std::pair<std::string, Handler*>> prefixes_;  // longest first
  std::vector<std::string> mounts_;
};

// Serves `request` with `handler` as every mount is served: a request whose Content-Encoding
// is not identity is answered 415 with "Accept-Encoding: identity" in the handler's error
// format (the transport decodes no content coding); HEAD is served by the handler as GET and
// answered with that answer's status and headers, no body, and head_content_length set to
// the GET body's length. Otherwise returns the handler's answer.
std::shared_ptr<const Response> Dispatch(Handler& handler, const Request& request,
                                         RequestInfo& info);

}  // namespace kizuna::http
