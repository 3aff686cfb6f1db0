// Kizuna. The directory: who may use the node, with which tokens, on which collections.
#pragma once

// Directory is the persistent half of identity and access (docs/access.md): organisations
// (STIX identities of one nation each), groups of organisations (sharing communities),
// users with roles, API tokens (stored as slow hashes only), grants of read/write access to
// collections, and the append-only audit log. The TAXII layer reads it through
// taxii::TokenAuthenticator and taxii::GrantAccessControl; `kizuna admin` changes it.
// SqliteStore implements it over the same database as the objects (store/database.h).
//
// Every change names its `actor` (a user name, or "cli") and writes its audit event in the
// same transaction: no change is ever visible without its audit record. Public methods check
// arguments, then call the private Do*() hooks an implementation provides (as Store does).
// Organisations are named on input by id or by name.
//
//   KZ_ASSIGN_OR_RETURN(Organization nisc, dir.CreateOrganization("cli", {"NISC", "JPN", ""}));
//   KZ_RETURN_IF_ERROR(dir.CreateGroup("cli", "jpn-usa"));
//   KZ_RETURN_IF_ERROR(dir.JoinGroup("cli", "jpn-usa", "NISC"));
//   KZ_RETURN_IF_ERROR(dir.AddGrant("cli", collection_id, {GranteeKind::kGroup, "jpn-usa"},
//                                   {.read = true, .write = true}).status());
//
// Errors: InvalidArgument for a malformed argument (naming it), NotFound for a missing
// organisation, group, user, token or collection, AlreadyExists for a duplicate name or id,
// Unavailable when the database cannot be reached.
// Thread-safety: all methods are safe to call concurrently; writes are serialised inside.

#include <atomic>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "kizuna/base/clock.h"
#include "kizuna/base/random.h"
#include "kizuna/identity/principal.h"
#include "kizuna/store/identity.h"

namespace kizuna::store {

// Checks an audit event as Directory::AppendAudit does: InvalidArgument when its details are
// not a JSON object or a field exceeds its limit.
absl::Status CheckAuditEvent(const AuditEvent& event);

// The "object.add" event of a TAXII object write: on `collection_id`, with the count and the
// first kMaxAuditedObjectIds ids of the objects added, and a `time_us` of 0 (now, when
// appended). `remote` is the client address.
AuditEvent ObjectsAddedEvent(std::string_view actor, std::string_view remote, std::string_view collection_id,
                             std::span<const std::string_view> object_ids);
// The event `action` of a write to `collection_id` that left objects out: "object.refuse"
// (the store's rules for the writer refused them, store.h) or "object.invalid" (pulled
// objects that failed the checks). The count and the first kMaxAuditedObjectIds (id, reason)
// pairs of `rejected`, and a `time_us` of 0.
AuditEvent ObjectsRejectedEvent(std::string_view actor, std::string_view action, std::string_view collection_id,
                                std::span<const std::pair<std::string_view, std::string_view>> rejected);
// The "object.delete" event of `object_id`, deleted for `organization` (the acting
// organisation's identity id), with the number of versions removed and a `time_us` of 0.
AuditEvent ObjectDeletedEvent(std::string_view actor, std::string_view remote, std::string_view organization,
                              std::string_view collection_id, std::string_view object_id,
                              int64_t versions_removed);
// The "object.revoke" event of `object_id` in `collection_id`, revoked for `organization`
// by its new version `version`, with a `time_us` of 0.
AuditEvent ObjectRevokedEvent(std::string_view actor, std::string_view remote, std::string_view organization,
                              std::string_view collection_id, std::string_view object_id,
                              std::string_view version);

class Directory {
 public:
  virtual ~Directory() = default;
  Directory(const Directory&) = delete;
  Directory& operator=(const Directory&) = delete;

