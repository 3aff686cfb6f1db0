// Kizuna. The Store's public methods: argument checks, then the implementation's hooks.
#include "kizuna/store/store.h"

#include "kizuna/base/status.h"
#include "kizuna/base/strings.h"
#include "kizuna/identity/release.h"
#include "kizuna/store/directory.h"

namespace kizuna::store {
namespace {

bool IsValidRootName(std::string_view name) {
  if (name.empty() || name.size() > 64) return false;
  for (char c : name) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.';
    if (!ok) return false;
  }
  return name != "." && name != "..";
}

absl::Status CheckLimit(const PageRequest& request) {
  if (request.limit < 1 || request.limit > kMaxPageLimit) {
    return absl::InvalidArgumentError(StrCat("page limit must be 1..", kMaxPageLimit, ", got ", request.limit));
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status Store::CreateApiRoot(const ApiRoot& root) {
  if (!IsValidRootName(root.name)) {
    return absl::InvalidArgumentError(
        StrCat("API root name '", root.name, "' is not a path segment of 1-64 [a-z0-9-_.]"));
  }
  if (root.title.empty()) return absl::InvalidArgumentError("an API root needs a title");
  if (root.max_content_length < 0) return absl::InvalidArgumentError("max_content_length must be >= 0");
  absl::Status created = DoCreateApiRoot(root);
  if (created.ok()) CountChange();
  return created;
}

absl::StatusOr<std::vector<ApiRoot>> Store::ListApiRoots() { return DoListApiRoots(); }

absl::StatusOr<ApiRoot> Store::GetApiRoot(std::string_view name) {
  KZ_ASSIGN_OR_RETURN(std::vector<ApiRoot> roots, DoListApiRoots());
  for (ApiRoot& r : roots) {
    if (r.name == name) return std::move(r);
  }
  return absl::NotFoundError(StrCat("API root '", name, "' does not exist"));
}

absl::StatusOr<Collection> Store::CreateCollection(Collection collection) {
  if (collection.title.empty()) return absl::InvalidArgumentError("a collection needs a title");
  if (!collection.alias.empty() && !IsValidRootName(collection.alias)) {
    return absl::InvalidArgumentError(
        StrCat("collection alias '", collection.alias, "' is not a path segment of 1-64 [a-z0-9-_.]"));
  }
  absl::StatusOr<Collection> created = DoCreateCollection(std::move(collection));
  if (created.ok()) CountChange();
  return created;
}

absl::StatusOr<std::vector<Collection>> Store::ListCollections(std::string_view api_root) {
  return DoListCollections(api_root);
}

absl::StatusOr<Collection> Store::FindCollection(std::string_view api_root,
                                                 std::string_view id_or_alias) {
  KZ_ASSIGN_OR_RETURN(std::vector<Collection> all, DoListCollections(api_root));
  for (Collection& c : all) {
    if (c.id == id_or_alias) return std::move(c);
  }
  const Collection* by_alias = nullptr;
  for (const Collection& c : all) {
    if (c.alias != id_or_alias) continue;
    if (by_alias != nullptr) {
      return absl::InvalidArgumentError(StrCat("alias '", id_or_alias,
                                               "' names collections in several API roots; name the root"));
    }
    by_alias = &c;
  }
  if (by_alias != nullptr) return *by_alias;
  return absl::NotFoundError(StrCat("collection '", id_or_alias, "' does not exist"));
}

absl::Status Store::SetCollectionPolicy(std::string_view collection_id,
                                        const std::vector<std::string>& communities,
                                        std::string_view default_release) {
  KZ_RETURN_IF_ERROR(identity::CheckCollectionRelease(communities, default_release));
  std::string joined;
  for (const std::string& c : communities) StrAppend(joined, joined.empty() ? "" : " ", c);
  absl::Status set = DoSetCollectionPolicy(collection_id, joined, default_release);
  if (set.ok()) CountChange();
  return set;
}

namespace {

absl::Status CheckVersions(std::span<const NewObject> objects) {
  for (const NewObject& o : objects) {
    const auto& version = o.index->version();
    if (version && !version->Nanos()) {
      return absl::InvalidArgumentError(
          StrCat(o.index->id, ": the version timestamp is outside the supported years 1678-2261"));
    }
  }
  return absl::OkStatus();
}

absl::Status CheckWriter(const Writer& writer) {
  if (writer.name.empty()) return absl::InvalidArgumentError("a write names its writer");
  if (writer.kind == WriterKind::kUser && writer.organization.empty()) {
    return absl::InvalidArgumentError(StrCat("user '", writer.name, "' writes for no organisation"));
  }
  return absl::OkStatus();
}

absl::Status CheckStatus(const StatusRecord& status) {
  if (status.id.empty()) return absl::InvalidArgumentError("a status needs an id");
  if (status.success_count + status.failure_count + status.pending_count != status.total_count) {
    return absl::InvalidArgumentError("status counts do not add up to total_count");
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::vector<AddResult>> Store::AddObjects(std::string_view collection_id,
                                                         std::span<const NewObject> objects) {
  KZ_RETURN_IF_ERROR(CheckVersions(objects));
  if (objects.empty()) return std::vector<AddResult>();
  KZ_ASSIGN_OR_RETURN(std::vector<AddResult> results, DoAddObjects(collection_id, objects, nullptr, Writer{}, nullptr));
  Committed(collection_id, results);
  return results;
}

absl::StatusOr<std::vector<AddResult>> Store::AddObjectsRecorded(std::string_view collection_id,
                                                                 std::span<const NewObject> objects,
                                                                 const Writer& writer,
                                                                 const RecordAdd& record) {
  KZ_RETURN_IF_ERROR(CheckVersions(objects));
  if (objects.empty()) return absl::InvalidArgumentError("a recorded write needs objects");
  KZ_RETURN_IF_ERROR(CheckWriter(writer));
  const RecordAdd checked = [&record](std::span<const AddResult> results) -> absl::StatusOr<AddRecords> {
    KZ_ASSIGN_OR_RETURN(AddRecords records, record(results));
    if (!records.status.id.empty()) KZ_RETURN_IF_ERROR(CheckStatus(records.status));
    for (const AuditEvent& e : records.audit) KZ_RETURN_IF_ERROR(CheckAuditEvent(e));
    return records;
  };
  KZ_ASSIGN_OR_RETURN(std::vector<AddResult> results,
                      DoAddObjects(collection_id, objects, nullptr, writer, &checked));
  Committed(collection_id, results);
  return results;
}

absl::StatusOr<std::vector<AddResult>> Store::AddPulledObjects(std::string_view collection_id,
                                                               std::span<const NewObject> objects,
                                                               const PullBatch& batch) {
  KZ_RETURN_IF_ERROR(CheckVersions(objects));
  if (batch.remote_date_added.size() != objects.size()) {
    return absl::InvalidArgumentError("a pulled batch needs one remote date_added per object");
  }
  if (batch.peer.empty()) return absl::InvalidArgumentError("a pulled batch names its peer");
  const Writer partner{WriterKind::kPartner, batch.peer, {}};
  KZ_ASSIGN_OR_RETURN(std::vector<AddResult> results, DoAddObjects(collection_id, objects, &batch, partner, nullptr));
  Committed(collection_id, results);
  return results;
}

void Store::SetCommitListener(std::function<void(std::string_view)> listener) {
  commit_listener_ = std::move(listener);
}

void Store::Committed(std::string_view collection_id, const std::vector<AddResult>& results) {
  for (const AddResult& r : results) {
    if (r.outcome == AddOutcome::kAdded) {
      CountChange();
      if (commit_listener_) commit_listener_(collection_id);
      return;
    }
  }
}

void Store::CountChange() { content_changes_.fetch_add(1, std::memory_order_acq_rel); }

void Store::CountChangeElsewhere(bool deleted) {
  if (deleted) deletes_.fetch_add(1, std::memory_order_acq_rel);
  CountChange();
}

absl::StatusOr<int64_t> Store::LastDateAdded() { return DoLastDateAdded(); }

absl::StatusOr<int64_t> Store::EntriesDeleted() { return DoEntriesDeleted(); }

absl::StatusOr<std::string> Store::FindObject(std::string_view object_id) {
  if (object_id.empty()) return absl::InvalidArgumentError("no object id");
  return DoFindObject(object_id);
}

absl::StatusOr<std::vector<std::optional<std::string>>> Store::FindObjects(
    std::span<const std::string> object_ids) {
  for (const std::string& id : object_ids) {
    if (id.empty()) return absl::InvalidArgumentError("no object id");
  }
  return DoFindObjects(object_ids);
}

absl::StatusOr<std::vector<std::optional<std::string>>> Store::DoFindObjects(
    std::span<const std::string> object_ids) {
  std::vector<std::optional<std::string>> found(object_ids.size());
  for (size_t i = 0; i < object_ids.size(); ++i) {
    absl::StatusOr<std::string> json = DoFindObject(object_ids[i]);
    if (absl::IsNotFound(json.status())) continue;
    KZ_RETURN_IF_ERROR(json.status());
    found[i] = std::move(*json);
  }
  return found;
}

absl::StatusOr<MarkingDefinitionRecord> Store::FindMarkingDefinition(std::string_view marking_id) {
  if (marking_id.empty()) return absl::InvalidArgumentError("no marking id");
  return DoFindMarkingDefinition(marking_id);
}

absl::StatusOr<std::vector<Provenance>> Store::GetProvenance(std::string_view collection_id,
                                                             std::string_view object_id) {
  if (object_id.empty()) return absl::InvalidArgumentError("no object id");
  return DoGetProvenance(collection_id, object_id);
}

absl::StatusOr<Page> Store::GetObjects(std::string_view collection_id, const PageRequest& request,
                                       WithJson with_json) {
  Page page;
  KZ_RETURN_IF_ERROR(GetObjectsInto(collection_id, request, with_json, page));
  return page;
}

absl::Status Store::GetObjectsInto(std::string_view collection_id, const PageRequest& request,
                                   WithJson with_json, Page& page) {
  KZ_RETURN_IF_ERROR(CheckLimit(request));
  return DoGetObjects(collection_id, {}, request, with_json, page);
}

absl::StatusOr<Page> Store::GetObject(std::string_view collection_id, std::string_view object_id,
                                      const PageRequest& request) {
  KZ_RETURN_IF_ERROR(CheckLimit(request));
  if (object_id.empty()) return absl::InvalidArgumentError("no object id");
  Page page;
  KZ_RETURN_IF_ERROR(DoGetObjects(collection_id, object_id, request, WithJson::kYes, page));
  return page;
}

absl::StatusOr<Page> Store::GetVersions(std::string_view collection_id, std::string_view object_id,
                                        const PageRequest& request) {
  KZ_RETURN_IF_ERROR(CheckLimit(request));
  if (object_id.empty()) return absl::InvalidArgumentError("no object id");
  PageRequest all = request;
  all.filter.versions = VersionFilter{.first = false, .last = false, .all = true, .exact_ns = {}};
  all.filter.ids.clear();
  all.filter.types.clear();
  Page page;
  KZ_RETURN_IF_ERROR(DoGetObjects(collection_id, object_id, all, WithJson::kNo, page));
  return page;
}

absl::StatusOr<int64_t> Store::DeleteObject(std::string_view collection_id, std::string_view object_id,
                                            const ObjectFilter& filter) {
  return Delete(collection_id, object_id, filter, nullptr);
}

absl::StatusOr<int64_t> Store::DeleteObjectRecorded(std::string_view collection_id,
                                                    std::string_view object_id,
                                                    const ObjectFilter& filter,
                                                    const RecordDelete& record) {
  const RecordDelete checked = [&record](int64_t removed) -> absl::StatusOr<AuditEvent> {
    KZ_ASSIGN_OR_RETURN(AuditEvent event, record(removed));
    KZ_RETURN_IF_ERROR(CheckAuditEvent(event));
    return event;
  };
  return Delete(collection_id, object_id, filter, &checked);
}

absl::StatusOr<int64_t> Store::Delete(std::string_view collection_id, std::string_view object_id,
                                      const ObjectFilter& filter, const RecordDelete* record) {
  if (object_id.empty()) return absl::InvalidArgumentError("no object id");
  absl::StatusOr<int64_t> deleted = DoDeleteObject(collection_id, object_id, filter, record);
  if (deleted.ok() && *deleted > 0) {
    deletes_.fetch_add(1, std::memory_order_acq_rel);
    CountChange();
  }
  return deleted;
}

absl::StatusOr<int64_t> Store::NthNewestCurrent(std::string_view collection_id,
                                                std::string_view type, int64_t before_us,
                                                int64_t n) {
  if (n < 1) return absl::InvalidArgumentError(StrCat("n is ", n, ": the newest is n = 1"));
  return DoNthNewestCurrent(collection_id, type, before_us, n);
}

absl::StatusOr<int64_t> Store::CountObjects(std::string_view collection_id) {
  return DoCountObjects(collection_id);
}

absl::Status Store::SaveStatus(const StatusRecord& status) {
  KZ_RETURN_IF_ERROR(CheckStatus(status));
  return DoSaveStatus(status);
}

absl::StatusOr<StatusRecord> Store::GetStatus(std::string_view api_root, std::string_view id,
                                              int64_t not_before_us) {
  StatusRecord record;
  KZ_RETURN_IF_ERROR(ReadStatus(api_root, id, not_before_us, [&](const StatusRecord& s, size_t size) {
    record = s;
    record.details_json.reserve(size);
    return &record.details_json;
  }));
  return record;
}

absl::Status Store::ReadStatus(std::string_view api_root, std::string_view id, int64_t not_before_us,
                               StatusSink sink) {
  if (id.empty()) return absl::NotFoundError("no status id");
  return DoReadStatus(api_root, id, not_before_us, sink);
}

absl::StatusOr<int64_t> Store::DeleteStatusesBefore(int64_t before_us, int64_t max_count) {
  if (max_count < 1) return absl::InvalidArgumentError(StrCat("max_count must be >= 1, got ", max_count));
  return DoDeleteStatusesBefore(before_us, max_count);
}

}  // namespace kizuna::store
