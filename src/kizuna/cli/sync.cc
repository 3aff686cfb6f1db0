// Kizuna. `kizuna sync status|run --once`: how far each peer mapping has got; one sync pass.
#include <CLI/CLI.hpp>

#include <boost/json.hpp>
#include <cstdio>

#include "kizuna/base/clock.h"
#include "kizuna/base/strings.h"
#include "kizuna/cli/command.h"
#include "kizuna/ingest/tally.h"
#include "kizuna/policy/policy.h"
#include "kizuna/stix/timestamp.h"
#include "kizuna/store/open.h"
#include "kizuna/sync/syncer.h"

namespace kizuna::cli {
namespace {

boost::json::value Time(const std::optional<int64_t>& us) {
  if (!us) return nullptr;
  return boost::json::string(stix::FormatTaxii(*us));
}

boost::json::object MappingJson(const store::Peer& p, const store::PeerMapping& m) {
  return {{"peer", p.name},
          {"nation", p.nation},
          {"local_collection", m.local_collection},
          {"remote_collection", m.remote_collection},
          {"direction", store::SyncDirectionName(m.direction)},
          {"pull_cursor", m.pull_cursor},
          {"push_cursor", m.push_cursor_us ? boost::json::value(stix::FormatTaxii(m.push_cursor_us)) : nullptr},
          {"pulled", m.pulled},
          {"pushed", m.pushed},
          {"rejected", m.rejected},
          {"last_rejection", m.last_rejection},
          {"last_pull", Time(m.last_pull_us)},
          {"last_push", Time(m.last_push_us)},
          {"last_error", m.last_error},
          {"last_error_at", Time(m.last_error_us)}};
}

int Status(GlobalOptions& global, bool json) {
  auto db = OpenNodeDatabase(global.data_dir);
  if (!db.ok()) return ReportError(db.status());
  auto peers = (*db)->ListPeers();
  if (!peers.ok()) return ReportError(peers.status());
  auto names = ListCollectionNames(**db);
  if (!names.ok()) return ReportError(names.status());
  boost::json::array out;
  std::string text;
  for (const store::Peer& p : *peers) {
    for (const store::PeerMapping& m : p.mappings) {
      if (json) {
        out.push_back(MappingJson(p, m));
        continue;
      }
      StrAppend(text, p.name, "  ", CollectionName(*names, m.local_collection), " ", store::SyncDirectionName(m.direction), " ",
                m.remote_collection, "  pulled ", m.pulled, " (through ", m.pull_cursor.empty() ? "-" : m.pull_cursor,
                ")  pushed ", m.pushed, "  rejected ", m.rejected, "\n");
      if (!m.last_rejection.empty()) StrAppend(text, "  last rejected: ", m.last_rejection, "\n");
      if (!m.last_error.empty()) StrAppend(text, "  last error: ", m.last_error, "\n");
    }
  }
  if (json) text = boost::json::serialize(out) + "\n";
  std::fwrite(text.data(), 1, text.size(), stdout);
  return kExitOk;
}

int RunOnce(GlobalOptions& global, const std::vector<std::string>& collections) {
  auto db = OpenNodeDatabase(global.data_dir);
  if (!db.ok()) return ReportError(db.status());
  std::vector<std::string> ids;
  for (const std::string& c : collections) {
    absl::StatusOr<store::Collection> found = (*db)->FindCollection("", c);
    if (!found.ok()) return ReportError(found.status());
    ids.push_back(found->id);
  }
  policy::Policy policy(**db, db->get(), SystemClock());
  sync::Syncer syncer(**db, policy, SystemClock());
  auto reports = syncer.RunOnce(ids);
  if (!reports.ok()) return ReportError(reports.status());
  bool failed = false;
  std::string text;
  for (const sync::MappingReport& r : *reports) {
    boost::json::object line{{"peer", r.peer},
                             {"local_collection", r.local_collection},
                             {"remote_collection", r.remote_collection},
                             {"pulled", r.pulled.added},
                             {"pushed", r.pushed},
                             {"rejected", r.pulled.rejected}};
    if (!r.pulled.rejections.empty()) {
      boost::json::array rejections;
      for (const ingest::Rejection& why : r.pulled.rejections) rejections.push_back({{"id", why.id}, {"reason", why.reason}});
      line["rejections"] = std::move(rejections);
    }
    if (!r.error.empty()) line["error"] = r.error;
    failed = failed || !r.error.empty();
    text += boost::json::serialize(line) + "\n";
  }
  std::fwrite(text.data(), 1, text.size(), stdout);
  return failed ? kExitFailure : kExitOk;
}

}  // namespace

void AddSyncCommand(CLI::App& app, GlobalOptions& global) {
  auto* cmd = app.add_subcommand("sync", "Federation with peer nodes (docs/federation.md)");
  cmd->require_subcommand(1);
  auto json = std::make_shared<bool>(false);
  auto* status = cmd->add_subcommand("status", "Per peer and collection mapping: cursors, counts, last error");
  status->add_flag("--json", *json, "Print a JSON array");
  status->callback([&global, json] { global.exit_code = Status(global, *json); });
  auto once = std::make_shared<bool>(false);
  auto* run = cmd->add_subcommand("run", "Pull from and push to every peer mapping; one JSON line per mapping");
  run->add_flag("--once", *once, "One pass, then exit (required; `kizuna serve` syncs continuously)")
      ->required();
  auto collections = std::make_shared<std::vector<std::string>>();
  run->add_option("--collection", *collections,
                  "Only the mappings of this local collection (id or alias; repeatable)");
  run->callback([&global, collections] { global.exit_code = RunOnce(global, *collections); });
}

}  // namespace kizuna::cli
