// Kizuna. `kizuna bus --nats nats://HOST:PORT --as USER --collection NAME...
//                     --sightings-to NAME [--window SECONDS] [--check-interval SECONDS]
//                     [--set-grace SECONDS] [--duplicate-window SECONDS] [--keep-reports SECONDS]
//                     [--exit-when-idle SECONDS] [--json] [NATS TLS and credentials:
//                     --nats-ca ... (match_bus.h)]`:
// the node's side of the telemetry bus (bus/node_link.h, docs/bus.md), run next to `kizuna
// serve` on the node's data directory. It publishes the indicators of the collections that
// the policy releases to USER (who needs a read grant on each) as the set matcher workers
// use, again whenever they change, and stores the sightings the workers report in the
// --sightings-to collection, sighted by USER's organisation and written as USER (who needs a
// write grant there), each exactly once. Runs until SIGINT or SIGTERM; progress on a
// terminal, a summary at the end (--json: one JSON object on standard output).
// Exit codes: 0 done; 1 a failure (the server, the store, a grant missing); 2 usage.
#include <CLI/CLI.hpp>
#include <boost/json.hpp>
#include <cstdio>

#include "kizuna/base/clock.h"
#include "kizuna/base/status.h"
#include "kizuna/base/strings.h"
#include "kizuna/bus/node_link.h"
#include "kizuna/cli/command.h"
#include "kizuna/cli/match_bus.h"
#include "kizuna/taxii/auth/grant_access_control.h"

