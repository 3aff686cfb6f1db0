// Kizuna. The Directory's public methods: argument checks, audit events, then the hooks.
#include "kizuna/store/directory.h"

#include <boost/json.hpp>

#include "kizuna/base/json_string.h"
#include "kizuna/base/status.h"
#include "kizuna/base/strings.h"
#include "kizuna/identity/nation.h"
#include "kizuna/identity/roles.h"
#include "kizuna/stix/id.h"
#include "kizuna/stix/timestamp.h"

namespace kizuna::store {
namespace {

bool AllOf(std::string_view s, bool (*ok)(char)) {
  for (char c : s) {
    if (!ok(c)) return false;
  }
  return true;
}

bool UserChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
         c == '_' || c == '@' || c == '-';
}
bool GroupChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
}
bool TokenIdChar(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }
bool PrintableChar(char c) { return static_cast<unsigned char>(c) >= 0x20 && c != 0x7f; }

absl::Status CheckName(std::string_view what, std::string_view name, bool (*ok)(char),
                       std::string_view allowed) {
  if (name.empty() || name.size() > kMaxPrincipalNameBytes || !AllOf(name, ok)) {
    return absl::InvalidArgumentError(
        StrCat(what, " name '", name, "' is not 1-", kMaxPrincipalNameBytes, " of ", allowed));
  }
  return absl::OkStatus();
}

absl::Status CheckUserName(std::string_view name) {
  return CheckName("user", name, UserChar, "[A-Za-z0-9._@-]");
}

// The audit log's actors that are not users: a user of that name would act as them there.
absl::Status CheckNewUserName(std::string_view name) {
  if (name == "cli" || name == "anonymous") {
    return absl::InvalidArgumentError(StrCat("user name '", name, "' is reserved: the audit log's actor for ",
                                             name == "cli" ? "the command line" : "unauthenticated clients"));
  }
  return CheckUserName(name);
}
absl::Status CheckGroupName(std::string_view name) {
  return CheckName("group", name, GroupChar, "[a-z0-9._-]");
}

absl::Status CheckText(std::string_view what, std::string_view text, size_t max_bytes) {
  if (text.size() > max_bytes) {
    return absl::InvalidArgumentError(StrCat(what, " is longer than ", max_bytes, " bytes"));
  }
  if (!AllOf(text, PrintableChar)) {
    return absl::InvalidArgumentError(StrCat(what, " contains a control character"));
  }
  return absl::OkStatus();
}

absl::Status CheckActor(std::string_view actor) {
  if (actor.empty()) return absl::InvalidArgumentError("a change needs an actor");
  return CheckText("actor", actor, kMaxAuditFieldBytes);
}

absl::Status CheckOrganizationName(std::string_view name) {
  if (name.empty()) return absl::InvalidArgumentError("an organisation needs a name");
  KZ_RETURN_IF_ERROR(CheckText("organisation name", name, kMaxOrganizationNameBytes));
  if (name.front() == ' ' || name.back() == ' ') {
    return absl::InvalidArgumentError(StrCat("organisation name '", name, "' has outer spaces"));
  }
  if (name.starts_with("identity--")) {
    return absl::InvalidArgumentError(
        StrCat("organisation name '", name, "' looks like an identity id"));
  }
  return absl::OkStatus();
}

absl::Status CheckRoles(uint8_t roles) {
  if (roles == 0 || (roles & ~identity::kAllRoleBits) != 0) {
    return absl::InvalidArgumentError(
        "a user needs one or more roles of reader, publisher, org-admin, node-admin");
  }
  return absl::OkStatus();
}

absl::Status CheckTokenId(std::string_view id) {
  if (id.empty() || id.size() > kMaxPrincipalNameBytes || !AllOf(id, TokenIdChar)) {
    return absl::InvalidArgumentError(StrCat("'", id, "' is not a token id"));
  }
  return absl::OkStatus();
}

