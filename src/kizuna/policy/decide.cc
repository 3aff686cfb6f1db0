// Kizuna.
#include "kizuna/policy/decide.h"

#include <algorithm>
#include <optional>
#include <vector>

#include "kizuna/policy/redact.h"
#include "kizuna/stix/parser.h"

namespace kizuna::policy {
namespace {

// The outcome of one rule: allowed, or denied by `rule`.
struct Check {
  bool ok = true;
  std::string_view rule;
};

bool Contains(const std::vector<std::string>& list, std::string_view v) {
  return !v.empty() && std::find(list.begin(), list.end(), v) != list.end();
}

bool SharesAny(const std::vector<std::string>& a, const std::vector<std::string>& b) {
  for (const std::string& x : a) {
    if (Contains(b, x)) return true;
  }
  return false;
}

class Rules {
 public:
  Rules(const identity::Principal& p, const CollectionPolicy& c, const ObjectFacts& o)
      : p_(p), c_(c), o_(o), peer_(p.Kind() == identity::PrincipalKind::kPeer) {}

  // Community membership for TLP:GREEN: a collection that names no community is its own
  // community of readers, which a peer is not part of.
  bool InCommunity() const {
    if (c_.communities.empty()) return !peer_;
    return SharesAny(p_.groups, c_.communities);
  }

  bool Releases(const identity::Releasability& r) const {
    return Contains(r.nations, p_.nation) || SharesAny(p_.groups, r.communities);
  }

  // True if an object-level recipients marking names the principal's organisation.
  bool NamedRecipient() const {
    for (const MarkingFacts* m : o_.markings) {
      if (m != nullptr && m->recipients && Contains(*m->recipients, p_.organization)) return true;
    }
    return false;
  }

  // Allowed checks name the rule too, for Explain; Decide reports only the denying ones.
  Check Tlp(TlpLevel level) const {
    switch (level) {
      case TlpLevel::kClear:
        return {true, "tlp-clear"};
      case TlpLevel::kGreen:
        return InCommunity() ? Check{true, "tlp-green-in-community"} : Check{false, "tlp-green-outside-community"};
      case TlpLevel::kAmber:
        if (peer_ && o_.received) return {false, "tlp-amber-not-forwarded"};
        return {true, peer_ ? "tlp-amber-created-here" : "tlp-amber-collection-reader"};
      case TlpLevel::kAmberStrict:
        if (peer_ && o_.received) return {false, "tlp-amber-not-forwarded"};
        return NamedRecipient() ? Check{true, "tlp-amber-strict-named"} : Check{false, "tlp-amber-strict-not-named"};
      case TlpLevel::kRed:
        if (peer_) return {false, "tlp-red-never-forwarded"};
        return NamedRecipient() ? Check{true, "tlp-red-named"} : Check{false, "tlp-red-not-named"};
    }
    return {false, "tlp-unknown"};
  }

  Check Marking(const MarkingFacts* m) const {
    if (m == nullptr) return {false, "unresolved-marking"};
    if (!m->understood) return {false, "marking-not-understood"};
    Check last{true, "informational"};
    if (m->tlp) {
      last = Tlp(*m->tlp);
      if (!last.ok) return last;
    }
    if (m->releasable_to) {
      if (!Releases(*m->releasable_to)) return {false, "not-releasable"};
      last = {true, Contains(m->releasable_to->nations, p_.nation) ? "releasable-to-nation" : "releasable-to-community"};
    }
    if (m->recipients) {
      if (!Contains(*m->recipients, p_.organization)) return {false, "not-a-recipient"};
      last = {true, "named-recipient"};
    }
    return last;
  }

  Check Default() const {
    switch (c_.default_release.kind) {
      case identity::DefaultReleaseKind::kCreatorNation:
        return {!p_.nation.empty() && p_.nation == OwnerNation(), "default-creator-nation"};
      case identity::DefaultReleaseKind::kReaders:
        return {true, "default-readers"};
      case identity::DefaultReleaseKind::kCommunities:
        return {InCommunity(), "default-communities"};
      case identity::DefaultReleaseKind::kList:
        return {Releases(c_.default_release.list), "default-list"};
    }
    return {false, "default-unknown"};
  }

