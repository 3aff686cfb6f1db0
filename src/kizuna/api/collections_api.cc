// Kizuna. GET /api/v1/collections: the collections the caller may read or write.
//
// -> [{"id", "title", "description", "alias", "api_root", "can_read", "can_write", "objects"}]:
// a collection the caller may neither read nor write is not listed; "objects" counts the
// objects (latest versions) released to the caller, exactly as many as its TAXII read of the
// collection gives (ReleasedCounter::CountObjects), 0 for a write-only collection. The counts
// are kept per release key and collection and brought up to date from the entries added since
// (ObjectCount).
#include <algorithm>
#include <boost/json.hpp>
#include <utility>
#include <vector>

#include "kizuna/api/answer.h"
#include "kizuna/api/console_endpoints.h"
#include "kizuna/api/released_counts.h"
#include "kizuna/base/status.h"
#include "kizuna/base/strings.h"

namespace kizuna::api {

absl::StatusOr<int64_t> ConsoleEndpoints::ObjectCount(const identity::Principal& principal,
                                                      const store::Collection& collection,
                                                      const KeptStamp& stamp, int64_t now_us,
                                                      const std::vector<store::Collection>& counted,
                                                      CountViews& views) {
  std::string key = StrCat("objects", '\0', policy::ReleaseKey(principal), '\0',
                           policy::CollectionKey(collection));
  std::optional<KeptCount> kept;
  {
    absl::MutexLock lock(&kept_mu_);
    if (const KeptCount* found = object_counts_.Find(key)) kept = *found;
  }
  const bool current = kept.has_value() && now_us >= kept->counted_us &&
                       now_us - kept->counted_us < kRecountMaxAgeUs &&
                       kept->counted_us >= kept->settled_us &&
                       stamp.last_added >= kept->through_us && stamp.deletes == kept->deletes;
  if (current && stamp.last_added == kept->through_us && stamp.changes == kept->changes)
    return kept->objects;
  std::optional<int64_t> added;
  // Entries only added since (a delete makes `current` false): count what they add, on a view
  // of those entries (on PostgreSQL a view is a copy: of the new entries, not of every entry of
  // the collections counted). A view holding more serves too (the counter selects the range
  // itself): one serves every collection of the request whose count was kept as late or later.
  if (current && stamp.last_added > kept->through_us) {
    store::Connection* since = views.all.get();
    if (since == nullptr) {
      if (views.since == nullptr || views.since_after_us > kept->through_us) {
        KZ_ASSIGN_OR_RETURN(views.since, db_.OpenReportView(CountScope(counted, kept->through_us,
                                                                       stamp.last_added)));
        views.since_after_us = kept->through_us;
      }
      since = views.since.get();
    }
    ReleasedCounter counter(*since, db_, policy_);
    KZ_ASSIGN_OR_RETURN(added, counter.ObjectsAdded(principal, collection, kept->through_us,
                                                    stamp.last_added, kMaxObjectsAdvanced));
  }
  if (!added.has_value() && views.all == nullptr) {
    KZ_ASSIGN_OR_RETURN(views.all, db_.OpenReportView(CountScope(counted)));
  }
  KeptCount next;
  if (added.has_value()) {
    next = *kept;
    next.objects += *added;
    next.through_us = stamp.last_added;
  } else {
    // One snapshot, which may hold entries added after the stamp: the count is through its
    // newest entry.
    store::Connection& sql = *views.all;
    ReleasedCounter counter(sql, db_, policy_);
    KZ_RETURN_IF_ERROR(sql.Exec("BEGIN"));
    absl::StatusOr<int64_t> objects = counter.CountObjects(principal, collection);
    absl::StatusOr<int64_t> through = counter.LastEntryAdded();
    absl::StatusOr<int64_t> newest =
        counter.LastDefinitionAdded(now_us - kMarkingSettleUs, stamp.last_added);
    KZ_RETURN_IF_ERROR(sql.Exec("COMMIT"));
    KZ_RETURN_IF_ERROR(objects.status());
    KZ_RETURN_IF_ERROR(through.status());
    KZ_RETURN_IF_ERROR(newest.status());
    next.objects = *objects;
    next.through_us = std::max(stamp.last_added, *through);
    next.counted_us = now_us;
    next.settled_us = *newest == 0 ? 0 : *newest + kMarkingSettleUs;
  }
  next.changes = stamp.changes;
  next.deletes = stamp.deletes;
  absl::MutexLock lock(&kept_mu_);
  object_counts_.Put(principal.user, std::move(key), next);
  return next.objects;
}

http::Response ConsoleEndpoints::Collections(const ApiCall& call) {
  call.info.endpoint = "api-collections";
  // The stamp is taken before anything is read: nothing is counted as newer than it is.
  absl::StatusOr<KeptStamp> stamp = StampNow();
  const int64_t now_us = clock_.NowMicros();
  absl::StatusOr<std::vector<store::Collection>> all = db_.ListCollections("");
  if (!all.ok() || !stamp.ok()) return ErrorAnswer(500, "the collections could not be read");
  std::vector<std::pair<const store::Collection*, taxii::CollectionAccess>> listed;
  std::vector<store::Collection> readable;  // counted, on one report view
  for (const store::Collection& c : *all) {
    absl::StatusOr<taxii::CollectionAccess> can = access_.Access(call.principal, c.id);
    if (!can.ok()) return ErrorAnswer(500, "the grants could not be read");
    if (!can->can_read && !can->can_write) continue;
    listed.emplace_back(&c, *can);
    if (can->can_read) readable.push_back(c);
  }
  CountViews views;
  boost::json::array out;
  for (const auto& [collection, can] : listed) {
    const store::Collection& c = *collection;
    int64_t objects = 0;
    if (can.can_read) {
      absl::StatusOr<int64_t> counted =
          ObjectCount(call.principal, c, *stamp, now_us, readable, views);
      if (!counted.ok()) return ErrorAnswer(500, "the collection could not be read");
      objects = *counted;
    }
    out.push_back({{"id", c.id},
                   {"title", c.title},
                   {"description", c.description},
                   {"alias", c.alias},
                   {"api_root", c.api_root},
                   {"can_read", can.can_read},
                   {"can_write", can.can_write},
                   {"objects", objects}});
  }
  return JsonAnswer(boost::json::serialize(out));
}

}  // namespace kizuna::api
