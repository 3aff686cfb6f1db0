// Kizuna. `kizuna export --collection NAME [--as USER | --for-peer PEER]`: write a collection's
// objects as a STIX bundle, as the releasability policy (docs/policy.md) releases them to that
// user or peer; without either, as the node operator, who sees everything. `--format misp`
// writes MISP events instead (misp/to_misp.h, docs/misp.md); `--format
// zeek-intel|suricata|rpz|csv` the indicators sensors can use, under the same policy
// (export_sensor.h, docs/exports.md).
#include <CLI/CLI.hpp>

#include <cstdio>

#include "kizuna/base/clock.h"
#include "kizuna/base/random.h"
#include "kizuna/base/status.h"
#include "kizuna/base/strings.h"
#include "kizuna/cli/command.h"
#include "kizuna/cli/export_sensor.h"
#include "kizuna/misp/to_misp.h"
#include "kizuna/misp/to_stix.h"
#include "kizuna/policy/policy.h"
#include "kizuna/policy/released_reader.h"
#include "kizuna/stix/id.h"
#include "kizuna/stix/timestamp.h"
#include "kizuna/store/open.h"
#include "kizuna/taxii/auth/grant_access_control.h"

namespace kizuna::cli {
namespace {

struct ExportFlags {
  std::string collection;
  std::vector<std::string> types;
  std::string added_after;
  bool all_versions = false;
  std::string as_user, for_peer;
  std::string format = "stix";
  SensorExportFlags sensor;
};

// Writes the MISP event list of what `read` gives (each page's objects, in order) on
// standard output, and a summary of what had no MISP form on standard error.
int WriteMisp(const store::Collection& collection, const std::function<absl::StatusOr<bool>(
                                                       const std::function<void(std::string_view)>&)>& read) {
  misp::ExportOptions options;
  options.native_event_uuid = stix::UuidV5(misp::kMispNamespace, StrCat("collection:", collection.id));
  options.native_event_info = StrCat("Kizuna collection ", collection.title);
  options.now_seconds = SystemClock().NowMicros() / 1000000;
  misp::EventWriter writer(options);
  absl::Status added = absl::OkStatus();
  for (;;) {
    absl::StatusOr<bool> more = read([&](std::string_view json) {
      if (added.ok()) added = writer.Add(json);
    });
    if (!more.ok()) return ReportError(more.status());
    if (!added.ok()) return ReportError(added);
    if (!*more) break;
  }
  std::string out = writer.Finish();
  std::fwrite(out.data(), 1, out.size(), stdout);
  const misp::ExportCounts& c = writer.counts();
  std::string summary = StrCat("MISP: ", c.events, " event(s), ", c.attributes, " attribute(s), ", c.objects,
                               " object(s), ", c.sightings, " sighting(s), ", c.clusters, " galaxy cluster(s)");
  for (const auto& [type, n] : c.skipped) StrAppend(summary, "; ", n, " ", type, " not exported (no MISP form)");
  std::fputs((summary + "\n").c_str(), stderr);
  return std::fflush(stdout) == 0 ? kExitOk : kExitFailure;
}

// The principal the export decides for.
absl::StatusOr<identity::Principal> PrincipalOf(store::Database& db, const ExportFlags& flags) {
  if (!flags.as_user.empty()) return policy::PrincipalForUser(db, flags.as_user);
  if (!flags.for_peer.empty()) {
    absl::StatusOr<store::Peer> peer = db.GetPeer(flags.for_peer);
    if (!peer.ok()) return peer.status();
    return policy::PrincipalForPeer(*peer);
  }
  return identity::OperatorPrincipal();
}

// With --as, the user's collection grants apply as on the server (taxii::GrantAccessControl):
// a user without a read grant gets nothing of the collection, not an empty bundle.
absl::Status MayRead(store::Database& db, const ExportFlags& flags, const identity::Principal& principal,
                     const store::Collection& collection) {
  if (flags.as_user.empty()) return absl::OkStatus();
  taxii::GrantAccessControl access(db, SystemClock());
  KZ_ASSIGN_OR_RETURN(taxii::CollectionAccess can, access.Access(principal, collection.id));
  if (can.can_read) return absl::OkStatus();
  return absl::PermissionDeniedError(
      StrCat("user '", flags.as_user, "' may not read collection '", flags.collection, "'"));
}

int Run(GlobalOptions& global, const ExportFlags& flags) {
  auto store = OpenNodeDatabase(global.data_dir);
  if (!store.ok()) return ReportError(store.status());
  auto collection = (*store)->FindCollection("", flags.collection);
  if (!collection.ok()) return ReportError(collection.status());
  absl::StatusOr<identity::Principal> principal = PrincipalOf(**store, flags);
  if (!principal.ok()) return ReportError(principal.status());
  if (absl::Status may = MayRead(**store, flags, *principal, *collection); !may.ok()) return ReportError(may);
  if (flags.format != "stix" && flags.format != "misp") {
    if (!flags.types.empty() || !flags.added_after.empty() || flags.all_versions) {
      return ReportError(absl::InvalidArgumentError(
          StrCat("--format ", flags.format, " exports the latest version of every usable indicator: "
                 "--type, --added-after and --all-versions apply to --format stix and misp only")));
    }
    return RunSensorExport(global, flags.sensor, flags.format, **store, *collection, *principal);
  }
  policy::Policy policy(**store, store->get(), SystemClock());
  policy::ReleasedReader reader(**store, policy);
  store::PageRequest request;
  request.limit = 1000;
  request.filter.types = flags.types;
  if (!flags.added_after.empty()) {
    auto after = stix::ParseMicros(flags.added_after);
    if (!after.ok()) return ReportError(Annotate(after.status(), "--added-after: "));
    request.filter.added_after_us = *after;
  }
  if (flags.all_versions) request.filter.versions = {.first = false, .last = false, .all = true, .exact_ns = {}};
  if (flags.format == "misp") {
    return WriteMisp(*collection, [&](const std::function<void(std::string_view)>& each) -> absl::StatusOr<bool> {
      auto page = reader.Read(*principal, *collection, {}, request);
      if (!page.ok()) return page.status();
      for (const auto& o : page->objects) each(o.json);
      request.after = page->next;
      return page->more;
    });
  }

  std::string out = StrCat("{\"type\": \"bundle\", \"id\": \"", stix::NewId("bundle", SecureRandom()),
                           "\", \"objects\": [");
  bool first = true;
  for (;;) {
    auto page = reader.Read(*principal, *collection, {}, request);
    if (!page.ok()) return ReportError(page.status());
    for (const auto& o : page->objects) {
      out += first ? "\n" : ",\n";
      first = false;
      out += o.json;
    }
    std::fwrite(out.data(), 1, out.size(), stdout);
    out.clear();
    if (!page->more) break;
    request.after = page->next;
  }
  std::fputs(first ? "]}\n" : "\n]}\n", stdout);
  return std::fflush(stdout) == 0 ? kExitOk : kExitFailure;
}

}  // namespace

void AddExportCommand(CLI::App& app, GlobalOptions& global) {
  auto* cmd = app.add_subcommand("export", "Write a collection's objects as a STIX bundle, or its indicators for sensors");
  auto flags = std::make_shared<ExportFlags>();
  cmd->add_option("--collection", flags->collection, "Collection id or alias")->required();
  cmd->add_option("--type", flags->types, "Only objects of this type (repeatable)");
  cmd->add_option("--added-after", flags->added_after, "Only objects added after this timestamp");
  cmd->add_flag("--all-versions", flags->all_versions, "Every version, not only the latest");
  auto* as = cmd->add_option("--as", flags->as_user,
                             "Only what the releasability policy releases to this user (docs/policy.md)");
  cmd->add_option("--for-peer", flags->for_peer, "Only what the policy releases to this peer node")->excludes(as);
  cmd->add_option("--format", flags->format,
                  "stix (a bundle); misp (MISP events: what came from MISP as it came, other indicators and "
                  "observables as attributes of one more event; docs/misp.md); or the indicators sensors can "
                  "use: zeek-intel (Zeek intel file), suricata (datasets and rules), rpz (DNS response policy "
                  "zone), csv; docs/exports.md")
      ->check(CLI::IsMember({"stix", "misp", "zeek-intel", "suricata", "rpz", "csv"}))
      ->capture_default_str();
  AddSensorExportFlags(*cmd, flags->sensor);
  cmd->callback([&global, flags] { global.exit_code = Run(global, *flags); });
}

}  // namespace kizuna::cli
