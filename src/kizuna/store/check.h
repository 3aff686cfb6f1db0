// Kizuna. Checking a data directory: SQLite's integrity check and the store's own invariants.
#pragma once

// `kizuna check` and the start of `kizuna serve` call CheckDataDir. It opens the database
// read-only (it writes nothing, and runs beside a node that is serving) and runs these steps:
//
//   "sqlite"   PRAGMA integrity_check (kFull): every page of every b-tree, the free list, and
//              every index against its table; or PRAGMA quick_check (kQuick): the same but
//              the indexes, in about the time it takes to read the file.
//   "entries"  the flags of each entry (is_first, is_last, is_top_spec) agree with the
//              versions held for its object id in its collection. Holds 8 octets an entry,
//              and the rows of the ids held more than once.
//   "ids"      each entry's id hash is the hash of its object id, and its (hash, date added)
//              pair is in exactly one id run (sqlite/entry_ids.h): without it, lookups by id
//              miss the entry. Pairs of entries that are neither stored nor recorded as
//              deleted, and malformed chunks, are reported too. Holds 16 octets an entry.
//   "marking-definitions"  a marking definition id stored with different contents
//              (compared as canonical JSON) in several entries: definitions are never
//              versioned (STIX 2.1 §7.2), so one of them is forged or damaged.
//   "peer-tokens"  no partner token is in clear, and each sealed one opens with the key in
//              peer-tokens.key (peer_tokens.h).
//   "modes"    the data directory is 0700 and Kizuna's files in it 0600 (data_dir.h).
//
// kQuick runs "sqlite" (quick_check) and "modes" only, within a time budget: what the node
// affords at every start. kFull runs everything, without a budget unless given one. A step
// that meets corruption reports it as a problem and the next steps still run.
//
// A data directory whose store is a PostgreSQL database (`kizuna init --store`) is checked by
// postgres/pg_check.h: "postgresql" (the schema version, and amcheck over every index where the
// database has it) in place of "sqlite", then "entries", "marking-definitions", "peer-tokens"
// and "modes" as here; "ids" has no counterpart there.
//
//   CheckOptions options;
//   options.progress = [](const CheckProgress& p) { ... };
//   KZ_ASSIGN_OR_RETURN(CheckReport report, CheckDataDir(dir, options, SystemClock()));
//   if (!report.Clean()) ...
//
// Thread-safety: CheckDataDir may run in any thread, beside a running store; it starts a thread
// of its own for the "sqlite" step, to report progress and keep the time budget.

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "kizuna/base/clock.h"

namespace kizuna::store {

enum class CheckLevel : uint8_t {
  kQuick,  // PRAGMA quick_check and file modes
  kFull,   // PRAGMA integrity_check and every invariant of the store
};

// How far a step has got: `done` of `total` units (pages read for "sqlite", entries for
// "entries" and "ids"; `total` 0 when unknown). SQLite reports the pages it has read only
// between the steps of its program, not while it walks the b-trees, which is one step.
struct CheckProgress {
  std::string_view step;
  int64_t done = 0, total = 0;
};

struct CheckOptions {
  CheckLevel level = CheckLevel::kFull;
  // Longest the "sqlite" step may run, in milliseconds (checked every 200 ms); 0: no limit.
  // When it runs out, the step stops and is reported incomplete (docs/formats/store.md has
  // the figures the default of `kizuna serve` is chosen from).
  int64_t time_budget_ms = 0;
  // Problems kept per step; the others are counted only. Default: enough to see a pattern.
  size_t max_problems_per_step = 100;
  // Called now and then while a step runs (at each thousandth of its total, when it starts
  // and ends, and every 200 ms during the "sqlite" step); may be empty. Calls come one at a
  // time, from the calling thread, or during the "sqlite" step from a thread of the check's.
  std::function<void(const CheckProgress&)> progress;
};

// One problem: where (a page, an entry, an object id, a file) and what is wrong.
struct CheckProblem {
  std::string where;
  std::string what;
};

struct CheckStep {
  std::string name;
  bool complete = true;                // false: stopped by the time budget, or could not run
  std::string note;                    // why it is incomplete, or what it covered
  int64_t checked = 0;                 // pages, entries, definitions, peers or files looked at
  int64_t problem_count = 0;           // problems found, kept or not
  std::vector<CheckProblem> problems;  // the first CheckOptions::max_problems_per_step
  int64_t elapsed_ms = 0;

  // Counts a problem and keeps it while fewer than `keep` are kept.
  void Add(std::string where, std::string what, size_t keep);
};

struct CheckReport {
  std::string database;  // the database file checked, or the PostgreSQL URL (password left out)
  int64_t pages = 0, page_size = 0;  // SQLite's
  int64_t bytes = 0;                 // the database's size, when it could be read
  std::vector<CheckStep> steps;

  // No step found a problem.
  bool Clean() const;
  // Every step ran to its end.
  bool Complete() const;
};

// Checks the data directory `dir` as `options` say. Problems found, the database's included
// (a file that is not a database, a corrupt page, a PostgreSQL server that cannot be reached),
// are in the report; returns an error only when there is no database to check
// (FailedPrecondition, naming the directory) or the directory's store.url is not one.
absl::StatusOr<CheckReport> CheckDataDir(const std::string& dir, const CheckOptions& options,
                                         Clock& clock);

}  // namespace kizuna::store
