// Kizuna. Role names as users and the command line write them.
#pragma once

// The roles of Role are written "reader", "publisher", "org-admin", "node-admin" and
// "peer"
// (in `kizuna admin user add --role`, in JSON output and in the audit log).
// Thread-safety: stateless.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "kizuna/identity/principal.h"

namespace kizuna::identity {

// Every role, lowest bit first.
inline constexpr Role kAllRoles[] = {Role::kReader, Role::kPublisher, Role::kOrgAdmin,
                                     Role::kNodeAdmin, Role::kPeer};

// The bit set with every role.
inline constexpr uint8_t kAllRoleBits = 0x1f;

// Returns the role written `name`, or nullopt if there is none.
std::optional<Role> ParseRole(std::string_view name);

// Returns the written name of `role`.
std::string_view RoleName(Role role);

// Returns the names of the roles in bit set `roles`, lowest bit first, joined by `separator`
// ("reader,publisher"); an empty string for no roles.
std::string RoleList(uint8_t roles, std::string_view separator = ",");

}  // namespace kizuna::identity