// The STIX identity object of an organisation created at `now_us`.
std::string IdentityJson(const Organization& org, int64_t now_us) {
  stix::Timestamp t;
  t.seconds = now_us / 1000000;
  t.nanos = static_cast<int32_t>(now_us % 1000000) * 1000;
  std::string ts = JsonString(stix::FormatTimestamp(t, 3));
  return StrCat(R"({"type":"identity","spec_version":"2.1","id":)", JsonString(org.id),
                R"(,"created":)", ts, R"(,"modified":)", ts, R"(,"name":)", JsonString(org.name),
                R"(,"identity_class":"organization","x_kizuna_nation":)", JsonString(org.nation),
                "}");
}

std::string Json(const boost::json::object& o) { return boost::json::serialize(o); }

boost::json::string_view JsonView(std::string_view s) { return {s.data(), s.size()}; }

std::string PermissionList(Permissions p) {
  if (p.read && p.write) return "read,write";
  return p.read ? "read" : (p.write ? "write" : "");
}

}  // namespace

absl::Status CheckAuditEvent(const AuditEvent& e) {
  KZ_RETURN_IF_ERROR(CheckActor(e.actor));
  if (e.action.empty()) return absl::InvalidArgumentError("an audit event needs an action");
  KZ_RETURN_IF_ERROR(CheckText("audit action", e.action, kMaxAuditFieldBytes));
  KZ_RETURN_IF_ERROR(CheckText("audit target", e.target, kMaxAuditFieldBytes));
  KZ_RETURN_IF_ERROR(CheckText("audit remote", e.remote, kMaxAuditFieldBytes));
  if (e.details.size() > kMaxAuditDetailsBytes) {
    return absl::InvalidArgumentError(
        StrCat("audit details are longer than ", kMaxAuditDetailsBytes, " bytes"));
  }
  boost::system::error_code ec;
  boost::json::value v = boost::json::parse(JsonView(e.details), ec);
  if (ec || !v.is_object()) {
    return absl::InvalidArgumentError(
        StrCat("audit details of '", e.action, "' are not a JSON object"));
  }
  return absl::OkStatus();
}

absl::Status Directory::Changed(absl::Status s) {
  if (s.ok()) local_changes_.fetch_add(1, std::memory_order_acq_rel);
  return s;
}

AuditEvent Directory::Event(std::string_view actor, std::string_view action,
                            std::string_view target, std::string details) const {
  AuditEvent e;
  e.time_us = clock_.NowMicros();
  e.actor = actor;
  e.action = action;
  e.target = target;
  e.details = std::move(details);
  return e;
}

absl::StatusOr<Organization> Directory::CreateOrganization(std::string_view actor,
                                                           NewOrganization request) {
  KZ_RETURN_IF_ERROR(CheckActor(actor));
  KZ_RETURN_IF_ERROR(CheckOrganizationName(request.name));
  if (!identity::IsNationCode(request.nation)) {
    return absl::InvalidArgumentError(
        StrCat("nation '", request.nation, "' is not an ISO 3166-1 alpha-3 code (e.g. JPN)"));
  }
  Organization org;
  org.id = request.id.empty() ? stix::NewId("identity", random_) : request.id;
  absl::StatusOr<stix::StixId> id = stix::ParseId(org.id);
  if (!id.ok() || id->type != "identity") {
    return absl::InvalidArgumentError(
        StrCat("organisation id '", org.id, "' is not an identity--<UUID> STIX id"));
  }
  org.name = std::move(request.name);
  org.nation = std::move(request.nation);
  org.partner = request.partner;
  org.created_us = clock_.NowMicros();
  org.identity_json = IdentityJson(org, org.created_us);
  AuditEvent event = Event(actor, "org.create", org.id,
                           Json({{"name", JsonView(org.name)},
                                 {"nation", JsonView(org.nation)},
                                 {"partner", org.partner}}));
  KZ_RETURN_IF_ERROR(Changed(DoCreateOrganization(org, event)));
  return org;
}

absl::StatusOr<std::vector<Organization>> Directory::ListOrganizations() {
  return DoListOrganizations();
}

absl::StatusOr<Organization> Directory::FindOrganization(std::string_view id_or_name) {
  KZ_ASSIGN_OR_RETURN(std::vector<Organization> all, DoListOrganizations());
  for (Organization& org : all) {
    if (org.id == id_or_name || org.name == id_or_name) return std::move(org);
  }
  return absl::NotFoundError(StrCat("organisation '", id_or_name, "' does not exist"));
}

