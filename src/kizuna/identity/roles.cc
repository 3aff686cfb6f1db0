// Kizuna.
#include "kizuna/identity/roles.h"

namespace kizuna::identity {

std::optional<Role> ParseRole(std::string_view name) {
  for (Role role : kAllRoles) {
    if (RoleName(role) == name) return role;
  }
  return std::nullopt;
}

std::string_view RoleName(Role role) {
  switch (role) {
    case Role::kReader:
      return "reader";
    case Role::kPublisher:
      return "publisher";
    case Role::kOrgAdmin:
      return "org-admin";
    case Role::kNodeAdmin:
      return "node-admin";
    case Role::kPeer:
      return "peer";
  }
  return "unknown";
}

std::string RoleList(uint8_t roles, std::string_view separator) {
  std::string out;
  for (Role role : kAllRoles) {
    if ((roles & static_cast<uint8_t>(role)) == 0) continue;
    if (!out.empty()) out += separator;
    out += RoleName(role);
  }
  return out;
}

}  // namespace kizuna::identity
