// Kizuna. `kizuna serve`: run the node (node/node.h) until SIGTERM or SIGINT.
#include <CLI/CLI.hpp>

#include <charconv>
#include <csignal>
#include <cstdio>

#include "kizuna/base/clock.h"
#include "kizuna/base/json_string.h"
#include "kizuna/base/strings.h"
#include "kizuna/cli/command.h"
#include "kizuna/node/config.h"
#include "kizuna/node/node.h"

namespace kizuna::cli {
namespace {

struct ServeFlags {
  std::string config, listen, tls_cert, tls_key, tls_client_ca, access_log, public_url, console;
  std::string store;
  bool dev = false;
  bool no_sync = false;
  size_t threads = 0;
  double start_check_s = node::kDefaultStartCheckSeconds;
};

absl::Status ApplyFlags(const ServeFlags& f, node::NodeConfig& c) {
  if (!f.listen.empty()) {
    size_t colon = f.listen.rfind(':');
    if (colon == std::string::npos) return absl::InvalidArgumentError("--listen: expected ADDRESS:PORT");
    c.server.address = f.listen.substr(0, colon);
    if (c.server.address.size() > 2 && c.server.address.front() == '[') {
      c.server.address = c.server.address.substr(1, c.server.address.size() - 2);
    }
    int port = 0;
    auto [p, ec] = std::from_chars(f.listen.data() + colon + 1, f.listen.data() + f.listen.size(), port);
    if (ec != std::errc() || p != f.listen.data() + f.listen.size() || port < 0 || port > 65535) {
      return absl::InvalidArgumentError("--listen: the port must be 0..65535");
    }
    c.server.port = static_cast<uint16_t>(port);
  }
  if (!f.tls_cert.empty()) c.server.tls_cert_file = f.tls_cert;
  if (!f.tls_key.empty()) c.server.tls_key_file = f.tls_key;
  if (!f.tls_client_ca.empty()) c.server.tls_client_ca_file = f.tls_client_ca;
  if (f.dev) c.server.tls = false;
  if (f.threads) c.server.threads = f.threads;
  if (!f.access_log.empty()) c.access_log = f.access_log == "off" ? "" : f.access_log;
  if (!f.public_url.empty()) c.service.public_url = f.public_url;
  if (!f.console.empty()) c.console.dir = f.console;
  if (!f.store.empty()) c.store = f.store;
  c.sync = !f.no_sync;
  c.start_check_s = f.start_check_s;
  return absl::OkStatus();
}

int Run(GlobalOptions& global, const ServeFlags& flags, bool data_dir_given) {
  node::NodeConfig config;
  if (!flags.config.empty()) {
    absl::StatusOr<node::NodeConfig> loaded = node::LoadConfig(flags.config);
    if (!loaded.ok()) return ReportError(loaded.status());
    config = std::move(*loaded);
  }
  if (absl::Status s = ApplyFlags(flags, config); !s.ok()) return ReportError(s);
  if (data_dir_given || config.data_dir.empty()) config.data_dir = global.data_dir;

  // Block the stop signals in every thread (the node's threads inherit the mask); this
  // thread waits for them with sigwait.
  sigset_t stop;
  sigemptyset(&stop);
  sigaddset(&stop, SIGTERM);
  sigaddset(&stop, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop, nullptr);
  absl::StatusOr<std::unique_ptr<node::Node>> node = node::Node::Create(std::move(config), SystemClock());
  if (!node.ok()) return ReportError(node.status());
  for (const std::string& note : (*node)->notes()) std::fputs(StrCat("kizuna: ", note, "\n").c_str(), stderr);
  ReportTightened((*node)->tightened());
  (*node)->OnIndexError([](const absl::Status& error) {
    std::fputs(
        StrCat("kizuna: the search index cannot catch up (searches say it is not complete): ",
               error.message(), "\n")
            .c_str(),
        stderr);
  });
  if (absl::Status s = (*node)->Start(); !s.ok()) return ReportError(s);
  std::string url = (*node)->url();
  std::string line = StrCat("{\"url\":\"", url, "\",\"taxii\":\"", url, "/taxii2/\",\"data_dir\":",
                            JsonString((*node)->config().data_dir), "}\n");
  std::fputs(line.c_str(), stdout);
  std::fflush(stdout);
  int signal = 0;
  sigwait(&stop, &signal);
  std::fputs(StrCat("kizuna: ", signal == SIGINT ? "SIGINT" : "SIGTERM", ": finishing requests in flight\n").c_str(), stderr);
  (*node)->Stop();
  std::fputs("kizuna: stopped\n", stderr);
  return kExitOk;
}

}  // namespace

void AddServeCommand(CLI::App& app, GlobalOptions& global) {
  auto* cmd = app.add_subcommand("serve", "Run the TAXII 2.1 server until SIGTERM/SIGINT; prints its URL as JSON");
  auto flags = std::make_shared<ServeFlags>();
  cmd->add_option("--config", flags->config, "YAML configuration file (docs/config.md)");
  cmd->add_option("--listen", flags->listen, "ADDRESS:PORT to listen on (default 127.0.0.1:8443; port 0 = any free)");
  cmd->add_option("--tls-cert", flags->tls_cert, "PEM certificate chain");
  cmd->add_option("--tls-key", flags->tls_key, "PEM private key");
  cmd->add_option("--tls-client-ca", flags->tls_client_ca,
                  "PEM CAs of client certificates to accept (mutual TLS); map each certificate to a user with"
                  " `kizuna admin user cert add`");
  cmd->add_flag("--dev", flags->dev, "Plain HTTP, allowed on loopback only");
  cmd->add_flag("--no-sync", flags->no_sync, "Do not synchronise with peers (`kizuna sync run --once` still does)");
  cmd->add_option("--threads", flags->threads,
                  "Server threads (default: one per core; eight per core on PostgreSQL)");
  cmd->add_option("--access-log", flags->access_log, "'-' for stderr (default), a file, or 'off'");
  cmd->add_option("--console", flags->console,
                  "Directory of the web console's files (default: the build tree's, then <prefix>/share/kizuna/console)");
  cmd->add_option("--public-url", flags->public_url, "Base URL announced in the discovery resource");
  cmd->add_option(
      "--store", flags->store,
      "postgresql://... : the store is that database (several nodes may serve it; "
      "default: the one `kizuna init --store` recorded, else the data directory's SQLite file)");
  cmd->add_option("--start-check", flags->start_check_s,
                  "Seconds SQLite's quick check of the store may take before serving; it refuses a damaged store"
                  " (0: no check)")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  cmd->callback([&global, flags, &app] {
    global.exit_code = Run(global, *flags, app.get_option("--data-dir")->count() > 0);
  });
}

}  // namespace kizuna::cli
