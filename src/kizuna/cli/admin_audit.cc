// Kizuna. `kizuna admin audit`: read the audit log.
#include "kizuna/base/status.h"
#include "kizuna/base/strings.h"
#include "kizuna/cli/admin_common.h"
#include "kizuna/cli/admin_internal.h"

namespace kizuna::cli::admin {
namespace {

struct AuditFlags {
  size_t limit = 50;
  int64_t after = 0;
  bool json = false;
};

// The names people know the log's ids by: collections (alias, else title) and organisations.
absl::StatusOr<CollectionNames> KnownNames(store::Database& db) {
  KZ_ASSIGN_OR_RETURN(CollectionNames names, ListCollectionNames(db));
  KZ_ASSIGN_OR_RETURN(std::vector<store::Organization> orgs, db.ListOrganizations());
  for (const store::Organization& o : orgs) names.emplace(o.id, o.name);
  return names;
}

// `details` with each string member that is a known id replaced by its name.
std::string NamedDetails(const CollectionNames& names, const std::string& details) {
  boost::json::error_code ec;
  boost::json::value v = boost::json::parse(details, ec);
  if (ec || !v.is_object()) return details;
  for (auto& member : v.as_object()) {
    if (!member.value().is_string()) continue;
    const boost::json::string& text = member.value().get_string();
    std::string_view name = CollectionName(names, std::string_view(text.data(), text.size()));
    member.value() = boost::json::string(name.data(), name.size());
  }
  return boost::json::serialize(v);
}

int Read(const GlobalOptions& global, const AuditFlags& f) {
  auto db = Open(global);
  if (!db.ok()) return ReportError(db.status());
  // Text names organisations and collections; --json keeps the ids.
  absl::StatusOr<CollectionNames> names = f.json ? CollectionNames() : KnownNames(**db);
  if (!names.ok()) return ReportError(names.status());
  // Without --after: the latest events; with it: the events that follow, oldest first.
  store::AuditQuery query{f.after, f.limit, f.after == 0};
  auto events = (*db)->ReadAudit(query);
  if (!events.ok()) return ReportError(events.status());
  boost::json::array out;
  for (const store::AuditEvent& e : *events) {
    if (f.json) {
      out.push_back(AuditJson(e));
      continue;
    }
    Print(StrCat(e.seq, "  ", Time(e.time_us), "  ", e.actor, "  ", e.action, "  ",
                 e.target.empty() ? "-" : CollectionName(*names, e.target), "  ", e.remote.empty() ? "-" : e.remote,
                 "  ", NamedDetails(*names, e.details), "\n"));
  }
  if (f.json) PrintJson(out);
  return kExitOk;
}

}  // namespace

void AddAuditCommand(CLI::App& admin, GlobalOptions& global) {
  auto f = std::make_shared<AuditFlags>();
  auto* audit = admin.add_subcommand(
      "audit", "Show the audit log: changes, grants, object writes and failed logins");
  audit->add_option("--limit", f->limit, "Most events to show")
      ->capture_default_str()
      ->check(CLI::Range(size_t{1}, store::kMaxAuditPage));
  audit->add_option("--after", f->after, "Show events after this seq, oldest first (paging)")
      ->check(CLI::NonNegativeNumber);
  audit->add_flag("--json", f->json, "Print a JSON array");
  audit->callback([&global, f] { global.exit_code = Read(global, *f); });
}

}  // namespace kizuna::cli::admin
