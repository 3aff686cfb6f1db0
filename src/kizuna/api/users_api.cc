// Kizuna. /api/v1/users: an organisation's users and tokens, managed by its administrators
// (a node administrator's: any organisation's).
//
// GET    users[?organization=ID]  -> {"organization": {"id", "name", "nation"}, "organizations":
//        [...] (those the caller manages), "users": [{"name", "organization", "roles",
//        "disabled", "created", "last_used", "tokens": [{"id", "user", "label", "created",
//        "expires", "revoked", "last_used"}]}]}; never a secret or a hash
// POST   users {"name", "roles": [...], "organization"?}    -> 201 the user
// POST   users/{name} {"disabled"?: bool, "roles"?: [...]}  -> 200 the user
// POST   users/{name}/tokens {"label"?, "expires_in_days"?}  -> 201 the token, with "token": its
//        text, shown this once (the token is the named user's, with that user's roles)
// DELETE users/{name}/tokens/{id}                            -> 204
// POST   users/{name}/password {"password"?} -> 200 {"password"}, a new random one shown once,
//        when none is given; 204 when the administrator sets it
// Who may do what (docs/access.md, "Organisation administrators"):
//   - a node administrator in every organisation, with every role; an organisation
//     administrator in its own organisation only, granting reader, publisher and org-admin
//     (what its own role includes: docs/access.md), never node-admin or peer; anyone else
//     gets 403 (partners' accounts get theirs from ConsoleApi);
//   - a user of another organisation answers as one that does not exist: 404, same words;
//   - an organisation administrator cannot act on a user who holds a role it may not grant
//     (a node administrator or a partner's account of its organisation): 403;
//   - nobody disables or demotes the last enabled administrator (org-admin or node-admin, not
//     a partner's account) of an organisation: 409, checked in the change's own transaction
//     (store::Directory::UpdateUserKeepingAnAdmin), so concurrent changes cannot both pass.
// Every change is audited by the directory (actor, action, target); every refusal as
// "user.refuse" (target: the name asked; details: what was tried and the answer's status).
#include <algorithm>
#include <array>
#include <boost/json.hpp>

#include "absl/container/flat_hash_map.h"
#include "kizuna/api/answer.h"
#include "kizuna/api/console_endpoints.h"
#include "kizuna/api/password.h"
#include "kizuna/base/digest.h"
#include "kizuna/base/random.h"
#include "kizuna/base/status.h"
#include "kizuna/base/strings.h"
#include "kizuna/identity/roles.h"
#include "kizuna/stix/timestamp.h"
#include "kizuna/taxii/auth/token.h"
#include "kizuna/taxii/errors.h"
#include "kizuna/taxii/query.h"

