// Kizuna. `kizuna revoke ID [--collection C]`: add a revoked version of an object (STIX 2.1
// §3.6) to the collections that hold it, through the one path in, audited; partners receive
// it as any new version.
#include "kizuna/ingest/revoke.h"

#include <CLI/CLI.hpp>
#include <boost/json.hpp>
#include <cstdio>

#include "kizuna/base/clock.h"
#include "kizuna/base/status.h"
#include "kizuna/base/strings.h"
#include "kizuna/cli/command.h"
#include "kizuna/cli/object_change.h"
#include "kizuna/ingest/tally.h"
#include "kizuna/store/open.h"

namespace kizuna::cli {
namespace {

struct RevokeFlags {
  std::string id;
  std::string collection;
  ActingFlags acting;
  bool json = false;
};

// The collections to revoke in: the one named, else every collection that holds the object
// (whether the principal may see it there is decided per collection).
absl::StatusOr<std::vector<store::Collection>> CollectionsOf(store::Database& db,
                                                             const RevokeFlags& f) {
  if (!f.collection.empty()) {
    KZ_ASSIGN_OR_RETURN(store::Collection c, db.FindCollection("", f.collection));
    return std::vector<store::Collection>{std::move(c)};
  }
  return db.ListCollections("");
}

// Revokes the object in `collection`; returns the new version's `modified`. NotFound when the
// principal sees no version there.
absl::StatusOr<std::string> RevokeIn(store::Database& db, const ActingFlags& acting,
                                     const identity::Principal& who,
                                     const store::Collection& collection, const std::string& id,
                                     int64_t now_us) {
  KZ_RETURN_IF_ERROR(ChangeableVersions(db, acting, who, collection, id).status());
  store::PageRequest latest;  // the last version of the highest spec version held
  KZ_ASSIGN_OR_RETURN(store::Page page, db.GetObject(collection.id, id, latest));
  if (page.objects.empty()) return absl::NotFoundError(StrCat("no object ", id));
  KZ_ASSIGN_OR_RETURN(std::string json, ingest::RevokedVersion(page.objects.front().json, now_us));
  const store::Writer writer{store::WriterKind::kOperator, who.user, {}};
  KZ_ASSIGN_OR_RETURN(
      store::AddResult result,
      ingest::AddRevocation(db, collection.id, json, {writer, who.organization, ""}));
  if (result.outcome != store::AddOutcome::kAdded) {
    return absl::FailedPreconditionError(
        StrCat(id, ": the revoked version was not stored: ", ingest::RejectionReason(result)));
  }
  KZ_ASSIGN_OR_RETURN(store::Page added, db.GetObject(collection.id, id, latest));
  return added.objects.empty() ? std::string() : added.objects.front().version;
}

int Run(GlobalOptions& global, const RevokeFlags& f) {
  auto db = OpenNodeDatabase(global.data_dir);
  if (!db.ok()) return ReportError(db.status());
  absl::StatusOr<identity::Principal> who = ActingPrincipal(**db, f.acting);
  if (!who.ok()) return ReportError(who.status());
  auto collections = CollectionsOf(**db, f);
  if (!collections.ok()) return ReportError(collections.status());
  boost::json::array out;
  std::string text;
  const int64_t now_us = SystemClock().NowMicros();  // one revoked version in every collection
  for (const store::Collection& c : *collections) {
    absl::StatusOr<std::string> version = RevokeIn(**db, f.acting, *who, c, f.id, now_us);
    // Without --collection, collections where the object is absent (or hidden) are skipped.
    if (absl::IsNotFound(version.status()) && f.collection.empty()) continue;
    if (!version.ok()) return ReportError(version.status());
    out.push_back({{"id", f.id}, {"collection", c.id}, {"version", *version}});
    StrAppend(text, "revoked ", f.id, " in '", CollectionLabel(c), "': new version ", *version,
              "\n");
  }
  if (out.empty())
    return ReportError(absl::NotFoundError(StrCat("no collection holds object ", f.id)));
  if (f.json) text = boost::json::serialize(out) + "\n";
  std::fputs(text.c_str(), stdout);
  return kExitOk;
}

}  // namespace

void AddRevokeCommand(CLI::App& app, GlobalOptions& global) {
  auto* cmd = app.add_subcommand(
      "revoke",
      "Revoke an object: add its new version with revoked: true, shared with partners like any "
      "version; audited");
  auto f = std::make_shared<RevokeFlags>();
  cmd->add_option("ID", f->id, "The object's STIX id (an SDO or SRO: objects with `modified`)")
      ->required();
  cmd->add_option("--collection", f->collection,
                  "Collection id or alias (default: every collection that holds the object)");
  AddActingFlags(*cmd, f->acting);
  cmd->add_flag("--json", f->json, "Print a JSON array, one entry per collection");
  cmd->callback([&global, f] { global.exit_code = Run(global, *f); });
}

}  // namespace kizuna::cli
