// Kizuna.
#include "kizuna/policy/policy.h"

#include <algorithm>

#include "kizuna/base/status.h"
#include "kizuna/base/strings.h"
#include "kizuna/policy/redact.h"

namespace kizuna::policy {

absl::StatusOr<CollectionPolicy> PolicyOf(const store::Collection& collection) {
  CollectionPolicy out;
  out.communities = collection.communities;
  absl::StatusOr<identity::DefaultRelease> release = identity::ParseDefaultRelease(collection.default_release);
  if (!release.ok()) return Annotate(release.status(), StrCat("collection ", collection.id, ": "));
  out.default_release = std::move(*release);
  return out;
}

namespace {

// A user principal of organisation `org` (id or name), with the groups it is in.
absl::StatusOr<identity::Principal> PrincipalOf(store::Directory& directory, std::string user, std::string_view org,
                                                uint8_t roles) {
  KZ_ASSIGN_OR_RETURN(store::Organization found, directory.FindOrganization(org));
  KZ_ASSIGN_OR_RETURN(std::vector<store::Group> groups, directory.ListGroups());
  std::vector<std::string> member_of;
  for (const store::Group& g : groups) {
    if (std::find(g.members.begin(), g.members.end(), found.id) != g.members.end()) member_of.push_back(g.name);
  }
  if (user.empty()) user = found.name;
  return identity::UserPrincipal(std::move(user), found.id, found.nation, std::move(member_of), roles);
}

}  // namespace

absl::StatusOr<identity::Principal> PrincipalForUser(store::Directory& directory, std::string_view name) {
  KZ_ASSIGN_OR_RETURN(std::vector<store::User> users, directory.ListUsers());
  auto user = std::find_if(users.begin(), users.end(), [&](const store::User& u) { return u.name == name; });
  if (user == users.end()) return absl::NotFoundError(StrCat("user '", name, "' does not exist"));
  if (user->disabled) return absl::FailedPreconditionError(StrCat("user '", name, "' is disabled"));
  return PrincipalOf(directory, user->name, user->organization, user->roles);
}

absl::StatusOr<identity::Principal> PrincipalForOrganization(store::Directory& directory, std::string_view org,
                                                             identity::Role role) {
  return PrincipalOf(directory, "", org, static_cast<uint8_t>(role));
}

identity::Principal PrincipalForPeer(const store::Peer& peer) {
  return identity::PeerPrincipal(peer.name, peer.organization, peer.nation, peer.communities);
}

std::string ReleaseKey(const identity::Principal& principal) {
  std::vector<std::string> groups = principal.groups;
  std::sort(groups.begin(), groups.end());
  std::string key = StrCat(static_cast<int>(principal.Kind()), '\0', principal.organization, '\0',
                           principal.nation, '\0');
  for (const std::string& g : groups) StrAppend(key, g, '\0');
  return key;
}

std::string CollectionKey(const store::Collection& collection) {
  std::string key = StrCat(collection.id, '\1', collection.default_release);
  for (const std::string& community : collection.communities) StrAppend(key, '\1', community);
  return key;
}

// The facts of one Filter/DecideEntry call: markings and nations met so far, held locally
// so that a page of objects sharing a few markings locks the shared caches a few times.
class Policy::Batch {
 public:
  Batch(Policy& policy, const identity::Principal& principal, const CollectionPolicy& collection)
      : policy_(policy), principal_(principal), collection_(collection) {}

  // Uses `facts` for marking `id` in this batch (ExplainEntry's pending definitions).
  void Seed(std::string_view id, std::shared_ptr<const MarkingFacts> facts) {
    local_.insert_or_assign(std::string(id), std::move(facts));
  }