absl::Status Directory::CreateGroup(std::string_view actor, std::string_view name) {
  KZ_RETURN_IF_ERROR(CheckActor(actor));
  KZ_RETURN_IF_ERROR(CheckGroupName(name));
  return Changed(DoCreateGroup(name, Event(actor, "group.create", name, "{}")));
}

absl::Status Directory::JoinGroup(std::string_view actor, std::string_view group,
                                  std::string_view org) {
  KZ_RETURN_IF_ERROR(CheckActor(actor));
  KZ_RETURN_IF_ERROR(CheckGroupName(group));
  KZ_ASSIGN_OR_RETURN(Organization o, FindOrganization(org));
  AuditEvent event = Event(actor, "group.join", group,
                           Json({{"organization", JsonView(o.id)}, {"name", JsonView(o.name)}}));
  return Changed(DoSetMembership(group, o.id, true, event));
}

absl::Status Directory::LeaveGroup(std::string_view actor, std::string_view group,
                                   std::string_view org) {
  KZ_RETURN_IF_ERROR(CheckActor(actor));
  KZ_RETURN_IF_ERROR(CheckGroupName(group));
  KZ_ASSIGN_OR_RETURN(Organization o, FindOrganization(org));
  AuditEvent event = Event(actor, "group.leave", group,
                           Json({{"organization", JsonView(o.id)}, {"name", JsonView(o.name)}}));
  return Changed(DoSetMembership(group, o.id, false, event));
}

absl::StatusOr<std::vector<Group>> Directory::ListGroups() { return DoListGroups(); }

absl::StatusOr<User> Directory::CreateUser(std::string_view actor, NewUser user) {
  KZ_RETURN_IF_ERROR(CheckActor(actor));
  KZ_RETURN_IF_ERROR(CheckNewUserName(user.name));
  KZ_RETURN_IF_ERROR(CheckRoles(user.roles));
  KZ_ASSIGN_OR_RETURN(Organization org, FindOrganization(user.organization));
  user.organization = org.id;
  std::string roles = identity::RoleList(user.roles);
  AuditEvent event = Event(actor, "user.create", user.name,
                           Json({{"organization", JsonView(org.id)}, {"roles", JsonView(roles)}}));
  absl::StatusOr<User> created = DoCreateUser(user, event.time_us, event);
  KZ_RETURN_IF_ERROR(Changed(created.status()));
  return created;
}

absl::StatusOr<std::vector<User>> Directory::ListUsers() { return DoListUsers(); }

absl::Status Directory::SetUserDisabled(std::string_view actor, std::string_view user,
                                        bool disabled) {
  KZ_RETURN_IF_ERROR(CheckActor(actor));
  KZ_RETURN_IF_ERROR(CheckUserName(user));
  AuditEvent event = Event(actor, disabled ? "user.disable" : "user.enable", user, "{}");
  return Changed(DoUpdateUser(user, disabled, std::nullopt, event));
}

absl::Status Directory::SetUserRoles(std::string_view actor, std::string_view user, uint8_t roles) {
  KZ_RETURN_IF_ERROR(CheckActor(actor));
  KZ_RETURN_IF_ERROR(CheckUserName(user));
  KZ_RETURN_IF_ERROR(CheckRoles(roles));
  std::string names = identity::RoleList(roles);
  AuditEvent event = Event(actor, "user.roles", user, Json({{"roles", JsonView(names)}}));
  return Changed(DoUpdateUser(user, std::nullopt, roles, event));
}

absl::Status Directory::UpdateUserKeepingAnAdmin(std::string_view actor, std::string_view user,
                                                 std::optional<bool> disabled, std::optional<uint8_t> roles) {
  KZ_RETURN_IF_ERROR(CheckActor(actor));
  KZ_RETURN_IF_ERROR(CheckUserName(user));
  if (!disabled && !roles) return absl::InvalidArgumentError("a user update needs a disabled flag or roles");
  std::vector<AuditEvent> events;
  if (roles) {
    KZ_RETURN_IF_ERROR(CheckRoles(*roles));
    std::string names = identity::RoleList(*roles);
    events.push_back(Event(actor, "user.roles", user, Json({{"roles", JsonView(names)}})));
  }
  if (disabled) events.push_back(Event(actor, *disabled ? "user.disable" : "user.enable", user, "{}"));
  return Changed(DoUpdateUserKeepingAnAdmin(user, disabled, roles, events));
}