  // Organisations. CreateOrganization checks the nation against ISO 3166-1 alpha-3, makes
  // the id (a new identity--UUIDv4) unless given, builds the STIX identity object and
  // returns the stored organisation; AlreadyExists if the name or id is taken.
  absl::StatusOr<Organization> CreateOrganization(std::string_view actor, NewOrganization org);
  absl::StatusOr<std::vector<Organization>> ListOrganizations();  // by name
  absl::StatusOr<Organization> FindOrganization(std::string_view id_or_name);

  // Groups. Names are 1-64 of [a-z0-9._-]. Joining twice and leaving a group the
  // organisation is not in are FailedPrecondition.
  absl::Status CreateGroup(std::string_view actor, std::string_view name);
  absl::Status JoinGroup(std::string_view actor, std::string_view group, std::string_view org);
  absl::Status LeaveGroup(std::string_view actor, std::string_view group, std::string_view org);
  absl::StatusOr<std::vector<Group>> ListGroups();  // by name

  // Users. Names are 1-64 of [A-Za-z0-9._@-] (no ':', which Basic authentication splits on).
  absl::StatusOr<User> CreateUser(std::string_view actor, NewUser user);
  absl::StatusOr<std::vector<User>> ListUsers();  // by name
  absl::Status SetUserDisabled(std::string_view actor, std::string_view user, bool disabled);
  // REQUIRES: `roles` has at least one role bit and no other bits (else InvalidArgument).
  // A promotion to a role of kRolesThatResetCredentials the user did not hold revokes its
  // tokens and clears its password in the same change: a token or password made while it held
  // less (by an organisation administrator, say) never carries the new role. Its sessions end
  // with them; a node administrator then issues it new ones.
  static constexpr uint8_t kRolesThatResetCredentials =
      static_cast<uint8_t>(identity::Role::kNodeAdmin) | static_cast<uint8_t>(identity::Role::kPeer);
  absl::Status SetUserRoles(std::string_view actor, std::string_view user, uint8_t roles);
  // Sets `user`'s disabled flag and/or roles, audited as the two calls above (a promotion
  // resets credentials as SetUserRoles says), in one
  // transaction that also keeps the user's organisation administered: FailedPrecondition, and
  // nothing changed, when the user holds an administrator seat (enabled, org-admin or
  // node-admin, not a partner's account) that the change takes away and no other user of the
  // organisation holds one. Changes are serialised, so two concurrent calls cannot both take
  // the last two seats. InvalidArgument when neither is given. (The console's users API
  // calls this; `kizuna admin`, the operator's, calls the two above.)
  absl::Status UpdateUserKeepingAnAdmin(std::string_view actor, std::string_view user,
                                        std::optional<bool> disabled, std::optional<uint8_t> roles);

  // Passwords (the web console's sign-in). SetUserPassword stores `password_hash`, an Argon2
  // hash the caller made (taxii::HashSecret), or clears it when empty; audited
  // "user.passwd" without the hash. NotFound for an unknown user.
  // `refused_roles`: as NewToken::refused_roles.
  absl::Status SetUserPassword(std::string_view actor, std::string_view user,
                               std::string_view password_hash, uint8_t refused_roles = 0);
  // Returns what checking `user`'s password needs; NotFound for an unknown user.
  absl::StatusOr<PasswordCredential> GetPasswordCredential(std::string_view user);

  // Tokens. CreateToken stores a token whose secret the caller has hashed (use
  // taxii::IssueToken, which also makes the token text); NotFound for an unknown user.
  absl::StatusOr<Token> CreateToken(std::string_view actor, const NewToken& token);
  // Lists the tokens of `user` (every user's when empty), oldest first.
  absl::StatusOr<std::vector<Token>> ListTokens(std::string_view user);
  // Revokes a token for good. FailedPrecondition if it was already revoked.
  absl::Status RevokeToken(std::string_view actor, std::string_view token_id);
  // Returns what authenticating token `token_id` needs; NotFound if there is no such token.
  absl::StatusOr<Credential> GetCredential(std::string_view token_id);
  // Records that the token was used at `used_us` (never moves the time back). Not audited
  // and not a change (ChangeVersion stays), so the server may call it on the request path.
  absl::Status TouchToken(std::string_view token_id, int64_t used_us);

