// Kizuna. The one policy decision: may this principal see this object version, and how much
// of it?
#pragma once

// Exactly one function decides whether a principal may see an object, and every read path
// calls it (through policy::Policy, which gathers the facts): TAXII objects, object,
// versions and manifest, `kizuna export`, sync push and pull, detection's choice of
// indicators. The rules, in order (docs/policy.md has them in full, with the decision table
// generated from tests/policy/cases/matrix.case):
//
//  1. The node operator (command line with the data directory) sees everything.
//  2. The creator's organisation always sees its own objects, whole. The creator is
//     created_by_ref; for an object without one (every SCO), the organisation that added the
//     version to this node (its adder, store::StoredObject::added_by): such an object is
//     released as its adder's, here and in rule 4.
//  3. Every object marking must allow the principal; a marking that cannot be resolved, or
//     is not understood, denies. Per marking:
//       TLP:CLEAR        anyone who may read the collection; forwarded to any peer.
//       TLP:GREEN        members of the communities the collection serves (everyone who may
//                        read a collection that names none); forwarded only to peers in them.
//       TLP:AMBER        the collection's readers; a peer only if the object was created on
//                        this node (AMBER received from elsewhere is never forwarded).
//       TLP:AMBER+STRICT as AMBER, and only organisations named by a recipients marking.
//       TLP:RED          only organisations named by a recipients marking; never a peer.
//       releasable_to    the principal's nation is listed, or one of its communities.
//       recipients       the principal's organisation is listed.
//       statement        informational, unless it reads "REL TO ..." (then releasable_to).
//  4. An object with no TLP, releasability or recipients marking follows the collection's
//     default release (creator's nation by default; the adder's nation for an object
//     without created_by_ref). Marking and extension definitions
//     without such markings are released to every reader: they are needed to read the rest.
//  5. Granular markings that do not allow the principal remove what they select from the
//     copy served (allow with redactions); if the copy is no longer a valid object (a
//     required property was removed), the object is withheld (deny).
// Revoked versions follow the same rules as the others.
//
// Decide is pure: no I/O, no clock, deterministic. Cost without granular markings: a few
// comparisons per marking; with denied granular markings, one parse, copy and validation.
// Thread-safety: stateless.

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "kizuna/policy/collection_policy.h"
#include "kizuna/policy/marking.h"
#include "kizuna/identity/principal.h"

namespace kizuna::policy {

enum class Verdict : uint8_t { kAllow, kDeny, kAllowWithRedactions };

// Returns "allow", "deny" or "allow-with-redactions".
std::string_view VerdictName(Verdict v);

// One granular marking, resolved.
struct ResolvedGranular {
  const MarkingFacts* marking = nullptr;  // null when the marking_ref cannot be resolved
  std::span<const std::string> selectors;
};

// What the decision needs to know about one object version, gathered by the caller.
struct ObjectFacts {
  std::string_view id;
  std::string_view type;
  std::string_view created_by_ref;  // empty when absent
  std::string_view creator_nation;  // of created_by_ref's organisation; empty when unknown
  // Who added the version to this node, used only when created_by_ref is empty: the
  // organisation (identity id) and its nation; empty when the operator added it (and the
  // organisation for a peer node without one).
  std::string_view added_by;
  std::string_view adder_nation;
  bool received = false;            // pulled from a peer (provenance), not created here
  // Object markings, in order; a null entry is a marking that cannot be resolved.
  std::span<const MarkingFacts* const> markings;
  std::span<const ResolvedGranular> granular;
  std::string_view json;  // the stored JSON; REQUIRED when `granular` is not empty
};

// The organisation that owns an object version for release and delete: its created_by_ref,
// or when it has none, the organisation that added it (empty when nobody but the operator
// owns it).
inline std::string_view OwnerOf(std::string_view created_by_ref, std::string_view added_by) {
  return created_by_ref.empty() ? added_by : created_by_ref;
}
inline std::string_view OwnerOf(const ObjectFacts& object) {
  return OwnerOf(object.created_by_ref, object.added_by);
}

struct Decision {
  Verdict verdict = Verdict::kDeny;
  // Which rule decided, e.g. "tlp-red-never-forwarded" (static text; for tests, logs and
  // docs, never shown to a client, whose answer must not reveal the object).
  std::string_view rule;
  std::string redacted;  // kAllowWithRedactions: the copy to serve instead of the stored JSON
};

// The decision. REQUIRES: the principal may read the collection (or, for a peer, the
// collection is mapped to it).
Decision Decide(const identity::Principal& principal, const CollectionPolicy& collection, const ObjectFacts& object);

// How one marking applies to the principal, by the rule Decide uses for it: allowed, e.g.
// "tlp-green-in-community", "releasable-to-nation", "named-recipient", "informational"; or
// denied, e.g. "not-releasable", "unresolved-marking" (static text).
struct MarkingOutcome {
  bool allows = false;
  std::string_view rule;
};

// The decision with its reasons, for an operator (`kizuna policy explain`).
struct Explanation {
  Decision decision;  // exactly what Decide returns for the same facts
  // One outcome per ObjectFacts::markings and per ObjectFacts::granular, in order; both
  // empty when the decision consulted no marking (the operator, the creator's organisation).
  std::vector<MarkingOutcome> markings;
  std::vector<MarkingOutcome> granular;
};

// Returns Decide's decision and how each marking applies, from the same rules. The decision
// stops at the first marking that denies; the outcomes go on through every marking given.
// REQUIRES: as Decide.
Explanation Explain(const identity::Principal& principal, const CollectionPolicy& collection,
                    const ObjectFacts& object);

}  // namespace kizuna::policy