namespace kizuna::cli {
namespace {

struct BusFlags {
  std::string nats;
  std::string as_user;
  std::vector<std::string> collections;
  std::string sightings_to;
  int64_t window_seconds = 3600;
  int64_t check_seconds = 1;
  int64_t set_grace_seconds = 60;
  int64_t duplicate_window_seconds = 3600;
  int64_t keep_seconds = 14 * 86400;
  int64_t exit_when_idle_seconds = 0;
  NatsFlags nats_security;
  bool json = false;
};

// The collection `name`, when `who` holds the grant `write` asks for there.
absl::StatusOr<store::Collection> GrantedCollection(store::Database& db,
                                                    taxii::GrantAccessControl& access,
                                                    const identity::Principal& who,
                                                    const std::string& name, bool write) {
  KZ_ASSIGN_OR_RETURN(store::Collection c, db.FindCollection("", name));
  if (c.exercise) {
    return absl::InvalidArgumentError(
        StrCat("collection ", name,
               " is an exercise collection: the bus carries production telemetry only"));
  }
  KZ_ASSIGN_OR_RETURN(taxii::CollectionAccess can, access.Access(who, c.id));
  if (write ? !can.can_write : !can.can_read) {
    return absl::PermissionDeniedError(StrCat(
        "user '", who.user, "' may not ", write ? "write to" : "read", " collection '", name, "'"));
  }
  return c;
}

boost::json::object SummaryJson(const bus::NodeLinkSummary& s) {
  boost::json::array problems;
  for (const std::string& p : s.problems) problems.push_back(boost::json::string(p));
  return {{"sets", s.sets},
          {"set_reads", s.set_reads},
          {"set_version", s.set_version},
          {"indicators", s.indicators},
          {"replayed", s.replayed},
          {"reports", s.reports},
          {"records", s.records},
          {"refused_entries", s.refused_entries},
          {"sightings",
           {{"added", s.added}, {"already_present", s.already_present}, {"rejected", s.rejected}}},
          {"latency",
           {{"samples", s.latency_samples},
            {"p50_s", s.latency_p50_s},
            {"p99_s", s.latency_p99_s},
            {"max_s", s.latency_max_s}}},
          {"problems", problems}};
}

int Run(GlobalOptions& global, const BusFlags& flags) {
  auto db = OpenNodeDatabase(global.data_dir);
  if (!db.ok()) return ReportError(db.status());
  auto who = policy::PrincipalForUser(**db, flags.as_user);
  if (!who.ok()) return ReportError(who.status());
  if (who->organization.empty()) {
    return ReportError(absl::FailedPreconditionError(
        StrCat("user '", flags.as_user, "' belongs to no organisation")));
  }
  // Grants are read again at every directory change (no caching across one).
  taxii::GrantAccessControl access(**db, SystemClock(), {.refresh_interval_us = 0});
  bus::NodeLinkOptions options;
  for (const std::string& name : flags.collections) {
    auto c = GrantedCollection(**db, access, *who, name, false);
    if (!c.ok()) return ReportError(c.status());
    options.collections.push_back(std::move(*c));
  }
  auto sightings = GrantedCollection(**db, access, *who, flags.sightings_to, true);
  if (!sightings.ok()) return ReportError(sightings.status());
  options.principal = *who;
  options.identity = who->organization;
  options.sightings_collection = sightings->id;
  options.writer =
      store::Writer{store::WriterKind::kUser, who->user, who->organization, who->nation};
  options.window_s = flags.window_seconds;
  options.check_ms = flags.check_seconds * 1000;
  options.set_grace_s = flags.set_grace_seconds;
  options.duplicate_window_s = flags.duplicate_window_seconds;
  options.max_age_s = flags.keep_seconds;
  options.exit_when_idle_ms = flags.exit_when_idle_seconds * 1000;
  options.stop = &StopOnSignalsFlag();
  // The user is read again: disabled, moved, its roles or groups changed, the bus ends.
  options.check_grants = [&]() -> absl::Status {
    KZ_ASSIGN_OR_RETURN(const identity::Principal now,
                        policy::PrincipalForUser(**db, flags.as_user));
    if (now.organization != who->organization || now.roles != who->roles ||
        policy::ReleaseKey(now) != policy::ReleaseKey(*who)) {
      return absl::FailedPreconditionError(
          StrCat("user '", flags.as_user,
                 "' changed (organisation, roles or groups) since the bus started"));
    }
    for (const std::string& name : flags.collections) {
      KZ_RETURN_IF_ERROR(GrantedCollection(**db, access, *who, name, false).status());
    }
    return GrantedCollection(**db, access, *who, flags.sightings_to, true).status();
  };
  auto bus_options = NatsOptions(flags.nats, flags.nats_security, "kizuna bus");
  if (!bus_options.ok()) return ReportError(bus_options.status());
  auto bus = bus::Bus::Connect(*bus_options);
  if (!bus.ok()) return ReportError(bus.status());
  policy::Policy policy(**db, db->get(), SystemClock());
  bus::NodeLink link(**bus, **db, policy, options);
  const bool terminal = StderrIsTerminal();
  link.on_event = [terminal](const std::string& line) {
    std::fputs(StrCat(terminal ? "\r\033[K" : "", line, "\n").c_str(), stderr);
  };
  if (terminal) {
    link.on_progress = [](const bus::NodeLinkSummary& s) {
      std::fputs(StrCat("\r", s.reports, " reports, ", s.records, " records, ", s.added,
                        " sightings added   ")
                     .c_str(),
                 stderr);
    };
  }
  absl::Status run = link.Run();
  if (terminal) std::fputs("\r\033[K", stderr);
  const bus::NodeLinkSummary s = link.summary();
  if (flags.json) {
    std::fputs((boost::json::serialize(SummaryJson(s)) + "\n").c_str(), stdout);
  } else {
    std::string text;
    for (const std::string& p : s.problems) StrAppend(text, "refused report: ", p, "\n");
    StrAppend(text, "published ", s.sets, " indicator set(s) (last: ", s.indicators,
              " indicators); ", s.reports, " reports (", s.replayed, " read again at start) for ",
              s.records, " records; sightings: ", s.added, " added, ", s.already_present,
              " already present, ", s.rejected, " rejected; ", s.refused_entries,
              " entries refused (indicator not in the set, or window refused)\n");
    std::fputs(text.c_str(), stderr);
  }
  if (!run.ok()) return ReportError(run);
  return s.rejected > 0 ? kExitFailure : kExitOk;
}

}  // namespace

void AddBusCommand(CLI::App& app, GlobalOptions& global) {
  auto* cmd = app.add_subcommand("bus",
                                 "The node's side of NATS JetStream telemetry: publish the "
                                 "indicator set, store workers' sightings");
  auto flags = std::make_shared<BusFlags>();
  cmd->add_option("--nats", flags->nats, "NATS server: nats://HOST:PORT or tls://HOST:PORT (several: comma separated)")->required();
  cmd->add_option(
         "--as", flags->as_user,
         "The sensor user: the set is what the policy releases to this user, sightings are "
         "written as this user and sighted by its organisation")
      ->required();
  cmd->add_option("--collection", flags->collections,
                  "Collections whose indicators the workers match (id or alias)")
      ->required();
  cmd->add_option("--sightings-to", flags->sightings_to, "Collection the sightings are stored in")
      ->required();
  cmd->add_option("--window", flags->window_seconds, "Sighting window in seconds")
      ->capture_default_str()
      ->check(CLI::Range(1, 31 * 86400));
  cmd->add_option("--check-interval", flags->check_seconds,
                  "Seconds between checks of the store for changed indicators")
      ->capture_default_str()
      ->check(CLI::Range(1, 3600));
  cmd->add_option("--set-grace", flags->set_grace_seconds,
                  "Seconds after a new indicator set during which reports may still name "
                  "indicators of the set before it only (older sets' indicators are refused)")
      ->capture_default_str()
      ->check(CLI::Range(0, 3600));
  cmd->add_option(
         "--duplicate-window", flags->duplicate_window_seconds,
         "Seconds the sightings stream remembers a report's id (a batch matched twice within "
         "it counts once)")
      ->capture_default_str()
      ->check(CLI::Range(60, 7 * 86400));
  cmd->add_option(
         "--keep-reports", flags->keep_seconds,
         "Seconds the sightings stream keeps reports (read again when this command starts)")
      ->capture_default_str()
      ->check(CLI::Range(3600, 366 * 86400));
  cmd->add_option("--exit-when-idle", flags->exit_when_idle_seconds,
                  "Stop after SECONDS without a report (0: run until SIGINT/SIGTERM)")
      ->capture_default_str()
      ->check(CLI::Range(0, 86400));
  AddNatsFlags(*cmd, flags->nats_security);
  cmd->add_flag("--json", flags->json, "Print the summary as JSON on standard output");
  cmd->callback([&global, flags] { global.exit_code = Run(global, *flags); });
}

}  // namespace kizuna::cli
