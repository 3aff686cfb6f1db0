// Kizuna. The records of the directory: organisations, groups, users, tokens, grants, audit.
#pragma once

// Plain value types read from and written to a store::Directory (directory.h), with the
// named limits the directory checks. Thread-safety: value types.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace kizuna::store {

// Longest organisation name, in bytes.
inline constexpr size_t kMaxOrganizationNameBytes = 256;
// Longest user or group name: [A-Za-z0-9._@-] for users, [a-z0-9._-] for groups.
inline constexpr size_t kMaxPrincipalNameBytes = 64;
// Longest token label, in bytes.
inline constexpr size_t kMaxTokenLabelBytes = 256;
// The longest password hash stored (a crypto_pwhash_str string is under 128 bytes).
inline constexpr size_t kMaxPasswordHashBytes = 256;
// Largest `details` of one audit event, in bytes of JSON.
inline constexpr size_t kMaxAuditDetailsBytes = 64 * 1024;
// Longest actor, action, target or remote of one audit event, in bytes.
inline constexpr size_t kMaxAuditFieldBytes = 1024;
// Most object ids one "object.add" audit event lists (the count is always recorded).
inline constexpr size_t kMaxAuditedObjectIds = 100;
// Most audit events one ReadAudit call returns.
inline constexpr size_t kMaxAuditPage = 10000;

// An organisation: a STIX identity (identity_class "organization") of one nation.
struct Organization {
  std::string id;             // the identity's STIX id, "identity--<uuid>"
  std::string name;           // unique on the node
  std::string nation;         // ISO 3166-1 alpha-3, e.g. "JPN"
  std::string identity_json;  // the STIX identity object, for the TAXII layer to publish
  int64_t created_us = 0;
  // A partner's organisation, recorded here (`kizuna admin org import`, or `org add
  // --partner`): its objects are made on its own node, never on this one (docs/security.md).
  bool partner = false;
};

struct NewOrganization {
  std::string name;
  std::string nation;
  std::string id;  // empty: a new "identity--<UUIDv4>"
  bool partner = false;
};

// A sharing community such as "jpn-usa" or "jpn-usa-kor", and its member organisations.
struct Group {
  std::string name;
  std::vector<std::string> members;  // organisation ids, sorted
  int64_t created_us = 0;
};

struct User {
  std::string name;          // unique on the node
  std::string organization;  // Organization::id
  uint8_t roles = 0;         // a bit set of identity::Role
  bool disabled = false;
  int64_t created_us = 0;
};

struct NewUser {
  std::string name;
  std::string organization;  // id or name
  uint8_t roles = 0;         // REQUIRES: at least one role
};

// An API token as listed: everything but its secret, which is never stored.
struct Token {
  std::string id;  // the lookup part of the token text (taxii/auth/token.h)
  std::string user;
  std::string label;
  int64_t created_us = 0;
  std::optional<int64_t> expires_us;    // none: never expires
  std::optional<int64_t> revoked_us;    // set once, never cleared
  std::optional<int64_t> last_used_us;  // updated at most once a minute by the server

  // Returns true if the token may authenticate at `now_us`.
  bool ActiveAt(int64_t now_us) const {
    return !revoked_us && (!expires_us || now_us < *expires_us);
  }
};

// A token to store. The caller hashes the secret (taxii/auth/token.h makes tokens).
struct NewToken {
  std::string id;
  std::string user;
  std::string secret_hash;  // crypto_pwhash_str() output, "$argon2id$..."
  std::string label;
  std::optional<int64_t> expires_us;
  // FailedPrecondition, and nothing stored, when the user holds one of these roles, checked in
  // the write itself: an organisation administrator's token cannot land after a promotion.
  uint8_t refused_roles = 0;
};

// What authenticating a token needs, read together: the token, its hash, its user and the
// user's organisation with its nation and groups.
struct Credential {
  Token token;
  std::string secret_hash;
  User user;
  std::string nation;               // of user.organization
  std::vector<std::string> groups;  // names of the groups user.organization is in, sorted
};

// A client certificate that authenticates as a user (docs/access.md), named by the SHA-256 of
// its DER encoding, 64 lowercase hex digits.
inline constexpr size_t kCertificateFingerprintChars = 64;
struct UserCertificate {
  std::string sha256;
  std::string user;
  std::string label;
  int64_t created_us = 0;
};

// What authenticating a client certificate needs: the user it maps to, with its
// organisation's nation and groups (as Credential).
struct CertificateCredential {
  UserCertificate certificate;
  User user;
  std::string nation;
  std::vector<std::string> groups;
};

// What signing in with a password needs: the user with its organisation's nation and groups
// (as Credential), and the Argon2id hash of the password (empty: the user has none).
struct PasswordCredential {
  User user;
  std::string password_hash;
  std::string nation;
  std::vector<std::string> groups;
};

enum class GranteeKind : uint8_t { kOrganization, kGroup };

// Who a grant is for: an organisation (by id; by id or name on input) or a group (by name).
struct Grantee {
  GranteeKind kind = GranteeKind::kOrganization;
  std::string name;
};

struct Permissions {
  bool read = false;
  bool write = false;
};

// What one organisation or group may do with one collection.
struct Grant {
  std::string collection;  // collection id
  Grantee grantee;
  Permissions permissions;
};

// One entry of the append-only audit log.
struct AuditEvent {
  int64_t seq = 0;             // set by the directory: append order, strictly increasing
  int64_t time_us = 0;         // µs since the epoch; 0 on append means "now"
  std::string actor;           // user name, or "cli" for `kizuna admin`
  std::string action;          // e.g. "token.revoke", "auth.fail", "object.add" (docs/access.md)
  std::string target;          // what was acted on: a token id, user name, collection id...
  std::string remote;          // client address, when the action came over the network
  std::string details = "{}";  // a JSON object's text
};

struct AuditQuery {
  int64_t after_seq = 0;  // only events with a larger seq
  size_t limit = 100;     // REQUIRES: 1..kMaxAuditPage
  bool newest = false;    // the last `limit` matching events instead of the first
};

}  // namespace kizuna::store
