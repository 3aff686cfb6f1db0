// Kizuna. `kizuna ship --to nats://HOST:PORT --input PATH... [--state FILE] [--batch N]
//                       [--format F] [--sensor NAME] [--follow] [--json] [NATS TLS and
//                       credentials: --nats-ca ... (match_bus.h)]`:
// a sensor's telemetry files (Zeek TSV or JSON, Suricata EVE, JSON lines) into the
// KIZUNA_TELEMETRY stream of NATS JetStream, in batches of whole lines, each published with
// acknowledgement; with --state the offsets acknowledged are saved, so a restart resumes
// where the last run stopped (bus/shipper.h, docs/bus.md). Directories give their files.
// Without --follow the command ships what the files hold and exits; with it, it goes on as
// they grow until SIGINT or SIGTERM. Progress on a terminal (stderr), a summary at the end
// (--json: one JSON object on standard output). Exit codes: 0 done; 1 a failure (the server,
// an input, the state file); 2 usage.
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <boost/json.hpp>
#include <climits>
#include <cstdio>

#include "kizuna/base/strings.h"
#include "kizuna/bus/shipper.h"
#include "kizuna/cli/command.h"
#include "kizuna/cli/match_bus.h"
#include "kizuna/detect/readers/reader.h"

namespace kizuna::cli {
namespace {

struct ShipFlags {
  std::string to;
  std::vector<std::string> inputs;
  std::string state;
  std::string format = "auto";
  std::string sensor;
  int64_t batch = 10000;
  bool follow = false;
  NatsFlags nats_security;
  bool json = false;
};

std::string HostName() {
  char name[HOST_NAME_MAX + 1] = {};
  if (::gethostname(name, sizeof(name) - 1) != 0 || name[0] == '\0') return "sensor";
  return name;
}

int Run(const ShipFlags& flags) {
  if (!detect::ParseTelemetryFormat(flags.format)) {
    return ReportError(
        absl::InvalidArgumentError(StrCat("--format: unknown format '", flags.format, "'")));
  }
  auto inputs = detect::ExpandInputs(flags.inputs);
  if (!inputs.ok()) return ReportError(inputs.status());
  for (const std::string& in : *inputs) {
    if (in == "-")
      return ReportError(
          absl::InvalidArgumentError("--input -: kizuna ship reads files, not standard input"));
  }
  auto bus_options = NatsOptions(flags.to, flags.nats_security, "kizuna ship");
  if (!bus_options.ok()) return ReportError(bus_options.status());
  auto bus = bus::Bus::Connect(*bus_options);
  if (!bus.ok()) return ReportError(bus.status());
  bus::ShipOptions options;
  options.inputs = *inputs;
  options.state_path = flags.state;
  options.format = flags.format;
  options.sensor = flags.sensor.empty() ? HostName() : flags.sensor;
  options.batch_records = flags.batch;
  options.follow = flags.follow;
  options.stop = &StopOnSignalsFlag();
  bus::Shipper shipper(**bus, options);
  const bool terminal = StderrIsTerminal();
  if (terminal) {
    shipper.on_progress = [](const bus::ShipSummary& s) {
      std::fputs(
          StrCat("\r", s.batches, " batches, ", s.records, " records, ", s.bytes, " bytes   ")
              .c_str(),
          stderr);
    };
  }
  absl::Status run = shipper.Run();
  if (terminal) std::fputs("\r\033[K", stderr);
  const bus::ShipSummary& s = shipper.summary();
  if (flags.json) {
    boost::json::object o{{"inputs", s.inputs},         {"batches", s.batches},
                          {"records", s.records},       {"bytes", s.bytes},
                          {"duplicates", s.duplicates}, {"rotated", s.rotated},
                          {"too_long", s.too_long},     {"seconds", s.seconds}};
    std::fputs((boost::json::serialize(o) + "\n").c_str(), stdout);
  } else {
    std::fputs(
        StrCat("shipped ", s.records, " records (", s.bytes, " bytes) from ", s.inputs,
               " input(s) in ", s.batches, " batches in ", fmt::format("{:.2f}", s.seconds), " s; ",
               s.duplicates, " already in the stream, ", s.rotated,
               " inputs read again from their start, ", s.too_long, " lines too long to send\n")
            .c_str(),
        stderr);
  }
  if (!run.ok()) return ReportError(run);
  return kExitOk;
}

}  // namespace

void AddShipCommand(CLI::App& app, GlobalOptions& global) {
  auto* cmd = app.add_subcommand(
      "ship", "Ship telemetry files to NATS JetStream for matcher workers (kizuna match --from)");
  auto flags = std::make_shared<ShipFlags>();
  cmd->add_option("--to", flags->to, "NATS server: nats://HOST:PORT or tls://HOST:PORT (several: comma separated)")->required();
  cmd->add_option("--input", flags->inputs,
                  "Telemetry files or directories (plain text; gzip is not tailed)")
      ->required();
  cmd->add_option("--state", flags->state,
                  "File keeping each input's offset (saved after every acknowledged batch): a "
                  "restart resumes there (created if absent)");
  cmd->add_option("--format", flags->format, "auto, zeek, eve or jsonl (told to the workers)")
      ->capture_default_str();
  cmd->add_option("--sensor", flags->sensor,
                  "This sensor's name in batch ids (default: the host name)");
  cmd->add_option("--batch", flags->batch, "Records per batch (a batch also stays under 1 MiB)")
      ->capture_default_str()
      ->check(CLI::Range(int64_t{1}, bus::kMaxBatchRecords));
  cmd->add_flag("--follow", flags->follow,
                "Keep shipping as the files grow (like tail -F) until SIGINT or SIGTERM");
  AddNatsFlags(*cmd, flags->nats_security);
  cmd->add_flag("--json", flags->json, "Print the summary as JSON on standard output");
  cmd->callback([&global, flags] { global.exit_code = Run(*flags); });
}

}  // namespace kizuna::cli