absl::Status Directory::DoUpdateUserKeepingAnAdmin(std::string_view, std::optional<bool>, std::optional<uint8_t>,
                                                   std::span<const AuditEvent>) {
  return absl::UnimplementedError("this store cannot check the last administrator in the change's transaction");
}

absl::Status Directory::SetUserPassword(std::string_view actor, std::string_view user,
                                        std::string_view password_hash, uint8_t refused_roles) {
  KZ_RETURN_IF_ERROR(CheckActor(actor));
  KZ_RETURN_IF_ERROR(CheckUserName(user));
  if (!password_hash.empty() && !password_hash.starts_with("$argon2")) {
    return absl::InvalidArgumentError("a password needs an Argon2 hash");
  }
  KZ_RETURN_IF_ERROR(CheckText("password hash", password_hash, kMaxPasswordHashBytes));
  AuditEvent event = Event(actor, "user.passwd", user,
                           Json({{"cleared", password_hash.empty()}}));
  return Changed(DoSetUserPassword(user, password_hash, refused_roles, event));
}

absl::StatusOr<PasswordCredential> Directory::GetPasswordCredential(std::string_view user) {
  KZ_RETURN_IF_ERROR(CheckUserName(user));
  return DoGetPasswordCredential(user);
}

absl::StatusOr<Token> Directory::CreateToken(std::string_view actor, const NewToken& token) {
  KZ_RETURN_IF_ERROR(CheckActor(actor));
  KZ_RETURN_IF_ERROR(CheckTokenId(token.id));
  KZ_RETURN_IF_ERROR(CheckUserName(token.user));
  KZ_RETURN_IF_ERROR(CheckText("token label", token.label, kMaxTokenLabelBytes));
  if (!token.secret_hash.starts_with("$argon2")) {
    return absl::InvalidArgumentError("a token needs an Argon2 hash of its secret");
  }
  boost::json::object details{{"user", JsonView(token.user)}, {"label", JsonView(token.label)}};
  if (token.expires_us) details["expires"] = stix::FormatTaxii(*token.expires_us);
  AuditEvent event = Event(actor, "token.create", token.id, Json(details));
  if (token.expires_us && *token.expires_us <= event.time_us) {
    return absl::InvalidArgumentError("a token's expiry must be in the future");
  }
  absl::StatusOr<Token> created = DoCreateToken(token, event.time_us, event);
  KZ_RETURN_IF_ERROR(Changed(created.status()));
  return created;
}

absl::StatusOr<std::vector<Token>> Directory::ListTokens(std::string_view user) {
  return DoListTokens(user);
}

absl::Status Directory::RevokeToken(std::string_view actor, std::string_view token_id) {
  KZ_RETURN_IF_ERROR(CheckActor(actor));
  KZ_RETURN_IF_ERROR(CheckTokenId(token_id));
  AuditEvent event = Event(actor, "token.revoke", token_id, "{}");
  return Changed(DoRevokeToken(token_id, event.time_us, event));
}

absl::StatusOr<Credential> Directory::GetCredential(std::string_view token_id) {
  KZ_RETURN_IF_ERROR(CheckTokenId(token_id));
  return DoGetCredential(token_id);
}

absl::Status Directory::TouchToken(std::string_view token_id, int64_t used_us) {
  KZ_RETURN_IF_ERROR(CheckTokenId(token_id));
  return DoTouchToken(token_id, used_us);
}

