// Kizuna. `kizuna serve`: run the node's TAXII 2.1 server until SIGTERM or SIGINT.
#include <CLI/CLI.hpp>

#include <charconv>
#include <csignal>
#include <cstring>
#include <cstdio>
#include <filesystem>
#include <mutex>

#include "kizuna/base/clock.h"
#include "kizuna/base/file.h"
#include "kizuna/base/json_string.h"
#include "kizuna/base/random.h"
#include "kizuna/base/status.h"
#include "kizuna/base/strings.h"
#include "kizuna/cli/command.h"
#include "kizuna/store/open.h"
#include "kizuna/store/status_sweeper.h"
#include "kizuna/sync/runner.h"
#include "kizuna/taxii/auth/grant_access_control.h"
#include "kizuna/taxii/auth/token_authenticator.h"
#include "kizuna/taxii/server/config.h"
#include "kizuna/taxii/server/server.h"
#include "kizuna/taxii/service.h"

namespace kizuna::cli {
namespace {

struct ServeFlags {
  std::string config, listen, tls_cert, tls_key, access_log, public_url;
  bool dev = false;
  bool no_sync = false;
  size_t threads = 0;
};

// The key that authenticates `next` tokens: 32 random bytes in the data directory, made once,
// so tokens stay valid across restarts.
absl::StatusOr<taxii::NextTokens::Key> NextTokenKey(const std::string& data_dir) {
  std::string path = (std::filesystem::path(data_dir) / "taxii-next-token.key").string();
  taxii::NextTokens::Key key;
  absl::StatusOr<simdjson::padded_string> existing = ReadFile(path, 1024);
  if (existing.ok() && existing->size() == key.size()) {
    std::memcpy(key.data(), existing->data(), key.size());
    return key;
  }
  if (existing.ok() || existing.status().code() != absl::StatusCode::kNotFound) {
    return absl::DataLossError(StrCat(path, " is not a 32-byte key; remove it to make a new one"));
  }
  SecureRandom().Fill(key);
  KZ_RETURN_IF_ERROR(WriteFileAtomically(path, std::string_view(reinterpret_cast<const char*>(key.data()), key.size())));
  return key;
}

absl::Status ApplyFlags(const ServeFlags& f, taxii::NodeConfig& c) {
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
  if (f.dev) c.server.tls = false;
  c.service.tls = c.server.tls;
  if (f.threads) c.server.threads = f.threads;
  if (!f.access_log.empty()) c.access_log = f.access_log == "off" ? "" : f.access_log;
  if (!f.public_url.empty()) c.service.public_url = f.public_url;
  return absl::OkStatus();
}

// A line sink for the access log: standard error or an appended file, one writer at a time.
class LineSink {
 public:
  absl::Status Open(const std::string& target) {
    if (target.empty()) return absl::OkStatus();
    if (target == "-") {
      file_ = stderr;
      return absl::OkStatus();
    }
    file_ = std::fopen(target.c_str(), "a");
    owned_ = true;
    if (file_ == nullptr) return absl::UnavailableError(StrCat("cannot open access log ", target));
    return absl::OkStatus();
  }
  ~LineSink() {
    if (owned_ && file_ != nullptr) std::fclose(file_);
  }
  std::function<void(std::string_view)> Writer() {
    if (file_ == nullptr) return {};
    return [this](std::string_view line) {
      std::lock_guard<std::mutex> lock(mu_);
      std::fwrite(line.data(), 1, line.size(), file_);
      std::fputc('\n', file_);
      std::fflush(file_);
    };
  }

 private:
  std::mutex mu_;
  std::FILE* file_ = nullptr;
  bool owned_ = false;
};

int Run(GlobalOptions& global, const ServeFlags& flags, bool data_dir_given) {
  taxii::NodeConfig config;
  if (!flags.config.empty()) {
    absl::StatusOr<taxii::NodeConfig> loaded = taxii::LoadConfig(flags.config);
    if (!loaded.ok()) return ReportError(loaded.status());
    config = std::move(*loaded);
  }
  if (absl::Status s = ApplyFlags(flags, config); !s.ok()) return ReportError(s);
  std::string data_dir = data_dir_given || config.data_dir.empty() ? global.data_dir : config.data_dir;

  Clock& clock = SystemClock();
  auto db = store::OpenDatabase(data_dir, clock);
  if (!db.ok()) return ReportError(db.status());
  for (const store::ApiRoot& root : config.api_roots) {
    if ((*db)->GetApiRoot(root.name).ok()) continue;
    if (absl::Status s = (*db)->CreateApiRoot(root); !s.ok()) return ReportError(s);
  }
  auto key = NextTokenKey(data_dir);
  if (!key.ok()) return ReportError(key.status());
  taxii::TokenAuthenticator authenticator(**db, clock);
  taxii::GrantAccessControl access(**db, clock);
  store::Database& database = **db;
  taxii::Service service(database, authenticator, access, *key, clock, config.service, &database);

  LineSink access_log;
  if (absl::Status s = access_log.Open(config.access_log); !s.ok()) return ReportError(s);
  config.server.access_log = access_log.Writer();

  // Block the stop signals in every thread (the server's threads inherit the mask); this
  // thread waits for them with sigwait.
  sigset_t stop;
  sigemptyset(&stop);
  sigaddset(&stop, SIGTERM);
  sigaddset(&stop, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop, nullptr);
  // Federation: passes on every commit and every half second (peers from `kizuna peer`).
  sync::Runner runner(database, clock);
  if (!flags.no_sync) runner.Start();
  // Expired status resources are deleted in the background (docs/config.md, `statuses`).
  const int64_t retention_us = config.service.status_retention_us;
  store::StatusSweeper sweeper(database, clock,
                               {.retention_us = retention_us, .interval_us = store::SweepInterval(retention_us)});
  sweeper.Start();
  auto server = taxii::Server::Start(service, config.server);
  if (!server.ok()) return ReportError(server.status());
  std::string url = StrCat(config.server.tls ? "https://" : "http://",
                           config.server.address.find(':') != std::string::npos ? StrCat("[", config.server.address, "]")
                                                                                  : config.server.address,
                           ":", (*server)->port());
  std::string line = StrCat("{\"url\":\"", url, "\",\"taxii\":\"", url, "/taxii2/\",\"data_dir\":", JsonString(data_dir), "}\n");
  std::fputs(line.c_str(), stdout);
  std::fflush(stdout);
  int signal = 0;
  sigwait(&stop, &signal);
  std::fputs(StrCat("kizuna: ", signal == SIGINT ? "SIGINT" : "SIGTERM", ": finishing requests in flight\n").c_str(), stderr);
  (*server)->Stop();
  runner.Stop();
  sweeper.Stop();
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
  cmd->add_flag("--dev", flags->dev, "Plain HTTP, allowed on loopback only");
  cmd->add_flag("--no-sync", flags->no_sync, "Do not synchronise with peers (`kizuna sync run --once` still does)");
  cmd->add_option("--threads", flags->threads, "Server threads (default: one per core)");
  cmd->add_option("--access-log", flags->access_log, "'-' for stderr (default), a file, or 'off'");
  cmd->add_option("--public-url", flags->public_url, "Base URL announced in the discovery resource");
  cmd->callback([&global, flags, &app] {
    global.exit_code = Run(global, *flags, app.get_option("--data-dir")->count() > 0);
  });
}

}  // namespace kizuna::cli
