// Kizuna.
#include "kizuna/identity/principal.h"

#include "kizuna/base/strings.h"

namespace kizuna::identity {

Principal UserPrincipal(std::string user, std::string organization, std::string nation,
                        std::vector<std::string> groups, uint8_t roles) {
  Principal p;
  p.user = std::move(user);
  p.organization = std::move(organization);
  p.nation = std::move(nation);
  p.groups = std::move(groups);
  p.roles = roles;
  return p;
}

Principal PeerPrincipal(std::string_view peer_name, std::string organization, std::string nation,
                        std::vector<std::string> communities) {
  return UserPrincipal(StrCat("peer:", peer_name), std::move(organization), std::move(nation), std::move(communities),
                       static_cast<uint8_t>(Role::kPeer));
}

Principal OperatorPrincipal() {
  Principal p;
  p.user = "cli";
  p.node_operator = true;
  return p;
}

}  // namespace kizuna::identity