  // Returns the decision for `o`. With `explanation` (not null), also resolves every marking
  // and the creator's nation, which change no decision, and says how each marking applies.
  absl::StatusOr<Decision> Decide(const store::StoredObject& o, EntryExplanation* explanation = nullptr) {
    ObjectFacts facts;
    facts.id = o.id;
    facts.type = o.type;
    facts.created_by_ref = o.created_by_ref;
    facts.added_by = o.added_by;
    facts.adder_nation = o.added_by_nation;
    facts.received = !o.origin.empty();
    const std::string_view owner = OwnerOf(facts);
    if (principal_.Kind() == identity::PrincipalKind::kOperator ||
        (!principal_.organization.empty() && principal_.organization == owner)) {
      if (explanation != nullptr) explanation->received = facts.received;
      return policy::Decide(principal_, collection_, facts);  // decided before any marking
    }
    refs_.clear();
    for (std::string_view rest = o.markings; !rest.empty();) {
      size_t space = rest.find(' ');
      refs_.push_back(rest.substr(0, space));
      rest = space == std::string_view::npos ? std::string_view() : rest.substr(space + 1);
    }
    size_t granular = std::min<size_t>(o.granular_refs, refs_.size());
    markings_.clear();
    for (size_t i = 0; i + granular < refs_.size(); ++i) {
      KZ_ASSIGN_OR_RETURN(const MarkingFacts* m, Marking(refs_[i], owner));
      markings_.push_back(m);
      // Decide stops at the first marking that denies; an unresolved one always does, so the
      // markings after it need not be looked up (what a flood of unknown ids would cost).
      if (m == nullptr && explanation == nullptr) break;
    }
    facts.markings = markings_;
    std::string nation;
    if ((explanation != nullptr || collection_.default_release.kind == identity::DefaultReleaseKind::kCreatorNation) &&
        !o.created_by_ref.empty()) {
      KZ_ASSIGN_OR_RETURN(nation, policy_.NationOf(o.created_by_ref));
      facts.creator_nation = nation;
    }
    std::vector<GranularMarking> read;
    std::vector<ResolvedGranular> resolved;
    if (granular > 0) {
      if (o.json.empty()) return absl::InternalError(StrCat(o.id, ": granular markings without the object's JSON"));
      absl::StatusOr<std::vector<GranularMarking>> g = ReadGranularMarkings(o.json);
      if (!g.ok()) return Decision{Verdict::kDeny, "granular-unreadable", {}};
      read = std::move(*g);
      for (const GranularMarking& m : read) {
        KZ_ASSIGN_OR_RETURN(const MarkingFacts* f, Marking(m.marking_ref, owner));
        resolved.push_back({f, m.selectors});
      }
      facts.granular = resolved;
      facts.json = o.json;
    }
    if (explanation == nullptr) return policy::Decide(principal_, collection_, facts);
    return Explained(facts, read, *explanation);
  }

 private:
  // Fills `out` from policy::Explain over `facts` (whose markings are refs_, then `granular`)
  // and returns its decision.
  Decision Explained(const ObjectFacts& facts, const std::vector<GranularMarking>& granular,
                     EntryExplanation& out) {
    Explanation e = policy::Explain(principal_, collection_, facts);
    out.creator_nation = std::string(facts.creator_nation);
    out.received = facts.received;
    auto reason = [](std::string_view id, const MarkingFacts* m, MarkingOutcome outcome) {
      MarkingReason r{std::string(id), false, {}, std::nullopt, outcome};
      if (m != nullptr) r.facts = *m;
      return r;
    };
    for (size_t i = 0; i < e.markings.size(); ++i) out.markings.push_back(reason(refs_[i], facts.markings[i], e.markings[i]));
    for (size_t i = 0; i < e.granular.size(); ++i) {
      out.markings.push_back(reason(granular[i].marking_ref, facts.granular[i].marking, e.granular[i]));
      out.markings.back().granular = true;
      out.markings.back().selectors = granular[i].selectors;
    }
    return std::move(e.decision);
  }

  // Returns the facts of marking `id` on an object owned by `creator` (OwnerOf), or null when
  // the marking cannot be resolved for it.
  absl::StatusOr<const MarkingFacts*> Marking(std::string_view id, std::string_view creator) {
    auto it = local_.find(AbslView(id));
    if (it == local_.end()) {
      KZ_ASSIGN_OR_RETURN(std::shared_ptr<const MarkingFacts> facts, policy_.Resolve(id));
      it = local_.emplace(std::string(id), std::move(facts)).first;
    }
    const MarkingFacts* facts = it->second.get();
    if (facts != nullptr && !facts->local_author.empty() && facts->local_author != creator) return nullptr;
    return facts;
  }