namespace {

// `text` as 64 lowercase hex digits, dropping ':' separators; InvalidArgument otherwise.
absl::StatusOr<std::string> CertificateFingerprint(std::string_view text) {
  std::string out;
  for (char c : text.substr(0, 3 * kCertificateFingerprintChars)) {
    if (c == ':') continue;
    if (c >= 'A' && c <= 'F') c = static_cast<char>(c - 'A' + 'a');
    const bool hex = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
    out += hex ? c : '?';
  }
  if (out.size() != kCertificateFingerprintChars || out.find('?') != std::string::npos) {
    return absl::InvalidArgumentError(
        "certificate fingerprint: expected the SHA-256 of the certificate, 64 hex digits (':' between pairs allowed)");
  }
  return out;
}

}  // namespace

absl::StatusOr<UserCertificate> Directory::AddUserCertificate(std::string_view actor, std::string_view user,
                                                              std::string_view sha256, std::string_view label) {
  KZ_RETURN_IF_ERROR(CheckActor(actor));
  KZ_RETURN_IF_ERROR(CheckUserName(user));
  KZ_RETURN_IF_ERROR(CheckText("certificate label", label, kMaxTokenLabelBytes));
  UserCertificate certificate;
  KZ_ASSIGN_OR_RETURN(certificate.sha256, CertificateFingerprint(sha256));
  certificate.user = std::string(user);
  certificate.label = std::string(label);
  boost::json::object details{{"sha256", certificate.sha256}, {"label", JsonView(label)}};
  AuditEvent event = Event(actor, "user.cert.add", user, Json(details));
  certificate.created_us = event.time_us;
  absl::StatusOr<UserCertificate> added = DoAddUserCertificate(certificate, event);
  KZ_RETURN_IF_ERROR(Changed(added.status()));
  return added;
}

absl::Status Directory::RemoveUserCertificate(std::string_view actor, std::string_view sha256) {
  KZ_RETURN_IF_ERROR(CheckActor(actor));
  KZ_ASSIGN_OR_RETURN(std::string fingerprint, CertificateFingerprint(sha256));
  AuditEvent event = Event(actor, "user.cert.remove", fingerprint, "{}");
  return Changed(DoRemoveUserCertificate(fingerprint, event));
}

absl::StatusOr<std::vector<UserCertificate>> Directory::ListUserCertificates(std::string_view user) {
  if (!user.empty()) KZ_RETURN_IF_ERROR(CheckUserName(user));
  return DoListUserCertificates(user);
}

absl::StatusOr<CertificateCredential> Directory::GetCertificateCredential(std::string_view sha256) {
  KZ_ASSIGN_OR_RETURN(std::string fingerprint, CertificateFingerprint(sha256));
  return DoGetCertificateCredential(fingerprint);
}

absl::StatusOr<Grant> Directory::AddGrant(std::string_view actor, std::string_view collection_id,
                                          const Grantee& grantee, Permissions add) {
  KZ_RETURN_IF_ERROR(CheckActor(actor));
  if (!add.read && !add.write) return absl::InvalidArgumentError("grant read, write or both");
  return ChangeGrant(actor, "grant.add", collection_id, grantee, add, {});
}

absl::StatusOr<Grant> Directory::RemoveGrant(std::string_view actor, std::string_view collection_id,
                                             const Grantee& grantee, Permissions remove) {
  KZ_RETURN_IF_ERROR(CheckActor(actor));
  if (!remove.read && !remove.write)
    return absl::InvalidArgumentError("remove read, write or both");
  return ChangeGrant(actor, "grant.remove", collection_id, grantee, {}, remove);
}

absl::StatusOr<Grant> Directory::ChangeGrant(std::string_view actor, std::string_view action,
                                             std::string_view collection_id, const Grantee& grantee,
                                             Permissions add, Permissions remove) {
  Grantee resolved = grantee;
  boost::json::object details;
  if (grantee.kind == GranteeKind::kOrganization) {
    KZ_ASSIGN_OR_RETURN(Organization org, FindOrganization(grantee.name));
    resolved.name = org.id;
    details["organization"] = JsonView(org.id);
  } else {
    KZ_RETURN_IF_ERROR(CheckGroupName(grantee.name));
    details["group"] = JsonView(grantee.name);
  }
  if (add.read || add.write) details["add"] = PermissionList(add);
  if (remove.read || remove.write) details["remove"] = PermissionList(remove);
  AuditEvent event = Event(actor, action, collection_id, Json(details));
  absl::StatusOr<Grant> g = DoChangeGrant(collection_id, resolved, add, remove, event);
  KZ_RETURN_IF_ERROR(Changed(g.status()));
  return g;
}

