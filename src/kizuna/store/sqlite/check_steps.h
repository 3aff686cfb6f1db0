// Kizuna. The steps of CheckDataDir (store/check.h) on an SQLite database; not for other
// modules.
#pragma once

// Each step reads through `db`, a read-only connection, and returns what it found; none
// writes. A step that meets an SQLite error reports it as a problem and ends.
// Thread-safety: a context and its connection belong to one thread.

#include <string>

#include "kizuna/store/check_run.h"
#include "kizuna/store/sqlite/connection.h"

namespace kizuna::store::sqlite_internal {

// What every step gets: the run's options, clock and progress, and the read-only connection.
class CheckContext : public CheckRun {
 public:
  CheckContext(Connection& db, const CheckOptions& options, Clock& clock)
      : CheckRun(options, clock), db_(db) {}

  Connection& db() { return db_; }

 private:
  Connection& db_;
};

// "sqlite": PRAGMA integrity_check or quick_check over the database's `pages` pages, within
// the options' time budget.
CheckStep CheckPages(CheckContext& c, int64_t pages);

// "entries": the version flags of every entry.
CheckStep CheckEntryFlags(CheckContext& c);

// "ids": id hashes and the id runs against the entries.
CheckStep CheckEntryIds(CheckContext& c);

// "marking-definitions": one content per marking definition id.
CheckStep CheckMarkingDefinitions(CheckContext& c);

// "peer-tokens": none in clear, each opens with the key in the file `key_path`.
CheckStep CheckPeerTokens(CheckContext& c, const std::string& key_path);

}  // namespace kizuna::store::sqlite_internal
