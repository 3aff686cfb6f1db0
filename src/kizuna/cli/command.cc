// Kizuna.
#include "kizuna/cli/command.h"

#include <unistd.h>

#include <cstdio>

#include "absl/strings/str_join.h"
#include "kizuna/base/clock.h"
#include "kizuna/base/status.h"
#include "kizuna/base/strings.h"
#include "kizuna/search/extract.h"
#include "kizuna/stix/id.h"
#include "kizuna/store/open.h"

namespace kizuna::cli {

std::string WithoutLineEnd(std::string text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
  return text;
}

int ReportError(const absl::Status& status) {
  std::string text = StrCat("kizuna: ", View(status.message()), "\n");
  std::fputs(text.c_str(), stderr);
  return kExitFailure;
}

bool StderrIsTerminal() { return ::isatty(STDERR_FILENO) == 1; }

void ReportTightened(const std::vector<store::ModeChange>& changes) {
  for (const store::ModeChange& c : changes) {
    std::string line = StrCat("kizuna: ", c.path, " was ", store::ModeText(c.from),
                              ", open to other local accounts; it is now ", store::ModeText(c.to), "\n");
    std::fputs(line.c_str(), stderr);
  }
}

absl::StatusOr<std::unique_ptr<store::Database>> OpenNodeDatabase(const std::string& data_dir) {
  std::vector<store::ModeChange> tightened;
  absl::StatusOr<std::unique_ptr<store::Database>> db = store::OpenDatabase(data_dir, SystemClock(), &tightened);
  ReportTightened(tightened);
  if (db.ok()) (*db)->SetIndexer(std::make_shared<search::Extractor>());
  return db;
}

absl::StatusOr<CollectionNames> ListCollectionNames(store::Store& store) {
  KZ_ASSIGN_OR_RETURN(std::vector<store::Collection> all, store.ListCollections(""));
  CollectionNames names;
  for (const store::Collection& c : all) names.emplace(c.id, c.alias.empty() ? c.title : c.alias);
  return names;
}

std::string_view CollectionName(const CollectionNames& names, std::string_view id) {
  auto it = names.find(id);
  return it == names.end() ? id : std::string_view(it->second);
}

absl::StatusOr<std::vector<HeldObject>> FindHeldObject(store::Store& store, const std::string& collection,
                                                       std::string_view object_id) {
  if (!stix::ParseId(object_id).ok()) {
    return absl::InvalidArgumentError(StrCat("'", object_id, "' is not a STIX id (type--UUID)"));
  }
  std::vector<store::Collection> collections;
  if (collection.empty()) {
    KZ_ASSIGN_OR_RETURN(collections, store.ListCollections(""));
  } else {
    KZ_ASSIGN_OR_RETURN(store::Collection c, store.FindCollection("", collection));
    collections.push_back(std::move(c));
  }
  std::vector<HeldObject> out;
  for (store::Collection& c : collections) {
    store::PageRequest request;
    request.limit = store::kMaxPageLimit;
    request.filter.ids = {std::string(object_id)};
    request.filter.versions = {.first = false, .last = false, .all = true, .exact_ns = {}};
    HeldObject held{std::move(c), {}};
    for (;;) {
      KZ_ASSIGN_OR_RETURN(store::Page page, store.GetObjects(held.collection.id, request));
      for (store::StoredObject& o : page.objects) held.versions.push_back(std::move(o));
      if (!page.more) break;
      request.after = page.next;
    }
    if (!held.versions.empty()) out.push_back(std::move(held));
  }
  if (out.empty()) {
    return absl::NotFoundError(collection.empty() ? StrCat("no collection holds '", object_id, "'")
                                                  : StrCat("collection '", collection, "' holds no '", object_id, "'"));
  }
  return out;
}

absl::Status AuditCommand(store::Database& db, std::string_view action, std::string_view target,
                          std::string details) {
  store::AuditEvent event;
  event.actor = "cli";
  event.action = action;
  event.target = target;
  event.details = std::move(details);
  absl::Status s = db.AppendAudit(event);
  return s.ok() ? s : Annotate(s, StrCat("the change is made, but its audit event (", action, ") is not: "));
}

absl::StatusOr<std::string> ActingOrganization(store::Database& db, const std::string& name,
                                               std::string_view what) {
  if (!name.empty()) {
    KZ_ASSIGN_OR_RETURN(store::Organization org, db.FindOrganization(name));
    return org.id;
  }
  KZ_ASSIGN_OR_RETURN(std::vector<store::Organization> orgs, db.ListOrganizations());
  if (orgs.size() == 1) return orgs[0].id;
  if (orgs.empty()) {
    return absl::InvalidArgumentError(StrCat("the node has no organisation: add ", what,
                                             " with `kizuna admin org add` and name it with --organization"));
  }
  std::vector<std::string> names;
  for (const store::Organization& o : orgs) names.push_back(o.name);
  return absl::InvalidArgumentError(StrCat("the node has ", orgs.size(), " organisations (", absl::StrJoin(names, ", "),
                                           "): name ", what, " with --organization"));
}

}  // namespace kizuna::cli