absl::StatusOr<std::vector<Grant>> Directory::ListGrants(std::string_view collection_id) {
  return DoListGrants(collection_id);
}

absl::Status Directory::AppendAudit(std::span<const AuditEvent> events) {
  if (events.empty()) return absl::OkStatus();
  for (const AuditEvent& e : events) KZ_RETURN_IF_ERROR(CheckAuditEvent(e));
  bool stamp = false;
  for (const AuditEvent& e : events) stamp |= e.time_us == 0;
  if (!stamp) return DoAppendAudit(events);
  std::vector<AuditEvent> stamped(events.begin(), events.end());
  int64_t now = clock_.NowMicros();
  for (AuditEvent& e : stamped) {
    if (e.time_us == 0) e.time_us = now;
  }
  return DoAppendAudit(stamped);
}

namespace {

// An event of a TAXII object write on `collection_id`, with a `time_us` of 0.
AuditEvent ObjectEvent(std::string_view actor, std::string_view remote, std::string_view action,
                       std::string_view collection_id, std::string details) {
  AuditEvent event;
  event.actor = actor;
  event.action = action;
  event.target = collection_id;
  event.remote = remote;
  event.details = std::move(details);
  return event;
}

}  // namespace

AuditEvent ObjectsAddedEvent(std::string_view actor, std::string_view remote, std::string_view collection_id,
                             std::span<const std::string_view> object_ids) {
  boost::json::array ids;
  for (size_t i = 0; i < object_ids.size() && i < kMaxAuditedObjectIds; ++i) {
    ids.emplace_back(JsonView(object_ids[i]));
  }
  boost::json::object details{{"count", object_ids.size()}, {"ids", std::move(ids)}};
  if (object_ids.size() > kMaxAuditedObjectIds) details["ids_truncated"] = true;
  return ObjectEvent(actor, remote, "object.add", collection_id, Json(details));
}

AuditEvent ObjectsRejectedEvent(std::string_view actor, std::string_view action, std::string_view collection_id,
                                std::span<const std::pair<std::string_view, std::string_view>> rejected) {
  boost::json::array objects;
  for (size_t i = 0; i < rejected.size() && i < kMaxAuditedObjectIds; ++i) {
    objects.push_back(boost::json::object{{"id", JsonView(rejected[i].first)}, {"reason", JsonView(rejected[i].second)}});
  }
  boost::json::object details{{"count", rejected.size()}, {"objects", std::move(objects)}};
  if (rejected.size() > kMaxAuditedObjectIds) details["objects_truncated"] = true;
  return ObjectEvent(actor, "", action, collection_id, Json(details));
}

AuditEvent ObjectDeletedEvent(std::string_view actor, std::string_view remote, std::string_view organization,
                              std::string_view collection_id, std::string_view object_id,
                              int64_t versions_removed) {
  return ObjectEvent(actor, remote, "object.delete", collection_id,
                     Json({{"id", JsonView(object_id)},
                           {"versions", versions_removed},
                           {"organization", JsonView(organization)}}));
}

AuditEvent ObjectRevokedEvent(std::string_view actor, std::string_view remote, std::string_view organization,
                              std::string_view collection_id, std::string_view object_id,
                              std::string_view version) {
  return ObjectEvent(actor, remote, "object.revoke", collection_id,
                     Json({{"id", JsonView(object_id)},
                           {"version", JsonView(version)},
                           {"organization", JsonView(organization)}}));
}

absl::StatusOr<std::vector<AuditEvent>> Directory::ReadAudit(const AuditQuery& query) {
  if (query.limit < 1 || query.limit > kMaxAuditPage) {
    return absl::InvalidArgumentError(
        StrCat("audit page limit must be 1..", kMaxAuditPage, ", got ", query.limit));
  }
  return DoReadAudit(query);
}

absl::StatusOr<int64_t> Directory::ChangeVersion() { return DoChangeVersion(); }

}  // namespace kizuna::store