  // The nation of the object's owner: its creator's, or for an object without
  // created_by_ref, its adder's.
  std::string_view OwnerNation() const {
    return o_.created_by_ref.empty() ? o_.adder_nation : o_.creator_nation;
  }

  // Rules 3 and 4: the object as a whole.
  Check Object() const {
    bool restricted = false;
    for (const MarkingFacts* m : o_.markings) {
      if (Check c = Marking(m); !c.ok) return c;
      restricted = restricted || m->Restricts();
    }
    if (restricted) return {true, "markings"};
    if (o_.type == "marking-definition" || o_.type == "extension-definition") return {true, "metadata"};
    return Default();
  }

 private:
  const identity::Principal& p_;
  const CollectionPolicy& c_;
  const ObjectFacts& o_;
  const bool peer_;
};

// Rule 5: removes what denied granular markings select; withholds an invalid copy.
Decision Granular(const Rules& rules, const ObjectFacts& o, Decision allowed) {
  std::vector<std::string> removed;
  std::string_view first_rule;
  for (const ResolvedGranular& g : o.granular) {
    Check c = rules.Marking(g.marking);
    if (c.ok) continue;
    if (first_rule.empty()) first_rule = c.rule;
    removed.insert(removed.end(), g.selectors.begin(), g.selectors.end());
  }
  if (removed.empty()) return allowed;
  absl::StatusOr<std::string> copy = Redact(o.json, removed);
  if (!copy.ok()) return {Verdict::kDeny, "granular-unreadable", {}};
  thread_local stix::ObjectParser parser;
  if (!parser.Parse(*copy, stix::Padding::kAbsent).ok()) return {Verdict::kDeny, "granular-required-property", {}};
  return {Verdict::kAllowWithRedactions, first_rule, std::move(*copy)};
}

}  // namespace

std::string_view VerdictName(Verdict v) {
  switch (v) {
    case Verdict::kAllow: return "allow";
    case Verdict::kDeny: return "deny";
    case Verdict::kAllowWithRedactions: return "allow-with-redactions";
  }
  return "?";
}

namespace {

// Rules 1 and 2: the principals decided before any marking; nullopt for the others.
std::optional<Decision> DecidedFirst(const identity::Principal& principal, const ObjectFacts& object) {
  if (principal.Kind() == identity::PrincipalKind::kOperator) return Decision{Verdict::kAllow, "operator", {}};
  if (!principal.organization.empty() && principal.organization == OwnerOf(object)) {
    return Decision{Verdict::kAllow,
                    object.created_by_ref.empty() ? "adder-organization" : "creator-organization", {}};
  }
  return std::nullopt;
}

Decision DecideWith(const Rules& rules, const ObjectFacts& object) {
  Check whole = rules.Object();
  if (!whole.ok) return {Verdict::kDeny, whole.rule, {}};
  Decision allowed{Verdict::kAllow, whole.rule, {}};
  if (object.granular.empty()) return allowed;
  return Granular(rules, object, std::move(allowed));
}

}  // namespace

Decision Decide(const identity::Principal& principal, const CollectionPolicy& collection, const ObjectFacts& object) {
  if (std::optional<Decision> first = DecidedFirst(principal, object)) return std::move(*first);
  return DecideWith(Rules(principal, collection, object), object);
}

Explanation Explain(const identity::Principal& principal, const CollectionPolicy& collection,
                    const ObjectFacts& object) {
  Explanation out;
  if (std::optional<Decision> first = DecidedFirst(principal, object)) {
    out.decision = std::move(*first);
    return out;
  }
  Rules rules(principal, collection, object);
  out.decision = DecideWith(rules, object);
  for (const MarkingFacts* m : object.markings) {
    Check c = rules.Marking(m);
    out.markings.push_back({c.ok, c.rule});
  }
  for (const ResolvedGranular& g : object.granular) {
    Check c = rules.Marking(g.marking);
    out.granular.push_back({c.ok, c.rule});
  }
  return out;
}

}  // namespace kizuna::policy
