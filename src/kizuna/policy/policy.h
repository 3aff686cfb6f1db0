// Kizuna. The policy as read paths use it: facts gathered from the node, then policy::Decide.
#pragma once

// Policy is what every read path holds: the TAXII handlers (objects, object, versions,
// manifest, status, delete), `kizuna export`, the sync engine's push and the peers' pulls,
// and the detection engine's choice of indicators. It resolves what Decide needs and calls
// it once per object version:
//   - marking definitions: the predefined TLP ids without I/O (their stored content is never
//     read); others by the node's first definition of the id (Store::FindMarkingDefinition),
//     which no later write can change, so the cache may forget and re-read it freely. A
//     definition a user of this node introduced marks only that organisation's own objects
//     (docs/security.md). An id the node does not hold is remembered as unknown for
//     `unknown_marking_ttl_us`, so a definition that arrives later (e.g. by sync) is picked
//     up;
//   - the creator's nation: the directory's organisations, cached; re-read at most every
//     `org_refresh_interval_us` when an unknown creator comes up (organisations are never
//     removed and never change nation);
//   - the collection's communities and default release (store::Collection);
//   - provenance (StoredObject::origin) and granular markings (read from the JSON only for
//     entries that have them).
//
//   policy::Policy policy(store, &directory, clock);
//   KZ_ASSIGN_OR_RETURN(size_t withheld, policy.Filter(principal, collection, page.objects));
//
// Thread-safety: safe for concurrent use; the caches are shared and internally locked.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "kizuna/base/clock.h"
#include "kizuna/policy/decide.h"
#include "kizuna/store/directory.h"
#include "kizuna/store/peers.h"
#include "kizuna/store/store.h"

namespace kizuna::policy {

struct PolicyOptions {
  // How long a marking id the store does not hold stays "unknown" before it is looked up
  // again. Default 1 s: a definition that arrives after the objects it marks is used within
  // a second, and a flood of objects with bogus markings costs one lookup per id per second.
  int64_t unknown_marking_ttl_us = 1'000'000;
  // Least time between re-reads of the organisations when a creator is not among them.
  // Default 1 s.
  int64_t org_refresh_interval_us = 1'000'000;
  // Marking definitions cached at most, and unknown ids remembered at most (each on its
  // own, so a flood of unknown ids never evicts a known definition); beyond it that cache
  // starts again. Default 100,000.
  size_t max_cached_markings = 100'000;
};

// Returns the collection's policy settings, parsed. InvalidArgument if they are malformed.
absl::StatusOr<CollectionPolicy> PolicyOf(const store::Collection& collection);

// Returns the principal of user `name` as the directory has it (organisation, nation,
// groups, roles), e.g. for `kizuna export --as`. NotFound for an unknown user,
// FailedPrecondition for a disabled one.
absl::StatusOr<identity::Principal> PrincipalForUser(store::Directory& directory, std::string_view name);

// Returns the principal of any user of organisation `org` (name or identity id) with `role`:
// its nation and groups (`kizuna policy explain --org`, `kizuna delete --organization`).
// NotFound for an unknown organisation.
absl::StatusOr<identity::Principal> PrincipalForOrganization(store::Directory& directory, std::string_view org,
                                                             identity::Role role = identity::Role::kReader);

// Returns the principal this node decides for when it sends to `peer` (PrincipalKind::kPeer).
identity::Principal PrincipalForPeer(const store::Peer& peer);

// Returns what the decisions depend on of `principal`: its kind (user, peer, operator), its
// organisation, nation and communities (in any order). Two principals with the same key are
// released exactly the same entries, so an answer built from the released read for one may
// be kept for the other (a cache key); user names and roles are not part of it.
std::string ReleaseKey(const identity::Principal& principal);

// Returns a collection's id and what it adds to the decisions (communities, default release):
// an answer built from the released read of the collection, keyed with it, is never used
// after the collection's policy changed.
std::string CollectionKey(const store::Collection& collection);

// One marking of an entry, as Policy::ExplainEntry resolved and applied it.
struct MarkingReason {
  std::string id;                      // the marking definition's id
  bool granular = false;               // a granular marking (then `selectors` says what it marks)
  std::vector<std::string> selectors;
  std::optional<MarkingFacts> facts;   // nullopt: it cannot be resolved for this object
  MarkingOutcome outcome;              // how it applies to the principal
};

// Why an entry is released, redacted or withheld to a principal (`kizuna policy explain`).
struct EntryExplanation {
  Decision decision;           // exactly what Filter applies to the entry
  std::string creator_nation;  // of created_by_ref, as the policy knows it; "" when unknown
  bool received = false;       // pulled from or pushed by a peer (provenance)
  std::vector<MarkingReason> markings;  // object markings then granular ones; empty when the
                                        // decision consulted none (operator, creator)
};

class Policy {
 public:
  // Every reference must outlive the policy. Without a directory (null) creators' nations are
  // unknown, so objects under a creator-nation default reach only their creator organisation.
  Policy(store::Store& store, store::Directory* directory, Clock& clock, PolicyOptions options = {});
  Policy(const Policy&) = delete;
  Policy& operator=(const Policy&) = delete;

  // Decides for every entry of `objects` (versions in `collection`) and applies the
  // decisions in place, keeping order: denied entries are removed (and moved to `denied`, in
  // order, when it is not null), redacted ones carry the redacted JSON. Returns how many were
  // removed, or the store's error when a marking or the organisations cannot be read
  // (nothing is released then).
  absl::StatusOr<size_t> Filter(const identity::Principal& principal, const store::Collection& collection,
                                std::vector<store::StoredObject>& objects,
                                std::vector<store::StoredObject>* denied = nullptr);

  // As DecideEntry, with the reasons: the same facts and the same rules (policy::Explain),
  // every marking resolved (the decision stops at the first that denies).
  // `pending` (may be null) holds marking definitions by id that are not stored yet (the
  // console's release preview of an object saved with its new definitions): each is used for
  // an id the node holds no definition of, as if its writer's organisation had stored it.
  absl::StatusOr<EntryExplanation> ExplainEntry(
      const identity::Principal& principal, const store::Collection& collection, const store::StoredObject& object,
      const absl::flat_hash_map<std::string, MarkingFacts>* pending = nullptr);

  // The decision for one entry.
  absl::StatusOr<Decision> DecideEntry(const identity::Principal& principal, const store::Collection& collection,
                                       const store::StoredObject& object);

 private:
  class Batch;  // the facts of one call: parsed collection policy, resolved markings
  friend class Batch;

  // Returns the facts of marking `id` (null when it cannot be resolved).
  absl::StatusOr<std::shared_ptr<const MarkingFacts>> Resolve(std::string_view id);
  // Returns the nation of organisation `id`, or "" when the directory does not know it.
  absl::StatusOr<std::string> NationOf(std::string_view id);

  store::Store& store_;
  store::Directory* const directory_;
  Clock& clock_;
  const PolicyOptions options_;
  absl::Mutex mu_;
  absl::flat_hash_map<std::string, std::shared_ptr<const MarkingFacts>> markings_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_map<std::string, int64_t> unknown_until_us_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_map<std::string, std::string> nations_ ABSL_GUARDED_BY(mu_);
  int64_t orgs_read_us_ ABSL_GUARDED_BY(mu_) = -1;
};

}  // namespace kizuna::policy