  // Client certificates (docs/access.md). AddUserCertificate maps the certificate whose DER
  // has SHA-256 `sha256` (64 hex digits; upper case and ':' separators, as `openssl x509
  // -fingerprint -sha256` prints, are accepted and stored as 64 lowercase digits) to `user`;
  // NotFound for an unknown user, AlreadyExists when the certificate is mapped already.
  absl::StatusOr<UserCertificate> AddUserCertificate(std::string_view actor, std::string_view user,
                                                     std::string_view sha256, std::string_view label);
  // Removes a mapping; NotFound when there is none.
  absl::Status RemoveUserCertificate(std::string_view actor, std::string_view sha256);
  // Lists the certificates of `user` (every user's when empty), oldest first.
  absl::StatusOr<std::vector<UserCertificate>> ListUserCertificates(std::string_view user);
  // Returns what authenticating the certificate `sha256` needs; NotFound when it maps to no
  // user.
  absl::StatusOr<CertificateCredential> GetCertificateCredential(std::string_view sha256);

  // Grants. AddGrant adds `add` to what `grantee` may do with collection `collection_id`;
  // RemoveGrant takes `remove` away (NotFound when there was no grant). Both return the
  // resulting grant; a grant left with neither read nor write is deleted.
  absl::StatusOr<Grant> AddGrant(std::string_view actor, std::string_view collection_id,
                                 const Grantee& grantee, Permissions add);
  absl::StatusOr<Grant> RemoveGrant(std::string_view actor, std::string_view collection_id,
                                    const Grantee& grantee, Permissions remove);
  // Lists the grants on `collection_id` (on every collection when empty).
  absl::StatusOr<std::vector<Grant>> ListGrants(std::string_view collection_id);

  // Audit. Appends `events` in one transaction, in order (a `time_us` of 0 becomes now;
  // `seq` is assigned). There is no way to change or remove an event. InvalidArgument if an
  // event's details are not a JSON object or a field exceeds its limit.
  absl::Status AppendAudit(std::span<const AuditEvent> events);
  absl::Status AppendAudit(const AuditEvent& event) { return AppendAudit({&event, 1}); }
  // Returns the events matching `query`, oldest first.
  absl::StatusOr<std::vector<AuditEvent>> ReadAudit(const AuditQuery& query);

  // Returns a number that changes whenever organisations, groups, users, tokens, grants or a
  // collection's policy (Store::SetCollectionPolicy, in the SQLite database that is both)
  // change (not on TouchToken or audit appends), through this object or any other connection
  // to the same database, e.g. `kizuna admin` in another process. One indexed read.
  absl::StatusOr<int64_t> ChangeVersion();
  // Returns how many changes this object has made: it moves at once (no I/O) on every
  // successful change made through this object, and, on PostgreSQL, on every change another
  // process commits (heard from the database).
  int64_t LocalChanges() const { return local_changes_.load(std::memory_order_acquire); }

 protected:
  // `clock` stamps audit events and identity objects; `random` makes the ids of new
  // organisations. Both must outlive the directory.
  Directory(Clock& clock, Random& random) : clock_(clock), random_(random) {}
  // What makes the ids of new rows (collections too, in the database that is both).
  Random& random() { return random_; }
  // Counts a change another process made, for directories that hear of them (PostgreSQL's
  // notifications): it moves LocalChanges, so caches check ChangeVersion at once.
  void CountDirectoryChangeElsewhere() { local_changes_.fetch_add(1, std::memory_order_acq_rel); }

