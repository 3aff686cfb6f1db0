// Kizuna. `kizuna export --collection NAME [--as USER | --for-peer PEER]`: write a collection's
// objects as a STIX bundle, as the releasability policy (docs/policy.md) releases them to that
// user or peer; without either, as the node operator, who sees everything.
// `--format zeek-intel|suricata|rpz|csv`: the indicators sensors can use, under the same
// policy (export_sensor.h, docs/exports.md).
#include <CLI/CLI.hpp>

#include <cstdio>

#include "kizuna/base/clock.h"
#include "kizuna/base/random.h"
#include "kizuna/base/strings.h"
#include "kizuna/cli/command.h"
#include "kizuna/cli/export_sensor.h"
#include "kizuna/policy/policy.h"
#include "kizuna/policy/released_reader.h"
#include "kizuna/stix/id.h"
#include "kizuna/stix/timestamp.h"
#include "kizuna/store/open.h"

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

int Run(GlobalOptions& global, const ExportFlags& flags) {
  auto store = OpenNodeDatabase(global.data_dir);
  if (!store.ok()) return ReportError(store.status());
  auto collection = (*store)->FindCollection("", flags.collection);
  if (!collection.ok()) return ReportError(collection.status());
  absl::StatusOr<identity::Principal> principal = PrincipalOf(**store, flags);
  if (!principal.ok()) return ReportError(principal.status());
  if (flags.format != "stix") {
    if (!flags.types.empty() || !flags.added_after.empty() || flags.all_versions) {
      return ReportError(absl::InvalidArgumentError(
          StrCat("--format ", flags.format, " exports the latest version of every usable indicator: "
                 "--type, --added-after and --all-versions apply to --format stix only")));
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
                  "stix (a bundle), or the indicators sensors can use: zeek-intel (Zeek intel file), suricata "
                  "(datasets and rules), rpz (DNS response policy zone), csv; docs/exports.md")
      ->check(CLI::IsMember({"stix", "zeek-intel", "suricata", "rpz", "csv"}))
      ->capture_default_str();
  AddSensorExportFlags(*cmd, flags->sensor);
  cmd->callback([&global, flags] { global.exit_code = Run(global, *flags); });
}

}  // namespace kizuna::cli