namespace kizuna::api {
namespace {

using identity::Role;

constexpr uint8_t Bit(Role r) { return static_cast<uint8_t>(r); }
// What an organisation administrator may grant: its own role and those it includes.
constexpr uint8_t kOrgGrantable = Bit(Role::kReader) | Bit(Role::kPublisher) | Bit(Role::kOrgAdmin);
// The longest lifetime of a token issued here, in days.
constexpr int64_t kMaxTokenDays = 3650;
constexpr int64_t kDayUs = int64_t{86'400} * 1'000'000;
// Random bytes of a generated password (24 characters of base64url).
constexpr size_t kGeneratedPasswordBytes = 18;
// The longest target name a refusal's audit event keeps.
constexpr size_t kMaxAuditedName = 128;
constexpr std::string_view kShownOnce = "shown once and cannot be shown again: store it now";

boost::json::value OptionalTime(std::optional<int64_t> us) {
  if (!us) return nullptr;
  return boost::json::value(stix::FormatTaxii(*us));
}

int HttpStatus(const absl::Status& s) {
  return absl::IsFailedPrecondition(s) ? 409 : taxii::HttpStatusOf(s.code());
}

std::string NoUser(std::string_view name) { return StrCat("no user '", name, "'"); }

// The request's body as a JSON object; nullopt when it is not one.
std::optional<boost::json::object> BodyObject(const http::Request& request) {
  boost::json::error_code ec;
  boost::json::value body = boost::json::parse(request.body, ec);
  if (ec || !body.is_object()) return std::nullopt;
  return std::move(body.as_object());
}

std::string_view StringOf(const boost::json::value* v) {
  return v != nullptr && v->is_string() ? std::string_view(v->as_string()) : std::string_view();
}

// The role bits of `value`, a non-empty list of role names.
absl::StatusOr<uint8_t> RolesOf(const boost::json::value& value) {
  if (!value.is_array() || value.as_array().empty() ||
      value.as_array().size() > std::size(identity::kAllRoles)) {
    return absl::InvalidArgumentError("roles must be a list of 1 to 5 role names");
  }
  uint8_t roles = 0;
  for (const boost::json::value& v : value.as_array()) {
    std::optional<Role> r = v.is_string() ? identity::ParseRole(v.as_string()) : std::nullopt;
    if (!r) return absl::InvalidArgumentError(StrCat("roles: '", StringOf(&v), "' is not a role"));
    roles |= Bit(*r);
  }
  return roles;
}

// One request to /api/v1/users..., with what its caller may do.
class UserAdmin {
 public:
  UserAdmin(const ApiCall& call, store::Directory& directory, Clock& clock)
      : call_(call), who_(call.principal), directory_(directory), clock_(clock) {
    node_admin_ = who_.Has(Role::kNodeAdmin);
    grantable_ = node_admin_ ? identity::kAllRoleBits : kOrgGrantable;
  }

  http::Response List();
  http::Response Create();
  http::Response Update(std::string_view name);
  http::Response IssueToken(std::string_view name);
  http::Response RevokeToken(std::string_view name, std::string_view token_id);
  http::Response ResetPassword(std::string_view name);

 private:
  // The organisation `id_or_name` when the caller manages it; NotFound, the same as for
  // one that does not exist, otherwise.
  absl::StatusOr<store::Organization> Managed(std::string_view id_or_name);
  // The user `name` when the caller may act on it: NotFound for one that does not exist or
  // is of another organisation; PermissionDenied when it holds a role the caller may not
  // grant.
  absl::StatusOr<store::User> Target(std::string_view name);
  // PermissionDenied unless the caller may grant every role of `roles`.
  absl::Status MayGrant(uint8_t roles) const;
  // Audits the refusal of `what` on `target` and answers it.
  http::Response Refuse(std::string_view what, std::string_view target, const absl::Status& why);
  http::Response UserAnswer(std::string_view name, int status);

  const ApiCall& call_;
  const identity::Principal& who_;
  store::Directory& directory_;
  Clock& clock_;
  bool node_admin_ = false;
  uint8_t grantable_ = 0;
};

absl::StatusOr<store::Organization> UserAdmin::Managed(std::string_view id_or_name) {
  absl::StatusOr<store::Organization> org = directory_.FindOrganization(id_or_name);
  if (org.ok() && (node_admin_ || org->id == who_.organization)) return org;
  if (org.ok() || absl::IsNotFound(org.status()) || absl::IsInvalidArgument(org.status())) {
    return absl::NotFoundError(StrCat("no organisation '", id_or_name, "'"));
  }
  return org.status();
}

absl::StatusOr<store::User> UserAdmin::Target(std::string_view name) {
  KZ_ASSIGN_OR_RETURN(std::vector<store::User> users, directory_.ListUsers());
  for (store::User& u : users) {
    if (u.name != name) continue;
    if (!node_admin_ && u.organization != who_.organization) break;
    if ((u.roles & ~grantable_) != 0) {
      return absl::PermissionDeniedError(
          StrCat("user '", name,
                 "' holds a role you may not grant: only a node administrator may act on it"));
    }
    return std::move(u);
  }
  return absl::NotFoundError(NoUser(name));
}

absl::Status UserAdmin::MayGrant(uint8_t roles) const {
  for (Role r : identity::kAllRoles) {
    if ((roles & Bit(r)) != 0 && (grantable_ & Bit(r)) == 0) {
      return absl::PermissionDeniedError(
          StrCat("you may not grant the role '", identity::RoleName(r), "'"));
    }
  }
  return absl::OkStatus();
}

http::Response UserAdmin::Refuse(std::string_view what, std::string_view target,
                                 const absl::Status& why) {
  const int status = HttpStatus(why);
  if (status == 400 || status >= 500) {
    return ErrorAnswer(
        status, status >= 500 ? "the directory could not be read or changed" : View(why.message()));
  }
  store::AuditEvent e;
  e.actor = who_.user;
  e.action = "user.refuse";
  e.target = std::string(target.substr(0, kMaxAuditedName));
  e.remote = call_.request.remote;
  e.details = boost::json::serialize(boost::json::object{{"tried", what}, {"status", status}});
  (void)directory_.AppendAudit(e);  // the refusal stands even when its record cannot be written
  return ErrorAnswer(status, View(why.message()));
}

http::Response UserAdmin::UserAnswer(std::string_view name, int status) {
  absl::StatusOr<std::vector<store::User>> users = directory_.ListUsers();
  if (!users.ok()) return ErrorAnswer(500, "the directory could not be read");
  for (const store::User& u : *users) {
    if (u.name == name) return JsonAnswer(boost::json::serialize(UserJson(u)), status);
  }
  return ErrorAnswer(404, NoUser(name));
}

http::Response UserAdmin::List() {
  absl::StatusOr<std::string> asked = QueryValue(call_.request.Query(), "organization");
  if (!asked.ok()) return ErrorAnswer(400, View(asked.status().message()));
  absl::StatusOr<store::Organization> org =
      Managed(asked->empty() ? std::string_view(who_.organization) : *asked);
  if (!org.ok()) return Refuse("list", *asked, org.status());
  absl::StatusOr<std::vector<store::Organization>> orgs = directory_.ListOrganizations();
  absl::StatusOr<std::vector<store::User>> users = directory_.ListUsers();
  absl::StatusOr<std::vector<store::Token>> tokens = directory_.ListTokens("");
  if (!orgs.ok() || !users.ok() || !tokens.ok())
    return ErrorAnswer(500, "the directory could not be read");
  auto org_json = [](const store::Organization& o) {
    return boost::json::object{{"id", o.id}, {"name", o.name}, {"nation", o.nation}};
  };
  boost::json::array managed;
  for (const store::Organization& o : *orgs) {
    if (node_admin_ || o.id == who_.organization) managed.push_back(org_json(o));
  }
  absl::flat_hash_map<std::string, boost::json::array> tokens_of;
  absl::flat_hash_map<std::string, int64_t> last_used;
  for (const store::Token& t : *tokens) {
    tokens_of[t.user].push_back(TokenJson(t));
    if (t.last_used_us) last_used[t.user] = std::max(last_used[t.user], *t.last_used_us);
  }
  boost::json::array out;
  for (const store::User& u : *users) {
    if (u.organization != org->id) continue;
    boost::json::object j = UserJson(u);
    auto used = last_used.find(u.name);
    j["last_used"] =
        OptionalTime(used == last_used.end() ? std::nullopt : std::optional<int64_t>(used->second));
    j["tokens"] = std::move(tokens_of[u.name]);
    out.push_back(std::move(j));
  }
  return JsonAnswer(
      boost::json::serialize(boost::json::object{{"organization", org_json(*org)},
                                                 {"organizations", std::move(managed)},
                                                 {"users", std::move(out)}}));
}

http::Response UserAdmin::Create() {
  std::optional<boost::json::object> body = BodyObject(call_.request);
  const boost::json::value* roles_value = body ? body->if_contains("roles") : nullptr;
  const std::string_view name = body ? StringOf(body->if_contains("name")) : "";
  if (name.empty() || roles_value == nullptr) {
    return ErrorAnswer(
        400, "the body must be {\"name\": NAME, \"roles\": [ROLE, ...], \"organization\"?: ID}");
  }
  absl::StatusOr<uint8_t> roles = RolesOf(*roles_value);
  if (!roles.ok()) return ErrorAnswer(400, View(roles.status().message()));
  std::string_view asked = StringOf(body->if_contains("organization"));
  absl::StatusOr<store::Organization> org =
      Managed(asked.empty() ? std::string_view(who_.organization) : asked);
  if (!org.ok()) return Refuse("create", name, org.status());
  if (absl::Status s = MayGrant(*roles); !s.ok()) return Refuse("create", name, s);
  absl::StatusOr<store::User> user =
      directory_.CreateUser(who_.user, {std::string(name), org->id, *roles});
  if (!user.ok()) return Refuse("create", name, user.status());  // a name taken is audited
  return JsonAnswer(boost::json::serialize(UserJson(*user)), 201);
}

http::Response UserAdmin::Update(std::string_view name) {
  std::optional<boost::json::object> body = BodyObject(call_.request);
  const boost::json::value* disabled = body ? body->if_contains("disabled") : nullptr;
  const boost::json::value* roles_value = body ? body->if_contains("roles") : nullptr;
  if ((disabled == nullptr && roles_value == nullptr) ||
      (disabled != nullptr && !disabled->is_bool())) {
    return ErrorAnswer(400,
                       "the body must be {\"disabled\"?: true|false, \"roles\"?: [ROLE, ...]}");
  }
  std::optional<uint8_t> roles;
  if (roles_value != nullptr) {
    absl::StatusOr<uint8_t> r = RolesOf(*roles_value);
    if (!r.ok()) return ErrorAnswer(400, View(r.status().message()));
    roles = *r;
  }
  absl::StatusOr<store::User> target = Target(name);
  if (!target.ok()) return Refuse("update", name, target.status());
  if (roles) {
    if (absl::Status s = MayGrant(*roles); !s.ok()) return Refuse("update", name, s);
  }
  std::optional<bool> now_disabled;
  if (disabled != nullptr && disabled->as_bool() != target->disabled) now_disabled = disabled->as_bool();
  if (roles == target->roles) roles.reset();
  if (now_disabled || roles) {
    // The last-administrator check runs in the change's own transaction, so two concurrent
    // changes cannot both leave the other as the last seat and then take it.
    absl::Status s = directory_.UpdateUserKeepingAnAdmin(who_.user, name, now_disabled, roles);
    if (absl::IsFailedPrecondition(s)) return Refuse("update", name, s);
    if (!s.ok()) return ErrorAnswer(HttpStatus(s), View(s.message()));
  }
  return UserAnswer(name, 200);
}

http::Response UserAdmin::IssueToken(std::string_view name) {
  std::optional<boost::json::object> body = BodyObject(call_.request);
  if (!body)
    return ErrorAnswer(400, "the body must be {\"label\"?: TEXT, \"expires_in_days\"?: N}");
  std::optional<int64_t> expires;
  if (const boost::json::value* days = body->if_contains("expires_in_days");
      days != nullptr && !days->is_null()) {
    if (!days->is_int64() || days->as_int64() < 1 || days->as_int64() > kMaxTokenDays) {
      return ErrorAnswer(
          400, StrCat("expires_in_days must be a whole number of days from 1 to ", kMaxTokenDays));
    }
    expires = clock_.NowMicros() + days->as_int64() * kDayUs;
  }
  absl::StatusOr<store::User> target = Target(name);
  if (!target.ok()) return Refuse("token.create", name, target.status());
  absl::StatusOr<taxii::IssuedToken> issued = taxii::IssueToken(
      directory_, who_.user,
      {std::string(name), std::string(StringOf(body->if_contains("label"))), expires,
       static_cast<uint8_t>(~grantable_)},
      SecureRandom());
  if (!issued.ok()) return Refuse("token.create", name, issued.status());
  boost::json::object out = TokenJson(issued->token);
  out["token"] = issued->text;
  out["warning"] = StrCat("this token is ", kShownOnce);
  return JsonAnswer(boost::json::serialize(out), 201);
}

http::Response UserAdmin::RevokeToken(std::string_view name, std::string_view token_id) {
  absl::StatusOr<store::User> target = Target(name);
  if (!target.ok()) return Refuse("token.revoke", name, target.status());
  absl::StatusOr<std::vector<store::Token>> tokens = directory_.ListTokens(name);
  if (!tokens.ok()) return ErrorAnswer(500, "the directory could not be read");
  if (std::none_of(tokens->begin(), tokens->end(),
                   [&](const store::Token& t) { return t.id == token_id; })) {
    return Refuse("token.revoke", name,
                  absl::NotFoundError(StrCat("no token '", token_id, "' of user '", name, "'")));
  }
  absl::Status s = directory_.RevokeToken(who_.user, token_id);
  if (!s.ok()) return ErrorAnswer(HttpStatus(s), View(s.message()));
  http::Response r;
  r.status = 204;
  return r;
}

http::Response UserAdmin::ResetPassword(std::string_view name) {
  std::optional<boost::json::object> body = BodyObject(call_.request);
  const boost::json::value* given = body ? body->if_contains("password") : nullptr;
  if (!body || (given != nullptr && !given->is_string())) {
    return ErrorAnswer(400, "the body must be {} (a new random password) or {\"password\": TEXT}");
  }
  std::string password(StringOf(given));
  if (given == nullptr) {
    std::array<uint8_t, kGeneratedPasswordBytes> bytes;
    SecureRandom().Fill(bytes);
    password = Base64UrlEncode(
        std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()));
  }
  // The target first: a request for a user out of reach costs no Argon2 hash.
  absl::StatusOr<store::User> target = Target(name);
  if (!target.ok()) return Refuse("user.passwd", name, target.status());
  absl::StatusOr<std::string> hash = HashPassword(password);
  if (!hash.ok()) return ErrorAnswer(HttpStatus(hash.status()), View(hash.status().message()));
  absl::Status s = directory_.SetUserPassword(who_.user, name, *hash, static_cast<uint8_t>(~grantable_));
  if (!s.ok()) return Refuse("user.passwd", name, s);
  if (given != nullptr) {
    http::Response r;
    r.status = 204;
    return r;
  }
  return JsonAnswer(boost::json::serialize(boost::json::object{
      {"password", password}, {"warning", StrCat("this password is ", kShownOnce)}}));
}

}  // namespace

boost::json::object UserJson(const store::User& user) {
  boost::json::array roles;
  for (Role role : identity::kAllRoles) {
    if ((user.roles & Bit(role)) != 0) roles.emplace_back(identity::RoleName(role));
  }
  return {{"name", user.name},
          {"organization", user.organization},
          {"roles", std::move(roles)},
          {"disabled", user.disabled},
          {"created", stix::FormatTaxii(user.created_us)}};
}

boost::json::object TokenJson(const store::Token& token) {
  return {{"id", token.id},
          {"user", token.user},
          {"label", token.label},
          {"created", stix::FormatTaxii(token.created_us)},
          {"expires", OptionalTime(token.expires_us)},
          {"revoked", OptionalTime(token.revoked_us)},
          {"last_used", OptionalTime(token.last_used_us)}};
}

http::Response ConsoleEndpoints::Users(const ApiCall& call) {
  call.info.endpoint = "api-users";
  const identity::Principal& p = call.principal;
  if (!p.Has(Role::kNodeAdmin) && !p.Has(Role::kOrgAdmin)) {
    return ErrorAnswer(403, "managing users is for node and organisation administrators");
  }
  UserAdmin admin(call, db_, clock_);
  const http::Method method = call.request.method;
  const bool read = method == http::Method::kGet || method == http::Method::kHead;
  std::string_view rest = call.path.substr(5);  // after "users"
  if (rest.empty()) {
    if (read) return admin.List();
    if (method == http::Method::kPost) return admin.Create();
    return NotAllowed("GET, HEAD, POST");
  }
  // "/NAME", "/NAME/tokens", "/NAME/tokens/ID" or "/NAME/password"
  std::vector<std::string_view> parts;
  for (std::string_view left = rest.substr(1);;) {
    const size_t slash = left.find('/');
    parts.push_back(left.substr(0, slash));
    if (slash == std::string_view::npos || parts.size() > 3) break;
    left.remove_prefix(slash + 1);
  }
  absl::StatusOr<std::string> name = taxii::PercentDecode(parts[0]);
  if (!name.ok() || name->empty())
    return ErrorAnswer(400, "the user name in the path is not percent-encoded text");
  if (parts.size() == 1) {
    if (method != http::Method::kPost) return NotAllowed("POST");
    return admin.Update(*name);
  }
  if (parts.size() == 2 && parts[1] == "tokens") {
    if (method != http::Method::kPost) return NotAllowed("POST");
    return admin.IssueToken(*name);
  }
  if (parts.size() == 3 && parts[1] == "tokens" && !parts[2].empty()) {
    if (method != http::Method::kDelete) return NotAllowed("DELETE");
    return admin.RevokeToken(*name, parts[2]);
  }
  if (parts.size() == 2 && parts[1] == "password") {
    if (method != http::Method::kPost) return NotAllowed("POST");
    return admin.ResetPassword(*name);
  }
  return ErrorAnswer(404, "no such endpoint of the JSON API");
}

}  // namespace kizuna::api