 private:
  // Every change hook writes `event` (complete: time, actor, action, target, details) in
  // the transaction of the change and advances the change version. Organisations reach the
  // hooks by id (the public methods resolve names first; organisations are never renamed
  // or removed).
  virtual absl::Status DoCreateOrganization(const Organization& org, const AuditEvent& event) = 0;
  virtual absl::StatusOr<std::vector<Organization>> DoListOrganizations() = 0;
  virtual absl::Status DoCreateGroup(std::string_view name, const AuditEvent& event) = 0;
  virtual absl::Status DoSetMembership(std::string_view group, std::string_view org, bool member,
                                       const AuditEvent& event) = 0;
  virtual absl::StatusOr<std::vector<Group>> DoListGroups() = 0;
  virtual absl::StatusOr<User> DoCreateUser(const NewUser& user, int64_t now_us,
                                            const AuditEvent& event) = 0;
  virtual absl::StatusOr<std::vector<User>> DoListUsers() = 0;
  virtual absl::Status DoUpdateUser(std::string_view user, std::optional<bool> disabled,
                                    std::optional<uint8_t> roles, const AuditEvent& event) = 0;
  virtual absl::Status DoSetUserPassword(std::string_view user, std::string_view password_hash,
                                         uint8_t refused_roles, const AuditEvent& event) = 0;
  // As DoUpdateUser, with the seat check of UpdateUserKeepingAnAdmin in the same transaction
  // and one audit event per field changed. A store that cannot do both in one transaction
  // keeps this default, which refuses (Unimplemented) rather than check apart.
  virtual absl::Status DoUpdateUserKeepingAnAdmin(std::string_view user, std::optional<bool> disabled,
                                                  std::optional<uint8_t> roles,
                                                  std::span<const AuditEvent> events);
  virtual absl::StatusOr<PasswordCredential> DoGetPasswordCredential(std::string_view user) = 0;
  virtual absl::StatusOr<Token> DoCreateToken(const NewToken& token, int64_t now_us,
                                              const AuditEvent& event) = 0;
  virtual absl::StatusOr<std::vector<Token>> DoListTokens(std::string_view user) = 0;
  virtual absl::Status DoRevokeToken(std::string_view token_id, int64_t now_us,
                                     const AuditEvent& event) = 0;
  virtual absl::StatusOr<Credential> DoGetCredential(std::string_view token_id) = 0;
  virtual absl::Status DoTouchToken(std::string_view token_id, int64_t used_us) = 0;
  // REQUIRES: `sha256` is 64 lowercase hex digits.
  virtual absl::StatusOr<UserCertificate> DoAddUserCertificate(const UserCertificate& certificate,
                                                               const AuditEvent& event) = 0;
  virtual absl::Status DoRemoveUserCertificate(std::string_view sha256, const AuditEvent& event) = 0;
  virtual absl::StatusOr<std::vector<UserCertificate>> DoListUserCertificates(std::string_view user) = 0;
  virtual absl::StatusOr<CertificateCredential> DoGetCertificateCredential(std::string_view sha256) = 0;
  // Applies `add` then `remove` to the grant, creating or deleting its row as needed;
  // NotFound when removing from a grant that does not exist. REQUIRES: an organisation
  // grantee is named by id.
  virtual absl::StatusOr<Grant> DoChangeGrant(std::string_view collection_id,
                                              const Grantee& grantee, Permissions add,
                                              Permissions remove, const AuditEvent& event) = 0;
  virtual absl::StatusOr<std::vector<Grant>> DoListGrants(std::string_view collection_id) = 0;
  virtual absl::Status DoAppendAudit(std::span<const AuditEvent> events) = 0;
  virtual absl::StatusOr<std::vector<AuditEvent>> DoReadAudit(const AuditQuery& query) = 0;
  virtual absl::StatusOr<int64_t> DoChangeVersion() = 0;

  // Returns `s` after counting a successful change.
  absl::Status Changed(absl::Status s);
  // Adds `add` and removes `remove` for `grantee` (an organisation named by id or name, or a
  // group), audited as `action`.
  absl::StatusOr<Grant> ChangeGrant(std::string_view actor, std::string_view action,
                                    std::string_view collection_id, const Grantee& grantee,
                                    Permissions add, Permissions remove);
  // Returns an audit event stamped now.
  AuditEvent Event(std::string_view actor, std::string_view action, std::string_view target,
                   std::string details) const;

  Clock& clock_;
  Random& random_;
  std::atomic<int64_t> local_changes_{0};
};

}  // namespace kizuna::store
