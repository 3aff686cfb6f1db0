// Kizuna. Revoking an object: its new version with `revoked: true`, added on the one path in.
#pragma once

// A revocation is a version like any other (STIX 2.1 §3.6): the latest version's properties,
// `revoked: true` and a later `modified`. It goes through the ObjectChecker and the store's
// add for its writer, so it is stored, served and pushed to partners as every new version is;
// its audit event is written in the same transaction. Who may revoke what is decided before,
// by policy::MayDelete (policy/delete_rule.h).
//
//   KZ_ASSIGN_OR_RETURN(std::string json, ingest::RevokedVersion(latest.json, clock.NowMicros()));
//   KZ_ASSIGN_OR_RETURN(store::AddResult r,
//                       ingest::AddRevocation(store, collection_id, json, {writer, org_id, ""}));
//
// Thread-safety: functions of their arguments; the Store may be shared.

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "kizuna/store/store.h"

namespace kizuna::ingest {

// Returns the revoked version of the STIX object `json`: its members in their order (values
// in canonical JSON), with `revoked` true and `modified` at `now_us`, or one millisecond after
// the current `modified` when the clock is not past it; millisecond precision.
// InvalidArgument when `json` is not an object with a `modified` timestamp (only versioned
// objects, SDOs and SROs, can be revoked); FailedPrecondition when it is revoked already.
absl::StatusOr<std::string> RevokedVersion(std::string_view json, int64_t now_us);

// Who revokes: the store's writer (its name is the audit event's actor), the acting
// organisation's identity id and the client address (empty from the command line).
struct RevokedBy {
  store::Writer writer;
  std::string_view organization;
  std::string_view remote;
};

// Checks `json` (ObjectChecker) and adds it to collection `collection_id` as `by.writer`; when
// it is added, an "object.revoke" audit event goes in the same transaction. Returns the
// store's result (kAdded, or kAlreadyPresent/kRefused/kConflict with nothing written);
// InvalidArgument when the object fails the checks.
absl::StatusOr<store::AddResult> AddRevocation(store::Store& store, std::string_view collection_id,
                                               std::string_view json, const RevokedBy& by);

}  // namespace kizuna::ingest
