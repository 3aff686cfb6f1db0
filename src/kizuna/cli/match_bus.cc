// Kizuna. `kizuna match --from nats://HOST:PORT --durable NAME`: a matcher worker fed by
// NATS JetStream (bus/worker.h; docs/bus.md). It needs no data directory: the indicator set
// comes from the node (`kizuna bus`), sightings go back to it. Progress on a terminal
// (stderr), a summary at the end (--json: one JSON object on standard output).
#include "kizuna/cli/match_bus.h"

#include <malloc.h>
#include <signal.h>

#include <CLI/CLI.hpp>
#include <boost/json.hpp>
#include <cstdio>
#include <memory>

#include "kizuna/base/file.h"
#include "kizuna/base/status.h"
#include "kizuna/base/strings.h"
#include "kizuna/bus/worker.h"
#include "kizuna/cli/command.h"
#include "kizuna/detect/allowlist.h"

namespace kizuna::cli {
namespace {

std::atomic<bool> stop_flag{false};

// Allocations up to this size come from the heap and are reused (see RunMatchFromBus).
constexpr int kReusedBufferBytes = 64 << 20;

void SetStop(int) { stop_flag.store(true); }

// The longest password file read.
constexpr uint64_t kMaxPasswordBytes = 4096;

boost::json::object SummaryJson(const bus::WorkerSummary& s) {
  boost::json::array problems;
  for (const std::string& p : s.problems) problems.push_back(boost::json::string(p));
  return {{"batches", s.batches},
          {"redelivered", s.redelivered},
          {"records", s.records},
          {"bytes", s.bytes},
          {"alerts", s.alerts},
          {"malformed", s.malformed},
          {"sighting_entries", s.entries},
          {"sets", s.sets},
          {"set_version", s.set_version},
          {"indicators", s.indicators},
          {"seconds", s.seconds},
          {"records_per_second", s.seconds > 0 ? static_cast<double>(s.records) / s.seconds : 0.0},
          {"problems", problems}};
}

}  // namespace

void AddNatsFlags(CLI::App& cmd, NatsFlags& flags) {
  cmd.add_option("--nats-ca", flags.ca,
                 "TLS to NATS (also with nats:// URLs): PEM file of the CAs that sign the "
                 "servers' certificates (default for tls:// URLs: the system's)");
  cmd.add_option("--nats-tls-name", flags.tls_name,
                 "The name the NATS servers' certificates carry (default: the URL's host; "
                 "needed when the URL names several hosts)");
  cmd.add_option("--nats-cert", flags.cert,
                 "Client certificate (PEM chain) for NATS servers that verify clients (with "
                 "--nats-key)");
  cmd.add_option("--nats-key", flags.key, "Private key of --nats-cert (a file of its owner alone)");
  cmd.add_option("--nats-creds", flags.creds,
                 "NATS credentials file (user JWT and NKey seed; a file of its owner alone)");
  cmd.add_option("--nats-user", flags.user, "NATS user (with --nats-password-file)");
  cmd.add_option("--nats-password-file", flags.password_file,
                 "File holding the password of --nats-user (its first line; a file of its owner "
                 "alone)");
}

absl::StatusOr<bus::BusOptions> NatsOptions(const std::string& url, const NatsFlags& flags,
                                            std::string client_name) {
  bus::BusOptions options;
  options.url = url;
  options.client_name = std::move(client_name);
  options.tls_ca = flags.ca;
  options.tls_name = flags.tls_name;
  options.tls_cert = flags.cert;
  options.tls_key = flags.key;
  options.creds_file = flags.creds;
  options.user = flags.user;
  if (flags.user.empty() != flags.password_file.empty()) {
    return absl::InvalidArgumentError("--nats-user and --nats-password-file go together");
  }
  if (!flags.password_file.empty()) {
    KZ_ASSIGN_OR_RETURN(std::string text, ReadPrivateFile(flags.password_file, kMaxPasswordBytes));
    options.password = text.substr(0, text.find_first_of("\r\n"));
    if (options.password.empty()) {
      return absl::InvalidArgumentError(
          StrCat("--nats-password-file ", flags.password_file, ": its first line is empty"));
    }
  }
  return options;
}

absl::Status LoadFieldMap(const std::string& path, detect::FieldMap& map) {
  if (path.empty()) return absl::OkStatus();
  KZ_ASSIGN_OR_RETURN(simdjson::padded_string text, ReadFile(path, 1 << 20));
  return map.Parse(std::string_view(text.data(), text.size()), path);
}

const std::atomic<bool>& StopOnSignalsFlag() {
  struct sigaction action {};
  action.sa_handler = SetStop;
  sigemptyset(&action.sa_mask);
  sigaction(SIGINT, &action, nullptr);
  sigaction(SIGTERM, &action, nullptr);
  return stop_flag;
}

int RunMatchFromBus(const MatchBusFlags& flags) {
  if (flags.durable.empty()) {
    return ReportError(
        absl::InvalidArgumentError("--from needs --durable NAME (the workers' shared consumer)"));
  }
  detect::FieldMap user_map;
  if (absl::Status st = LoadFieldMap(flags.field_map, user_map); !st.ok()) return ReportError(st);
  detect::Allowlist allowlist;
  allowlist.categories = flags.allowlist_categories;
  for (const std::string& path : flags.allowlists) {
    if (absl::Status st = allowlist.Load(path); !st.ok()) return ReportError(st);
  }
  allowlist.Finish();
  std::unique_ptr<FILE, int (*)(FILE*)> alerts(
      nullptr, [](FILE* f) { return f == stdout ? 0 : std::fclose(f); });
  if (!flags.alerts.empty()) {
    alerts.reset(flags.alerts == "-" ? stdout : std::fopen(flags.alerts.c_str(), "a"));
    if (alerts == nullptr)
      return ReportError(absl::PermissionDeniedError(StrCat("cannot write ", flags.alerts)));
  }
  // Each batch opens a reader whose buffers (MiBs) would otherwise be mapped afresh from the
  // kernel and faulted in page by page, batch after batch: keep them on the heap for reuse.
  mallopt(M_MMAP_THRESHOLD, kReusedBufferBytes);
  mallopt(M_TRIM_THRESHOLD, 2 * kReusedBufferBytes);
  auto bus_options = NatsOptions(flags.from, flags.nats, StrCat("kizuna match ", flags.durable));
  if (!bus_options.ok()) return ReportError(bus_options.status());
  auto bus = bus::Bus::Connect(*bus_options);
  if (!bus.ok()) return ReportError(bus.status());
  bus::WorkerOptions options;
  options.durable = flags.durable;
  options.ack_wait_ms = flags.ack_wait_seconds * 1000;
  options.exit_when_idle_ms = flags.exit_when_idle_seconds * 1000;
  options.compile.threads = 1;
  if (allowlist.list_count() > 0) options.compile.allowlist = &allowlist;
  options.match.threads = flags.threads;
  options.match.correlation.window_us = flags.correlation_window_seconds * 1000000;
  if (!user_map.empty()) options.match.reader.user_map = &user_map;
  options.stop = &StopOnSignalsFlag();
  detect::MatchRun::AlertSink sink;
  if (alerts != nullptr) {
    sink = [&alerts](std::string_view lines) {
      std::fwrite(lines.data(), 1, lines.size(), alerts.get());
      std::fflush(alerts.get());
    };
  }
  bus::Worker worker(**bus, options, sink);
  const bool terminal = StderrIsTerminal();
  worker.on_event = [terminal](const std::string& line) {
    std::fputs(StrCat(terminal ? "\r\033[K" : "", line, "\n").c_str(), stderr);
  };
  if (terminal) {
    worker.on_progress = [](const bus::WorkerSummary& s) {
      std::fputs(
          StrCat("\r", s.batches, " batches, ", s.records, " records, ", s.alerts, " alerts   ")
              .c_str(),
          stderr);
    };
  }
  absl::Status run = worker.Run();
  if (terminal) std::fputs("\r\033[K", stderr);
  const bus::WorkerSummary& s = worker.summary();
  if (flags.json) {
    std::fputs((boost::json::serialize(SummaryJson(s)) + "\n").c_str(), stdout);
  } else {
    std::string text;
    for (const std::string& p : s.problems) StrAppend(text, p, "\n");
    StrAppend(text, "matched ", s.batches, " batches (", s.redelivered, " redelivered), ",
              s.records, " records in ", fmt::format("{:.2f}", s.seconds),
              " s against indicator set ", s.set_version, " (", s.indicators,
              " indicators): ", s.alerts, " alerts, ", s.entries, " sighting entries sent, ",
              s.malformed, " malformed\n");
    std::fputs(text.c_str(), stderr);
  }
  if (!run.ok()) return ReportError(run);
  return kExitOk;
}

}  // namespace kizuna::cli
