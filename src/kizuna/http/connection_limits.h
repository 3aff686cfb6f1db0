// Kizuna. Which new connections the server admits: a total, a cap per client, a reserve.
#pragma once

// One client (client_key.h: an address, or an IPv6 /64) must not be able to take every
// connection the node has, or /healthz and every other client are refused. A connection is
// admitted when all of these hold:
//   - fewer than `max_connections` are open;
//   - its client has fewer than `max_per_client` open;
//   - more than `reserved` slots are free, or its client has none open: the last `reserved`
//     slots go to clients with no connection yet (a health check, another partner), so that
//     many clients each under their cap still cannot crowd out a newcomer.
// A refused connection is closed at once; nothing is counted for it.
//
// Thread-safety: none; the server calls it under its own lock.

#include <cstddef>
#include <string>
#include <string_view>

#include "absl/container/flat_hash_map.h"

namespace kizuna::http {

struct ConnectionLimitOptions {
  size_t max_connections = 1024;
  size_t max_per_client = 128;
  size_t reserved = 32;
};

class ConnectionLimits {
 public:
  explicit ConnectionLimits(ConnectionLimitOptions options) : options_(options) {}

  // Counts a new connection from `client` and returns true if it is admitted (see above);
  // returns false and counts nothing otherwise.
  bool Admit(std::string_view client);

  // Forgets one admitted connection of `client`. REQUIRES: Admit(client) returned true for it.
  void Release(std::string_view client);

  size_t open() const { return open_; }
  // Connections open from `client`.
  size_t OpenFrom(std::string_view client) const;

 private:
  const ConnectionLimitOptions options_;
  size_t open_ = 0;
  absl::flat_hash_map<std::string, size_t> per_client_;  // only clients with connections
};

}  // namespace kizuna::http