  Policy& policy_;
  const identity::Principal& principal_;
  const CollectionPolicy& collection_;
  absl::flat_hash_map<std::string, std::shared_ptr<const MarkingFacts>> local_;
  std::vector<const MarkingFacts*> markings_;
  std::vector<std::string_view> refs_;  // of the object being decided, into its `markings`
};

Policy::Policy(store::Store& store, store::Directory* directory, Clock& clock, PolicyOptions options)
    : store_(store), directory_(directory), clock_(clock), options_(options) {}

absl::StatusOr<std::shared_ptr<const MarkingFacts>> Policy::Resolve(std::string_view id) {
  if (std::optional<MarkingFacts> predefined = PredefinedMarking(id)) {
    return std::make_shared<const MarkingFacts>(std::move(*predefined));
  }
  int64_t now = clock_.NowMicros();
  {
    absl::MutexLock lock(&mu_);
    auto known = markings_.find(AbslView(id));
    if (known != markings_.end()) return known->second;
    auto unknown = unknown_until_us_.find(AbslView(id));
    if (unknown != unknown_until_us_.end() && unknown->second > now) return nullptr;
  }
  absl::StatusOr<store::MarkingDefinitionRecord> held = store_.FindMarkingDefinition(id);
  std::shared_ptr<const MarkingFacts> facts;
  if (held.ok()) {
    absl::StatusOr<MarkingFacts> read = ReadMarkingDefinition(held->json);
    MarkingFacts f = read.ok() ? std::move(*read) : MarkingFacts{};
    f.local_author = std::move(held->local_author);
    facts = std::make_shared<const MarkingFacts>(std::move(f));
  } else if (held.status().code() != absl::StatusCode::kNotFound) {
    return held.status();
  }
  absl::MutexLock lock(&mu_);
  if (facts) {
    if (markings_.size() >= options_.max_cached_markings) markings_.clear();
    markings_.emplace(std::string(id), facts);
  } else {
    if (unknown_until_us_.size() >= options_.max_cached_markings) unknown_until_us_.clear();
    unknown_until_us_[std::string(id)] = now + options_.unknown_marking_ttl_us;
  }
  return facts;
}

absl::StatusOr<std::string> Policy::NationOf(std::string_view id) {
  if (directory_ == nullptr) return std::string();
  int64_t now = clock_.NowMicros();
  {
    absl::MutexLock lock(&mu_);
    auto it = nations_.find(AbslView(id));
    if (it != nations_.end()) return it->second;
    if (orgs_read_us_ >= 0 && now - orgs_read_us_ < options_.org_refresh_interval_us) return std::string();
  }
  KZ_ASSIGN_OR_RETURN(std::vector<store::Organization> orgs, directory_->ListOrganizations());
  absl::MutexLock lock(&mu_);
  orgs_read_us_ = now;
  for (store::Organization& o : orgs) nations_[o.id] = std::move(o.nation);
  auto it = nations_.find(AbslView(id));
  return it != nations_.end() ? it->second : std::string();
}

absl::StatusOr<size_t> Policy::Filter(const identity::Principal& principal, const store::Collection& collection,
                                      std::vector<store::StoredObject>& objects,
                                      std::vector<store::StoredObject>* denied) {
  KZ_ASSIGN_OR_RETURN(CollectionPolicy settings, PolicyOf(collection));
  Batch batch(*this, principal, settings);
  size_t kept = 0;
  for (size_t i = 0; i < objects.size(); ++i) {
    KZ_ASSIGN_OR_RETURN(Decision d, batch.Decide(objects[i]));
    if (d.verdict == Verdict::kDeny) {
      if (denied != nullptr) denied->push_back(std::move(objects[i]));
      continue;
    }
    if (d.verdict == Verdict::kAllowWithRedactions) objects[i].json = std::move(d.redacted);
    if (kept != i) objects[kept] = std::move(objects[i]);
    ++kept;
  }
  size_t removed = objects.size() - kept;
  objects.resize(kept);
  return removed;
}

absl::StatusOr<EntryExplanation> Policy::ExplainEntry(
    const identity::Principal& principal, const store::Collection& collection, const store::StoredObject& object,
    const absl::flat_hash_map<std::string, MarkingFacts>* pending) {
  KZ_ASSIGN_OR_RETURN(CollectionPolicy settings, PolicyOf(collection));
  Batch batch(*this, principal, settings);
  if (pending != nullptr) {
    for (const auto& [id, facts] : *pending) {
      KZ_ASSIGN_OR_RETURN(std::shared_ptr<const MarkingFacts> held, Resolve(id));
      if (held != nullptr) continue;  // the definition held wins, as the store keeps the first
      MarkingFacts f = facts;
      f.local_author = object.added_by;
      batch.Seed(id, std::make_shared<const MarkingFacts>(std::move(f)));
    }
  }
  EntryExplanation out;
  KZ_ASSIGN_OR_RETURN(Decision decision, batch.Decide(object, &out));
  out.decision = std::move(decision);
  return out;
}

absl::StatusOr<Decision> Policy::DecideEntry(const identity::Principal& principal, const store::Collection& collection,
                                             const store::StoredObject& object) {
  KZ_ASSIGN_OR_RETURN(CollectionPolicy settings, PolicyOf(collection));
  Batch batch(*this, principal, settings);
  return batch.Decide(object);
}

}  // namespace kizuna::policy
