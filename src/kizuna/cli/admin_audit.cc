// Kizuna. `kizuna admin audit`: read the audit log.
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

int Read(const GlobalOptions& global, const AuditFlags& f) {
  auto db = Open(global);
  if (!db.ok()) return ReportError(db.status());
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
                 e.target.empty() ? "-" : e.target, "  ", e.remote.empty() ? "-" : e.remote, "  ",
                 e.details, "\n"));
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
