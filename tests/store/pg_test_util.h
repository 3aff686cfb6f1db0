// Kizuna. Helpers for PostgreSQL store tests: a throw-away cluster and a fresh database per test.
#pragma once

// The cluster is made by tests/integration/pg_cluster.py (initdb and pg_ctl of Debian's
// PostgreSQL 15 in a temporary folder, on 127.0.0.1 and a free port, as `nobody` when run as
// root). Under ctest one cluster serves the whole run: the `postgres_cluster` fixture starts
// it and writes its URL to the file named by KIZUNA_TEST_POSTGRES_FILE. A test binary run by
// hand starts its own, once, and stops it when it exits. Without PostgreSQL there is no URL,
// and the tests skip saying why. Thread-safety: for the test's main thread.

#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>

#include "kizuna/base/file.h"
#include "kizuna/base/strings.h"
#include "kizuna/store/postgres/connection.h"

namespace kizuna::store {

// Runs `python3 pg_cluster.py <verb> <folder>`; returns its exit status.
inline int RunPgClusterScript(const char* verb, const std::string& folder) {
  const std::string script = std::string(KIZUNA_SOURCE_DIR) + "/tests/integration/pg_cluster.py";
  pid_t pid = ::fork();
  if (pid == 0) {
    ::execlp("python3", "python3", script.c_str(), verb, folder.c_str(),
             static_cast<char*>(nullptr));
    ::_exit(127);
  }
  int status = 0;
  if (pid < 0 || ::waitpid(pid, &status, 0) < 0) return -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

// A cluster this process started; stopped at exit.
class OwnPgCluster {
 public:
  OwnPgCluster()
      : folder_(
            (std::filesystem::temp_directory_path() / StrCat("kizuna-pg-", ::getpid())).string()) {
    RunPgClusterScript("start", folder_);
  }
  ~OwnPgCluster() { RunPgClusterScript("stop", folder_); }
  std::string UrlFile() const { return folder_ + "/url"; }

 private:
  std::string folder_;
};

inline std::optional<std::string> ReadUrlFile(const std::string& path) {
  auto text = ReadFile(path, 4096);
  if (!text.ok() || std::string_view(*text).empty()) return std::nullopt;
  return std::string(std::string_view(*text));
}

// The URL of the test cluster's `postgres` database, or nullopt when PostgreSQL is missing.
inline std::optional<std::string> PgTestServerUrl() {
  static std::optional<std::string> url = []() -> std::optional<std::string> {
    if (const char* file = std::getenv("KIZUNA_TEST_POSTGRES_FILE")) {
      if (auto shared = ReadUrlFile(file)) return shared;
    }
    static OwnPgCluster own;
    return ReadUrlFile(own.UrlFile());
  }();
  return url;
}

inline constexpr std::string_view kPgMissing =
    "PostgreSQL 15 is not installed (/usr/lib/postgresql/15/bin): PostgreSQL store tests skip";

// `server_url` with its database replaced by `database`.
inline std::string WithDatabase(const std::string& server_url, std::string_view database) {
  size_t slash = server_url.find('/', server_url.find("://") + 3);
  size_t query = server_url.find('?', slash);
  return StrCat(
      server_url.substr(0, slash + 1), database,
      query == std::string::npos ? std::string_view() : std::string_view(server_url).substr(query));
}

// A database of its own for one test, dropped at the end.
class PgTestDatabase {
 public:
  // REQUIRES: PgTestServerUrl() has a value.
  PgTestDatabase() : server_(*PgTestServerUrl()) {
    static std::atomic<int> counter{0};
    name_ = StrCat("kz_test_", ::getpid(), "_", counter.fetch_add(1));
    auto admin = pg::Connection::Open(server_);
    EXPECT_TRUE(admin.ok()) << admin.status();
    if (admin.ok()) {
      absl::Status made = (*admin)->Exec("create test database", StrCat("CREATE DATABASE ", name_));
      EXPECT_TRUE(made.ok()) << made;
    }
  }
  ~PgTestDatabase() {
    auto admin = pg::Connection::Open(server_);
    if (admin.ok()) {
      (*admin)
          ->Exec("drop test database", StrCat("DROP DATABASE IF EXISTS ", name_, " WITH (FORCE)"))
          .IgnoreError();
    }
  }
  std::string url() const { return WithDatabase(server_, name_); }

 private:
  std::string server_;
  std::string name_;
};

}  // namespace kizuna::store
