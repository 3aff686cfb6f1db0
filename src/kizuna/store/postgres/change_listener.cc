// Kizuna.
#include "kizuna/store/postgres/change_listener.h"

#include <libpq-fe.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "kizuna/base/strings.h"

namespace kizuna::store::pg {
namespace {

// How long a lost connection waits before it is opened again.
constexpr int kReconnectMs = 1000;

constexpr const char* kPayloads[] = {"entries", "deletes", "collections", "directory"};

}  // namespace

absl::StatusOr<std::unique_ptr<ChangeListener>> ChangeListener::Start(std::string url,
                                                                      OnChange on_change) {
  const int fd = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (fd < 0) return absl::InternalError(StrCat("eventfd: ", std::strerror(errno)));
  auto listener = std::make_unique<ChangeListener>(std::move(url), std::move(on_change), fd);
  ::pg_conn* conn = listener->Connect();
  if (conn == nullptr) {
    return absl::UnavailableError(StrCat("PostgreSQL: cannot listen on '", kChangesChannel,
                                         "' for other processes' changes"));
  }
  listener->thread_ = std::thread([l = listener.get(), conn] { l->Run(conn); });
  return listener;
}

ChangeListener::ChangeListener(std::string url, OnChange on_change, int wake_fd)
    : url_(std::move(url)), on_change_(std::move(on_change)), wake_fd_(wake_fd) {}

ChangeListener::~ChangeListener() {
  stop_.store(true, std::memory_order_release);
  const uint64_t one = 1;
  (void)!::write(wake_fd_, &one, sizeof one);
  if (thread_.joinable()) thread_.join();
  ::close(wake_fd_);
}

::pg_conn* ChangeListener::Connect() const {
  // A connection attempt ends within 10 s (the destructor waits for it), and a connection
  // whose server went away is noticed within about 25 s by TCP keepalives (the listener then
  // opens another).
  const char* const keys[] = {"dbname",           "connect_timeout",
                              "keepalives_idle",  "keepalives_interval",
                              "keepalives_count", nullptr};
  const char* const values[] = {url_.c_str(), "10", "10", "5", "3", nullptr};
  ::pg_conn* conn = PQconnectdbParams(keys, values, /*expand_dbname=*/1);
  if (PQstatus(conn) == CONNECTION_OK) {
    PGresult* r = PQexec(conn, StrCat("LISTEN ", kChangesChannel).c_str());
    const bool ok = PQresultStatus(r) == PGRES_COMMAND_OK;
    PQclear(r);
    if (ok) return conn;
  }
  PQfinish(conn);
  return nullptr;
}

void ChangeListener::Run(::pg_conn* conn) {
  while (!stop_.load(std::memory_order_acquire)) {
    if (conn == nullptr) {
      pollfd wake{wake_fd_, POLLIN, 0};
      if (::poll(&wake, 1, kReconnectMs) > 0) break;
      conn = Connect();
      if (conn == nullptr) continue;
      // What was sent while the connection was down is lost: everything may have changed.
      for (const char* payload : kPayloads) on_change_(payload, 0);
      continue;
    }
    pollfd fds[2] = {{PQsocket(conn), POLLIN, 0}, {wake_fd_, POLLIN, 0}};
    if (::poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      break;
    }
    if (fds[1].revents != 0) break;
    if (PQconsumeInput(conn) == 0 || PQstatus(conn) != CONNECTION_OK) {
      PQfinish(conn);
      conn = nullptr;
      continue;
    }
    while (PGnotify* n = PQnotifies(conn)) {
      heard_.fetch_add(1, std::memory_order_acq_rel);
      on_change_(n->extra != nullptr ? n->extra : "", n->be_pid);
      PQfreemem(n);
    }
  }
  if (conn != nullptr) PQfinish(conn);
}

}  // namespace kizuna::store::pg
