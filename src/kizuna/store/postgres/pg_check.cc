// Kizuna. The check of a PostgreSQL store: the schema, amcheck over the indexes, and the
// store's invariants read in one snapshot.
#include "kizuna/store/postgres/pg_check.h"

#include <algorithm>
#include <limits>
#include <memory>
#include <vector>

#include "kizuna/base/redact.h"
#include "kizuna/base/status.h"
#include "kizuna/base/strings.h"
#include "kizuna/store/check_rules.h"
#include "kizuna/store/data_dir.h"
#include "kizuna/store/postgres/connection.h"
#include "kizuna/store/postgres/pg_internal.h"

namespace kizuna::store::pg_internal {
namespace {

using pg::Param;

constexpr std::string_view kServerStep = "postgresql";
// Entries read per statement by the "entries" step.
constexpr int64_t kEntriesPage = 10000;

absl::StatusOr<int64_t> One(pg::Connection& db, std::string_view what, const std::string& sql) {
  KZ_ASSIGN_OR_RETURN(pg::Result r, db.Run(what, sql, {}));
  return r.rows() > 0 ? r.Int(0, 0) : 0;
}

// amcheck's bt_index_check (`function`, schema-qualified and quoted) over every B-tree index of
// the store's schema, each against its table (heapallindexed), until the deadline (0: none).
absl::Status CheckIndexes(CheckRun& c, pg::Connection& db, const std::string& function,
                          CheckStep& step, int64_t deadline_us) {
  KZ_ASSIGN_OR_RETURN(
      pg::Result indexes,
      db.Run("list the indexes",
             "SELECT c.oid::regclass::text FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid"
             " JOIN pg_am a ON a.oid = c.relam JOIN pg_namespace n ON n.oid = c.relnamespace"
             " WHERE a.amname = 'btree' AND n.nspname = current_schema() ORDER BY 1",
             {}));
  auto out_of_time = [&] {
    step.complete = false;
    step.note = StrCat(step.note, ": stopped after its time budget of ", c.options().time_budget_ms,
                       " ms, having checked ", step.checked, " of ", indexes.rows(), " indexes");
  };
  for (int i = 0; i < indexes.rows(); ++i) {
    const std::string index(indexes.Text(i, 0));
    if (deadline_us > 0) {
      const int64_t left_ms = (deadline_us - c.clock().NowMicros()) / 1000;
      if (left_ms <= 0) {
        out_of_time();
        return absl::OkStatus();
      }
      KZ_RETURN_IF_ERROR(db.Run("set the statement timeout",
                                "SELECT set_config('statement_timeout', $1, false)",
                                {Param::Text(StrCat(left_ms))})
                             .status());
    }
    absl::Status checked =
        db.Run("bt_index_check", StrCat("SELECT ", function, "($1::regclass, true)"),
               {Param::Text(index)})
            .status();
    if (absl::IsDeadlineExceeded(checked)) {
      out_of_time();
      return absl::OkStatus();
    }
    if (absl::IsUnavailable(checked)) return checked;
    if (!checked.ok()) c.Add(step, StrCat("index ", index), std::string(View(checked.message())));
    ++step.checked;
    c.Progress(step.name, step.checked, indexes.rows());
  }
  return absl::OkStatus();
}

// "postgresql": the schema version, then (kFull) the indexes. Returns whether the schema is
// this Kizuna's, so that its invariants can be checked.
bool CheckServer(CheckRun& c, pg::Connection& db, CheckReport& report) {
  CheckStep step = c.Begin(kServerStep, 0);
  absl::StatusOr<int64_t> version =
      One(db, "read the schema version", "SELECT coalesce(max(version), 0) FROM kizuna_schema");
  if (!version.ok()) {
    report.steps.push_back(c.Fail(std::move(step), version.status()));
    return false;
  }
  if (*version != SchemaVersion()) {
    step.complete = false;
    step.note = StrCat("schema version ", *version, ", this Kizuna's is ", SchemaVersion(),
                       ": the store's own invariants were not checked (any kizuna command on the",
                       " directory migrates an older store)");
    report.steps.push_back(c.End(std::move(step)));
    return false;
  }
  report.bytes =
      One(db, "read the database size", "SELECT pg_database_size(current_database())").value_or(0);
  absl::StatusOr<pg::Result> checksums = db.Run("read data_checksums", "SHOW data_checksums", {});
  step.note = StrCat("schema version ", *version);
  if (checksums.ok() && checksums->rows() > 0 && checksums->Text(0, 0) != "on") {
    StrAppend(step.note, "; data checksums are off (initdb --data-checksums finds damaged pages)");
  }
  if (c.options().level == CheckLevel::kFull) {
    // amcheck's functions by the schema it is in, not through search_path (where a role that
    // may create in an earlier schema could put a function of its own).
    absl::StatusOr<pg::Result> amcheck =
        db.Run("look for amcheck",
               "SELECT format('%I', n.nspname) FROM pg_extension e"
               " JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = 'amcheck'",
               {});
    std::string function;
    if (amcheck.ok() && amcheck->rows() > 0) {
      function = StrCat(amcheck->Text(0, 0), ".bt_index_check");
      const std::string signature = StrCat(function, "(regclass, boolean)");
      absl::StatusOr<pg::Result> may =
          db.Run("may this role run amcheck", "SELECT has_function_privilege($1, 'EXECUTE')",
                 {Param::Text(signature)});
      if (!may.ok()) amcheck = may.status();
      if (may.ok() && (may->rows() == 0 || !may->Bool(0, 0))) function.clear();
    }
    if (!amcheck.ok()) {
      report.steps.push_back(c.Fail(std::move(step), amcheck.status()));
      return true;
    }
    if (function.empty()) {
      StrAppend(step.note,
                "; indexes not checked: the database has no amcheck extension, or this role may not"
                " run it (CREATE EXTENSION amcheck, as a superuser)");
    } else {
      StrAppend(step.note, "; amcheck bt_index_check of every index");
      const int64_t deadline_us = c.options().time_budget_ms > 0
                                      ? c.clock().NowMicros() + c.options().time_budget_ms * 1000
                                      : 0;
      absl::Status indexes = CheckIndexes(c, db, function, step, deadline_us);
      db.Exec("reset the statement timeout", "SET statement_timeout = 0").IgnoreError();
      if (!indexes.ok()) {
        report.steps.push_back(c.Fail(std::move(step), indexes));
        return true;
      }
    }
  }
  report.steps.push_back(c.End(std::move(step)));
  return true;
}

// "entries": every entry's version flags, read in pages ordered by object id and collection;
// the rows of the page's last object wait for the next page.
CheckStep CheckEntryFlags(CheckRun& c, pg::Connection& db) {
  absl::StatusOr<int64_t> total = One(db, "count the entries", "SELECT count(*) FROM entries");
  return c.Run("entries", total.value_or(0), [&](CheckStep& step) -> absl::Status {
    KZ_RETURN_IF_ERROR(total.status());
    constexpr int64_t kLow = std::numeric_limits<int64_t>::min();
    std::string id;
    int64_t collection = kLow, spec = kLow, version_ns = kLow, added = kLow;
    std::vector<VersionRow> rows;
    for (;;) {
      KZ_ASSIGN_OR_RETURN(
          pg::Result page,
          db.Run("read the entries' flags",
                 "SELECT date_added_us, collection, stix_id, spec_version, version_ns, is_first,"
                 " is_last, is_top_spec FROM entries"
                 " WHERE (stix_id, collection, spec_version, version_ns, date_added_us) >"
                 " ($1, $2, $3, $4, $5)"
                 " ORDER BY stix_id, collection, spec_version, version_ns, date_added_us LIMIT $6",
                 {Param::Text(id), Param::Int(collection), Param::Int(spec), Param::Int(version_ns),
                  Param::Int(added), Param::Int(kEntriesPage)}));
      for (int i = 0; i < page.rows(); ++i) {
        rows.push_back({page.Int(i, 1), std::string(page.Text(i, 2)), page.Int(i, 3),
                        page.Int(i, 4), page.Int(i, 0),
                        EntryFlags(page.Bool(i, 5), page.Bool(i, 6), page.Bool(i, 7))});
      }
      const bool last = page.rows() < kEntriesPage;
      size_t whole = rows.size();  // rows[0, whole) are every entry of their objects
      if (!last && !rows.empty()) {
        const VersionRow& tail = rows.back();
        id = tail.stix_id, collection = tail.collection, spec = tail.spec_version;
        version_ns = tail.version_ns, added = tail.date_added_us;
        while (whole > 0 && rows[whole - 1].stix_id == tail.stix_id &&
               rows[whole - 1].collection == tail.collection) {
          --whole;
        }
      }
      std::vector<VersionRow> rest(rows.begin() + static_cast<ptrdiff_t>(whole), rows.end());
      rows.resize(whole);
      step.checked += static_cast<int64_t>(rows.size());
      CompareVersions(c, step, rows);
      c.Progress(step.name, step.checked, *total);
      rows = std::move(rest);
      if (last) break;
    }
    return absl::OkStatus();
  });
}

CheckStep CheckMarkingDefinitions(CheckRun& c, pg::Connection& db) {
  return c.Run("marking-definitions", 0, [&](CheckStep& step) -> absl::Status {
    KZ_ASSIGN_OR_RETURN(
        pg::Result r,
        db.Run("read the marking definitions",
               "SELECT e.stix_id, e.date_added_us, coalesce(c.id, e.collection::text), e.json"
               " FROM entries e LEFT JOIN collections c ON c.pk = e.collection"
               " WHERE e.type = 'marking-definition' ORDER BY e.stix_id, e.date_added_us",
               {}));
    DefinitionCheck definitions(c, step);
    for (int i = 0; i < r.rows(); ++i) {
      definitions.Add(r.Text(i, 0), r.Int(i, 1), r.Text(i, 2), r.Text(i, 3));
    }
    definitions.Finish();
    return absl::OkStatus();
  });
}

CheckStep CheckPeerTokens(CheckRun& c, pg::Connection& db, const std::string& key_path) {
  return c.Run("peer-tokens", 0, [&](CheckStep& step) -> absl::Status {
    KZ_ASSIGN_OR_RETURN(pg::Result r,
                        db.Run("read the peers' tokens",
                               "SELECT name, token, sealed_token FROM peers ORDER BY name", {}));
    PeerTokenCheck tokens(c, step, key_path);
    for (int i = 0; i < r.rows(); ++i) tokens.Peer(r.Text(i, 0), r.Text(i, 1), r.Text(i, 2));
    return absl::OkStatus();
  });
}

// The invariants of check_rules.h, in one read-only snapshot.
void CheckInvariants(CheckRun& c, pg::Connection& db, const std::string& dir, CheckReport& report) {
  pg::Transaction snapshot(db);
  absl::Status begun = snapshot.Begin("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
  if (!begun.ok()) {
    report.steps.push_back(c.Fail(c.Begin("entries", 0), begun));
    return;
  }
  report.steps.push_back(CheckEntryFlags(c, db));
  report.steps.push_back(CheckMarkingDefinitions(c, db));
  report.steps.push_back(CheckPeerTokens(c, db, DataDirFile(dir, kPeerTokenKeyFile)));
}

}  // namespace

CheckReport CheckPostgres(const std::string& url, const std::string& dir,
                          const CheckOptions& options, Clock& clock) {
  CheckReport report;
  report.database = RedactUrl(url);
  CheckRun c(options, clock);
  absl::StatusOr<std::unique_ptr<pg::Connection>> db = pg::Connection::Open(url);
  if (db.ok()) {
    // The check writes nothing, whatever it runs.
    absl::Status read_only =
        (*db)->Exec("make the session read-only", "SET default_transaction_read_only = on");
    if (!read_only.ok()) db = read_only;
  }
  if (!db.ok()) {
    CheckStep step = c.Begin(kServerStep, 0);
    step.complete = false;
    c.Add(step, report.database,
          StrCat("the database cannot be read: ", View(db.status().message())));
    report.steps.push_back(c.End(std::move(step)));
  } else if (CheckServer(c, **db, report) && options.level == CheckLevel::kFull) {
    CheckInvariants(c, **db, dir, report);
  }
  report.steps.push_back(CheckModes(dir, options.max_problems_per_step));
  return report;
}

}  // namespace kizuna::store::pg_internal
