// Kizuna. `kizuna delete --collection C ID [--version V]`: remove an object, or one of its
// versions, from a collection, as TAXII DELETE does, audited.
#include <CLI/CLI.hpp>
#include <boost/json.hpp>
#include <cstdio>

#include "kizuna/base/strings.h"
#include "kizuna/cli/command.h"
#include "kizuna/cli/object_change.h"
#include "kizuna/stix/timestamp.h"
#include "kizuna/store/directory.h"
#include "kizuna/store/open.h"

namespace kizuna::cli {
namespace {

struct DeleteFlags {
  std::string collection;
  std::string id;
  std::string version;
  ActingFlags acting;
  bool json = false;
};

// The versions to delete: every version, or the one `version` names.
absl::StatusOr<store::ObjectFilter> FilterOf(const DeleteFlags& f) {
  store::ObjectFilter filter;
  if (f.version.empty()) {
    filter.versions = {.first = false, .last = false, .all = true, .exact_ns = {}};
    return filter;
  }
  absl::StatusOr<stix::Timestamp> t = stix::ParseTimestamp(f.version);
  if (!t.ok()) return Annotate(t.status(), "--version: ");
  std::optional<int64_t> ns = t->Nanos();
  if (!ns)
    return absl::InvalidArgumentError(StrCat("--version: '", f.version, "' is out of range"));
  filter.versions = {.first = false, .last = false, .all = false, .exact_ns = {*ns}};
  return filter;
}

int Run(GlobalOptions& global, const DeleteFlags& f) {
  absl::StatusOr<store::ObjectFilter> filter = FilterOf(f);
  if (!filter.ok()) return ReportError(filter.status());
  auto db = OpenNodeDatabase(global.data_dir);
  if (!db.ok()) return ReportError(db.status());
  auto collection = (*db)->FindCollection("", f.collection);
  if (!collection.ok()) return ReportError(collection.status());
  absl::StatusOr<identity::Principal> who = ActingPrincipal(**db, f.acting);
  if (!who.ok()) return ReportError(who.status());
  auto versions = ChangeableVersions(**db, f.acting, *who, *collection, f.id);
  if (!versions.ok()) return ReportError(versions.status());
  const store::RecordDelete record = [&](int64_t removed) -> absl::StatusOr<store::AuditEvent> {
    return store::ObjectDeletedEvent(who->user, "", who->organization, collection->id, f.id,
                                     removed);
  };
  auto deleted = (*db)->DeleteObjectRecorded(collection->id, f.id, *filter, record);
  if (!deleted.ok()) return ReportError(deleted.status());
  if (*deleted == 0) {
    return ReportError(absl::NotFoundError(StrCat("object ", f.id, " has no version ", f.version)));
  }
  std::string text =
      f.json ? boost::json::serialize(boost::json::object{
                   {"id", f.id}, {"collection", collection->id}, {"versions_deleted", *deleted}}) +
                   "\n"
             : StrCat("deleted ", *deleted, " version(s) of ", f.id, " from '",
                      CollectionLabel(*collection), "'\n");
  std::fputs(text.c_str(), stdout);
  return kExitOk;
}

}  // namespace

void AddDeleteCommand(CLI::App& app, GlobalOptions& global) {
  auto* cmd = app.add_subcommand(
      "delete",
      "Delete an object (every version, or one) from a collection; audited. Partners that already "
      "received it keep their copy: to withdraw it everywhere, use `kizuna revoke`");
  auto f = std::make_shared<DeleteFlags>();
  cmd->add_option("ID", f->id, "The object's STIX id")->required();
  cmd->add_option("--collection", f->collection, "Collection id or alias")->required();
  cmd->add_option("--version", f->version,
                  "Only this version (its `modified` timestamp); default: every version");
  AddActingFlags(*cmd, f->acting);
  cmd->add_flag("--json", f->json, "Print the result as JSON");
  cmd->callback([&global, f] { global.exit_code = Run(global, *f); });
}

}  // namespace kizuna::cli
