// Kizuna.
#include "kizuna/http/connection_limits.h"

#include "kizuna/base/strings.h"

namespace kizuna::http {

bool ConnectionLimits::Admit(std::string_view client) {
  if (open_ >= options_.max_connections) return false;
  const size_t mine = OpenFrom(client);
  if (mine >= options_.max_per_client) return false;
  const size_t free = options_.max_connections - open_;
  if (free <= options_.reserved && mine > 0) return false;
  ++per_client_[std::string(client)];
  ++open_;
  return true;
}

void ConnectionLimits::Release(std::string_view client) {
  auto it = per_client_.find(AbslView(client));
  if (it == per_client_.end()) return;
  if (--it->second == 0) per_client_.erase(it);
  --open_;
}

size_t ConnectionLimits::OpenFrom(std::string_view client) const {
  auto it = per_client_.find(AbslView(client));
  return it == per_client_.end() ? 0 : it->second;
}

}  // namespace kizuna::http
