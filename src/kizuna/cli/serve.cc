// Kizuna. `kizuna serve`: check the store, then run the node's TAXII 2.1 server until SIGTERM
// or SIGINT.
#include <CLI/CLI.hpp>
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <csignal>
#include <cstring>
#include <cstdio>
#include <mutex>

#include "kizuna/base/clock.h"
#include "kizuna/base/file.h"
#include "kizuna/base/json_string.h"
#include "kizuna/base/random.h"
#include "kizuna/base/status.h"
#include "kizuna/base/strings.h"
#include "kizuna/cli/command.h"
#include "kizuna/store/check.h"
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

// The default budget of the start check: SQLite's quick check of a 1 GB store takes about 3 s
// from the page cache and 10 s from disk (docs/formats/store.md, "Checks"), so a store of about
// 3 GB is checked whole even from a cold disk; a larger one as far as the budget goes.
constexpr double kStartCheckSeconds = 30;
// Problems listed when the start check refuses the store.
constexpr size_t kStartCheckProblemsShown = 5;

struct ServeFlags {
  std::string config, listen, tls_cert, tls_key, access_log, public_url;
  bool dev = false;
  bool no_sync = false;
  size_t threads = 0;
  double start_check_s = kStartCheckSeconds;
};

// Runs SQLite's quick check of the store before serving it, for at most `budget_s` seconds
// (0: not at all). Returns DataLoss, listing the first problems, when the store is damaged;
// a check cut short by its budget only warns.
absl::Status StartCheck(const std::string& data_dir, double budget_s) {
  if (budget_s <= 0) return absl::OkStatus();
  store::CheckOptions options;
  options.level = store::CheckLevel::kQuick;
  options.time_budget_ms = static_cast<int64_t>(budget_s * 1000);
  options.max_problems_per_step = kStartCheckProblemsShown;
  KZ_ASSIGN_OR_RETURN(store::CheckReport report,
                      store::CheckDataDir(data_dir, options, SystemClock()));
  std::string problems;
  for (const store::CheckStep& step : report.steps) {
    if (step.name == "modes") continue;  // opening the store closes them
    if (!step.complete) {
      std::string line = StrCat("kizuna: the start check of ", report.database, " was cut short (",
                                step.note, "); `kizuna check` checks it all\n");
      std::fputs(line.c_str(), stderr);
    }
    for (const store::CheckProblem& p : step.problems) {
      StrAppend(problems, "\n  ", p.where.empty() ? "" : StrCat(p.where, ": "), p.what);
    }
  }
  if (problems.empty()) return absl::OkStatus();
  return absl::DataLossError(
      StrCat("the store ", report.database, " is damaged, so it is not served:", problems,
             "\nrun `kizuna check` for a full report, and restore kizuna.db from a backup"));
}

// The key that authenticates `next` tokens: 32 random bytes in the data directory, made once,
// so tokens stay valid across restarts.
absl::StatusOr<taxii::NextTokens::Key> NextTokenKey(const std::string& data_dir) {
  std::string path = store::DataDirFile(data_dir, store::kNextTokenKeyFile);
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
    // 0600 when it is created: the log names users and their addresses.
    int fd = ::open(target.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
    file_ = fd < 0 ? nullptr : ::fdopen(fd, "a");
    owned_ = true;
    if (file_ == nullptr) {
      if (fd >= 0) ::close(fd);
      return absl::UnavailableError(StrCat("cannot open access log ", target, ": ", std::strerror(errno)));
    }
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
  if (absl::Status s = StartCheck(data_dir, flags.start_check_s); !s.ok()) return ReportError(s);
  auto db = OpenNodeDatabase(data_dir);
  if (!db.ok()) return ReportError(db.status());
  for (const store::ApiRoot& root : config.api_roots) {
    if ((*db)->GetApiRoot(root.name).ok()) continue;
    if (absl::Status s = (*db)->CreateApiRoot(root); !s.ok()) return ReportError(s);
  }
  auto key = NextTokenKey(data_dir);
  if (!key.ok()) return ReportError(key.status());
  taxii::TokenAuthenticator authenticator(**db, clock, config.auth);
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
