// Kizuna. Changes made by other processes on a PostgreSQL database, heard as they commit.
#pragma once

// Every write to what a node serves or authenticates with (entries, API roots, collections,
// the directory's tables) sends a notification on the channel `kizuna_changes` from a trigger
// of the schema (postgres/migrations), delivered when its transaction commits, whichever
// process made it. A ChangeListener holds a connection of its own that LISTENs on the channel,
// on a thread of its own, and calls `on_change` with each notification's payload: "entries"
// (entries added), "deletes" (entries deleted), "collections" (API roots and collections
// created or changed) or "directory". PgStore turns them into the change counts its callers'
// caches are stamped with (Store::LocalContentChanges, Directory::LocalChanges), so a change
// made through one process is seen by the others' caches at once.
//
// A lost connection is opened again (every second until it works); since notifications sent
// meanwhile are lost, `on_change` is then called with every payload once.
// Thread-safety: Start and the destructor from one thread; `on_change` runs on the listener's
// thread and must be quick.

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <thread>

#include "absl/status/statusor.h"

struct pg_conn;

namespace kizuna::store::pg {

inline constexpr std::string_view kChangesChannel = "kizuna_changes";

class ChangeListener {
 public:
  // `backend_pid`: the server process of the session that sent it (PQbackendPID of its
  // connection), so a store can tell its own writes from other processes'.
  using OnChange = std::function<void(std::string_view payload, int backend_pid)>;

  // Connects to `url` and listens; Unavailable when it cannot connect.
  static absl::StatusOr<std::unique_ptr<ChangeListener>> Start(std::string url, OnChange on_change);

  ChangeListener(std::string url, OnChange on_change, int wake_fd);
  ~ChangeListener();  // stops the thread and closes the connection
  ChangeListener(const ChangeListener&) = delete;
  ChangeListener& operator=(const ChangeListener&) = delete;

  // Notifications heard since Start (for tests and metrics).
  int64_t heard() const { return heard_.load(std::memory_order_acquire); }

 private:
  void Run(::pg_conn* conn);
  // Connects and LISTENs; null when it cannot.
  ::pg_conn* Connect() const;

  const std::string url_;
  const OnChange on_change_;
  const int wake_fd_;  // an eventfd: written to stop the thread at once
  std::atomic<bool> stop_{false};
  std::atomic<int64_t> heard_{0};
  std::thread thread_;
};

}  // namespace kizuna::store::pg
