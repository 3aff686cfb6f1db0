// Kizuna.
#include "kizuna/policy/released_reader.h"

#include <algorithm>

#include "kizuna/base/status.h"

namespace kizuna::policy {
namespace {

// The version of `visible` (one object's versions the principal may see) that takes the place
// of `withheld`, a first or last version that `filter` selected, or null. Without
// match[spec_version] only the highest spec version among them takes part, as in the store.
const store::StoredObject* Replacement(const store::ObjectFilter& filter, const store::StoredObject& withheld,
                                       const std::vector<store::StoredObject>& visible) {
  stix::SpecVersion spec = withheld.spec_version;
  if (filter.spec_versions.empty()) {
    spec = stix::SpecVersion::k20;
    for (const store::StoredObject& v : visible) spec = std::max(spec, v.spec_version);
  }
  const store::StoredObject *oldest = nullptr, *newest = nullptr;
  for (const store::StoredObject& v : visible) {
    if (v.spec_version != spec) continue;
    if (oldest == nullptr || v.version_ns < oldest->version_ns) oldest = &v;
    if (newest == nullptr || v.version_ns > newest->version_ns) newest = &v;
  }
  if (newest == nullptr) return nullptr;
  // With both first and last asked for, the withheld entry was the last if it is newer than
  // every visible version, else the first.
  bool last = filter.versions.last && (!filter.versions.first || withheld.version_ns > newest->version_ns);
  const store::StoredObject* chosen = last ? newest : oldest;
  return chosen->date_added_us > filter.added_after_us.value_or(0) ? chosen : nullptr;
}

}  // namespace

absl::Status ReleasedReader::ReadStore(const store::Collection& collection, const ReadTarget& target,
                                      const store::PageRequest& request, store::Page& page) {
  switch (target.kind) {
    case ReadTarget::Kind::kObjects:
      return store_.GetObjectsInto(collection.id, request, store::WithJson::kYes, page);
    case ReadTarget::Kind::kManifest:
      return store_.GetObjectsInto(collection.id, request, store::WithJson::kNo, page);
    case ReadTarget::Kind::kObject: {
      KZ_ASSIGN_OR_RETURN(page, store_.GetObject(collection.id, target.object_id, request));
      return absl::OkStatus();
    }
    case ReadTarget::Kind::kVersions: {
      KZ_ASSIGN_OR_RETURN(page, store_.GetVersions(collection.id, target.object_id, request));
      return absl::OkStatus();
    }
  }
  return absl::InternalError("unknown read target");
}

absl::Status ReleasedReader::FilterPage(const identity::Principal& principal, const store::Collection& collection,
                                        const ReadTarget& target, const store::ObjectFilter& filter,
                                        std::vector<store::StoredObject>& objects, std::vector<int64_t>& positions) {
  const bool chooses = target.kind != ReadTarget::Kind::kVersions && !filter.versions.all &&
                       (filter.versions.first || filter.versions.last);
  std::vector<store::StoredObject> denied;
  KZ_RETURN_IF_ERROR(policy_.Filter(principal, collection, objects, chooses ? &denied : nullptr).status());
  positions.clear();
  for (const store::StoredObject& o : objects) positions.push_back(o.date_added_us);
  for (const store::StoredObject& withheld : denied) {
    if (withheld.single_version) continue;  // no other version to show instead
    store::PageRequest all;
    all.limit = store::kMaxPageLimit;
    all.filter.versions.all = true;
    all.filter.spec_versions = filter.spec_versions;
    KZ_ASSIGN_OR_RETURN(store::Page versions, store_.GetObject(collection.id, withheld.id, all));
    KZ_RETURN_IF_ERROR(policy_.Filter(principal, collection, versions.objects).status());
    const store::StoredObject* replacement = Replacement(filter, withheld, versions.objects);
    if (replacement == nullptr) continue;
    bool shown = std::any_of(objects.begin(), objects.end(), [&](const store::StoredObject& o) {
      return o.date_added_us == replacement->date_added_us;
    });
    if (shown) continue;
    size_t at = std::lower_bound(positions.begin(), positions.end(), withheld.date_added_us) - positions.begin();
    objects.insert(objects.begin() + at, *replacement);
    positions.insert(positions.begin() + at, withheld.date_added_us);
  }
  return absl::OkStatus();
}

absl::StatusOr<store::Page> ReleasedReader::Read(const identity::Principal& principal, const store::Collection& collection,
                                                 const ReadTarget& target, store::PageRequest request,
                                                 size_t max_entries_read) {
  store::Page out;
  KZ_RETURN_IF_ERROR(ReadInto(principal, collection, target, std::move(request), out, max_entries_read));
  return out;
}

absl::Status ReleasedReader::ReadInto(const identity::Principal& principal, const store::Collection& collection,
                                      const ReadTarget& target, store::PageRequest request, store::Page& out,
                                      size_t max_entries_read) {
  const size_t limit = request.limit;
  std::vector<int64_t> positions;
  // The first store page is read in place: what the policy releases stays where it is (a
  // version standing in for a withheld one takes its place, so the page never grows).
  KZ_RETURN_IF_ERROR(ReadStore(collection, target, request, out));
  size_t read = out.objects.size();
  KZ_RETURN_IF_ERROR(FilterPage(principal, collection, target, request.filter, out.objects, positions));
  store::Page page;
  while (out.more && out.objects.size() < limit && read < max_entries_read) {
    request.after = out.next;
    request.limit = std::min(request.limit * 2, store::kMaxPageLimit);
    KZ_RETURN_IF_ERROR(ReadStore(collection, target, request, page));
    read += page.objects.size();
    KZ_RETURN_IF_ERROR(FilterPage(principal, collection, target, request.filter, page.objects, positions));
    size_t room = limit - out.objects.size();
    if (page.objects.size() > room) {
      // More visible entries than room: stop after the last one served.
      page.objects.resize(room);
      page.more = true;
      page.next.after_date_added_us = positions[room - 1];
    }
    for (store::StoredObject& o : page.objects) out.objects.push_back(std::move(o));
    out.more = page.more;
    out.next = page.next;
  }
  return absl::OkStatus();
}

}  // namespace kizuna::policy
