// Kizuna. What the transport asks of whatever answers requests below one mount.
#pragma once

// A Handler is mounted on a Router (router.h): the TAXII service, the node's operations
// endpoints, and later the console's assets and a JSON API. The server asks the handler of a
// request, before reading its body, how large a body it accepts and whether the request
// writes; then it calls Serve, on an event loop for reads and on the write threads for
// writes. The transport refuses content codings and drops the body of an answer to HEAD
// itself (router.h, Dispatch), so handlers answer HEAD as they answer GET and only see
// bodies without a content coding.
//
//   class Assets : public http::Handler {
//    public:
//     std::shared_ptr<const http::Response> Serve(const http::Request& r, http::RequestInfo& info)
//     override;
//   };
//   router.Prefix("/console/", assets);
//
// Thread-safety: implementations must be safe for concurrent calls of every method.

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "kizuna/http/message.h"

namespace kizuna::http {

// The body limit of requests that do not name one (Handler::MaxBody). Default 1 MiB.
inline constexpr uint64_t kDefaultMaxBodyBytes = 1 << 20;

// What a handler tells the server about a request it answered, for the access log.
struct RequestInfo {
  std::string_view endpoint = "other";  // a label that outlives the server (a literal)
  std::string user;                     // the authenticated user, empty when none
};

// The largest request body a handler accepts, and the name its 413 gives that limit.
struct BodyLimit {
  uint64_t bytes = kDefaultMaxBodyBytes;
  std::string_view name = "the body limit";  // a literal, e.g. "max_content_length"
};

class Handler {
 public:
  virtual ~Handler() = default;

  // Returns the answer to `request` (HEAD arrives as itself; answer it as GET). The answer
  // may be shared with a cache. Never throws: failures are answers (5xx). `info` receives
  // the endpoint and user for the access log.
  virtual std::shared_ptr<const Response> Serve(const Request& request, RequestInfo& info) = 0;

  // Returns the largest body accepted for `head` (the request without its body); the server
  // refuses a larger one with 413 before reading it. Default: kDefaultMaxBodyBytes.
  virtual BodyLimit MaxBody(const Request& head);

  // Returns whether `head` writes: the server runs such requests on its write threads,
  // apart from the event loops that serve reads. Default: POST and DELETE.
  virtual bool Writes(const Request& head);

  // Returns the answer to a request refused before Serve (malformed, too large, in a content
  // coding, too many writes waiting), in this handler's error format. Default: JSON
  // {"status": 413, "description": "..."} as application/json.
  virtual Response Error(int status, std::string_view description);
};

}  // namespace kizuna::http
