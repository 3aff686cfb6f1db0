// Kizuna. Search benchmark: import with and without the search index (the index's cost), the
// index's size beside the objects', and observable lookup, related objects and full-text
// query latency (p50/p99) through the Searcher, with the policy applied for a user of another
// nation in the collection's community. Prints one JSON line. Usage: search_bench [--count N]
// [--queries Q] [--rounds R] [--fts OPTION=VALUE,...] [--postgres URL]: --fts sets FTS5
// options of the indexed store's full-text table before its import (automerge, crisismerge,
// pgsz, ...), to compare them with the store's own in the same run. --postgres also imports the
// bundle (indexed, once) into the PostgreSQL store at URL (an empty database) and measures the
// same queries there ("pg_*" figures; the directory stays the SQLite store's). --store DIR
// keeps the indexed store in DIR: imported (indexed, once) when DIR holds none, else opened
// as it is (a migration it needs runs first), and only the queries are measured (no plain or
// deferred import: their figures are 0), so that queries at 1,000,000 objects can be tried
// again without importing again.
#include <time.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "bench_data.h"
#include "kizuna/base/clock.h"
#include "kizuna/base/random.h"
#include "kizuna/base/strings.h"
#include "kizuna/identity/principal.h"
#include "kizuna/ingest/importer.h"
#include "kizuna/policy/policy.h"
#include "kizuna/search/extract.h"
#include "kizuna/search/searcher.h"
#include "kizuna/stix/id.h"
#include "kizuna/stix/parser.h"
#include "kizuna/stix/reader.h"
#include "kizuna/store/postgres/pg_store.h"
#include "kizuna/store/sqlite/sqlite_store.h"

namespace kizuna::bench {
namespace {

using Clock = std::chrono::steady_clock;

double Seconds(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }

// CPU seconds of this process (every thread), or of the calling thread.
double CpuSeconds(clockid_t clock = CLOCK_PROCESS_CPUTIME_ID) {
  timespec t{};
  clock_gettime(clock, &t);
  return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_nsec) / 1e9;
}

struct Store {
  std::unique_ptr<store::SqliteStore> db;
  store::Collection collection;
};

// A fresh store holding the bundle; returns the import's seconds in `seconds` (wall) and
// `cpu` (process CPU). With `catch_up`, the import defers its indexing (as `kizuna import`
// does) and the catch-up that follows is timed on its own, into catch_up[0] (wall) and
// catch_up[1] (CPU).
Store Import(const std::string& dir, const std::string& text, bool indexed, const std::string& fts,
             double& seconds, double& cpu, double* catch_up = nullptr) {
  std::filesystem::create_directories(dir);
  Store s;
  s.db = std::move(*store::SqliteStore::Open(dir + "/kizuna.db", SystemClock()));
  if (indexed) s.db->SetIndexer(std::make_shared<search::Extractor>());
  if (catch_up != nullptr) s.db->DeferIndexing(true);
  for (size_t at = 0; indexed && at < fts.size();) {
    size_t end = std::min(fts.find(',', at), fts.size()), eq = fts.find('=', at);
    if (eq >= end) std::abort();
    auto conn = store::Connection::Open(dir + "/kizuna.db", false);
    std::string sql = StrCat("INSERT INTO search_text (search_text, rank) VALUES ('", fts.substr(at, eq - at), "', ",
                             fts.substr(eq + 1, end - eq - 1), ")");
    if (!conn.ok() || !(*conn)->Exec(sql).ok()) std::abort();
    at = end + 1;
  }
  if (!s.db->CreateApiRoot({"bench", "bench", "", 0}).ok()) std::abort();
  s.collection = *s.db->CreateCollection({"", "bench", "", "bench", "", 0, {"jpn-usa"}});
  auto start = Clock::now();
  double cpu_start = CpuSeconds();
  ingest::Importer importer(*s.db, s.collection.id);
  if (!importer.ImportText("bench", text, stix::Padding::kAbsent).ok()) std::abort();
  seconds = Seconds(start);
  cpu = CpuSeconds() - cpu_start;
  if (catch_up != nullptr) {
    start = Clock::now();
    cpu_start = CpuSeconds();
    auto done = s.db->CatchUpIndex(nullptr);
    if (!done.ok() || !s.db->GetIndexState()->complete) std::abort();
    catch_up[0] = Seconds(start);
    catch_up[1] = CpuSeconds() - cpu_start;
  }
  return s;
}

int64_t Bytes(store::SqliteStore& db, const std::string& dir, const char* like) {
  (void)db;
  // dbstat through a connection of its own: pages of the tables and indexes named.
  auto conn = store::Connection::Open(dir + "/kizuna.db", true);
  if (!conn.ok()) return -1;
  auto st = (*conn)->Cached(StrCat("SELECT coalesce(sum(pgsize), 0) FROM dbstat WHERE name LIKE '", like, "'"));
  if (!st.ok() || !*(*st)->Step()) return -1;
  int64_t n = (*st)->Int(0);
  (*st)->Reset();
  return n;
}

// Wall-clock percentiles, and the same of the thread's CPU time (on a shared machine the
// wall clock also counts the waits for a core).
struct Latency {
  double p50_ms = 0, p99_ms = 0, cpu_p50_ms = 0, cpu_p99_ms = 0;
  int64_t results = 0;
};

template <typename F>
Latency Measure(size_t n, F&& f) {
  std::vector<double> ms, cpu_ms;
  Latency l;
  for (size_t i = 0; i < n; ++i) {
    auto start = Clock::now();
    double cpu_start = CpuSeconds(CLOCK_THREAD_CPUTIME_ID);
    l.results += f(i);
    cpu_ms.push_back((CpuSeconds(CLOCK_THREAD_CPUTIME_ID) - cpu_start) * 1000);
    ms.push_back(Seconds(start) * 1000);
  }
  auto percentile = [](std::vector<double>& v, size_t pct) {
    std::sort(v.begin(), v.end());
    return v[std::min(v.size() - 1, v.size() * pct / 100)];
  };
  l.p50_ms = percentile(ms, 50);
  l.p99_ms = percentile(ms, 99);
  l.cpu_p50_ms = percentile(cpu_ms, 50);
  l.cpu_p99_ms = percentile(cpu_ms, 99);
  return l;
}

// Objects per second, or 0 when nothing was timed.
double Rate(int64_t count, double seconds) {
  return seconds > 0 ? static_cast<double>(count) / seconds : 0;
}

// The median, or 0 of none (no imports measured with --store).
double Median(std::vector<double> v) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

// The query latencies of one store.
struct Queries {
  Latency observable, related, text_rare, text_family, text_common;
};

Queries MeasureQueries(store::Store& db, store::SearchIndex& index, store::Directory& directory,
                       const identity::Principal& usa, const std::vector<std::string>& values,
                       const std::vector<std::string>& ids, int64_t count) {
  policy::Policy policy(db, &directory, SystemClock());
  search::Searcher searcher(db, index, policy, &directory, SystemClock(),
                            [](const identity::Principal&,
                               const store::Collection&) -> absl::StatusOr<bool> { return true; });
  Queries q;
  q.observable = Measure(values.size(), [&](size_t i) {
    auto a = searcher.Observable(usa, values[i], {.limit = 50});
    if (!a.ok()) std::abort();
    return static_cast<int64_t>(a->results.size());
  });
  q.related = Measure(ids.size(), [&](size_t i) {
    auto a = searcher.Related(usa, ids[i], {.limit = 50});
    if (!a.ok()) std::abort();
    return static_cast<int64_t>(a->results.size());
  });
  q.text_rare = Measure(ids.size(), [&](size_t i) {
    auto a = searcher.Text(
        usa, {.query = StrCat("indicator ", i * (count / static_cast<int64_t>(ids.size())))},
        {.limit = 20});
    if (!a.ok()) std::abort();
    return static_cast<int64_t>(a->results.size());
  });
  q.text_family = Measure(std::min<size_t>(ids.size(), 20), [&](size_t i) {
    auto a = searcher.Text(usa, {.query = StrCat("family-", i % 50)}, {.limit = 20});
    if (!a.ok()) std::abort();
    return static_cast<int64_t>(a->results.size());
  });
  // A word every object carries ("campaign", in every description): the ranking's worst case.
  q.text_common = Measure(std::min<size_t>(ids.size(), 10), [&](size_t) {
    auto a = searcher.Text(usa, {.query = "campaign"}, {.limit = 20});
    if (!a.ok()) std::abort();
    return static_cast<int64_t>(a->results.size());
  });
  return q;
}

// The same bundle imported, indexed, into the PostgreSQL store at `url`, and its queries
// measured with `directory`: the "pg_*" figures, a JSON fragment starting with a comma.
std::string MeasurePostgres(const std::string& url, const std::string& text,
                            store::Directory& directory, const identity::Principal& usa,
                            const std::vector<std::string>& values,
                            const std::vector<std::string>& ids, int64_t count) {
  auto opened = store::PgStore::Open(url, SystemClock());
  if (!opened.ok()) {
    std::fprintf(stderr, "search_bench: %s\n", opened.status().ToString().c_str());
    std::abort();
  }
  std::unique_ptr<store::PgStore> db = std::move(*opened);
  db->SetIndexer(std::make_shared<search::Extractor>());
  if (!db->CreateApiRoot({"bench", "bench", "", 0}).ok()) std::abort();
  store::Collection collection =
      *db->CreateCollection({"", "bench", "", "bench", "", 0, {"jpn-usa"}});
  auto start = Clock::now();
  ingest::Importer importer(*db, collection.id);
  if (!importer.ImportText("bench", text, stix::Padding::kAbsent).ok()) std::abort();
  double seconds = Seconds(start);
  Queries q = MeasureQueries(*db, *db, directory, usa, values, ids, count);
  char out[1024];
  std::snprintf(
      out, sizeof(out),
      ",\"pg_import_indexed_per_s\":%.0f,\"pg_observable_p50_ms\":%.3f,\"pg_observable_p99_ms\":%."
      "3f,"
      "\"pg_observable_results\":%lld,\"pg_related_p50_ms\":%.3f,\"pg_related_p99_ms\":%.3f,"
      "\"pg_text_rare_p50_ms\":%.3f,\"pg_text_rare_p99_ms\":%.3f,\"pg_text_rare_results\":%lld,"
      "\"pg_text_family_p50_ms\":%.3f,\"pg_text_family_p99_ms\":%.3f,\"pg_text_common_p50_ms\":%."
      "3f,"
      "\"pg_text_common_p99_ms\":%.3f",
      static_cast<double>(count) / seconds, q.observable.p50_ms, q.observable.p99_ms,
      static_cast<long long>(q.observable.results), q.related.p50_ms, q.related.p99_ms,
      q.text_rare.p50_ms, q.text_rare.p99_ms, static_cast<long long>(q.text_rare.results),
      q.text_family.p50_ms, q.text_family.p99_ms, q.text_common.p50_ms, q.text_common.p99_ms);
  return out;
}

// OK, or AlreadyExists when the store kept by --store has it from an earlier run.
void Require(const absl::Status& status) {
  if (!status.ok() && !absl::IsAlreadyExists(status)) {
    std::fprintf(stderr, "search_bench: %s\n", status.ToString().c_str());
    std::abort();
  }
}
template <typename T>
void Require(const absl::StatusOr<T>& made) {
  Require(made.status());
}

int Run(int64_t count, size_t queries, int rounds, const std::string& fts,
        const std::string& postgres, const std::string& kept) {
  std::string text = IndicatorBundle(count, 42);
  SeededRandom random(42);
  std::string creator = stix::NewId("identity", random);  // IndicatorBundle's first id
  // Samples: the values and ids of evenly spaced indicators.
  std::vector<std::string> values, ids;
  {
    stix::DocumentReader reader(text);
    stix::ObjectSpan span;
    search::Extractor extractor;
    store::EntryIndex index;
    int64_t n = 0, step = std::max<int64_t>(1, count / static_cast<int64_t>(queries));
    while (*reader.Next(span)) {
      if (n++ % step != 0) continue;
      extractor.Extract("indicator", span.json, index);
      if (!index.values.empty()) values.push_back(index.values.back().value);
      auto id_at = span.json.find("indicator--");
      ids.emplace_back(span.json.substr(id_at, 47));
    }
  }
  std::string base =
      kept.empty()
          ? (std::filesystem::temp_directory_path() / StrCat("kizuna-search-bench-", getpid()))
                .string()
          : kept;
  // Plain and indexed imports alternate `rounds` times (the machine's load changes from one
  // minute to the next); the figures are the medians, the ratios those of each pair.
  std::vector<double> plain_s, indexed_s, plain_cpu, indexed_cpu, cost, cost_cpu;
  // Deferred: the import with its indexing left behind the cursor, and the catch-up after it.
  std::vector<double> deferred_cost, deferred_cost_cpu, catch_up_s, catch_up_cpu,
      total_vs_inline_cpu;
  Store s;
  if (!kept.empty()) {
    rounds = 0;
    // DIR/objects: the --count the kept store was imported with.
    if (std::filesystem::exists(kept + "/indexed/kizuna.db")) {
      std::ifstream held(kept + "/objects");
      int64_t n = -1;
      if (!(held >> n) || n != count) {
        std::fprintf(stderr,
                     "search_bench: the store kept in %s holds %lld objects (%s/objects), not "
                     "--count %lld\n",
                     kept.c_str(), static_cast<long long>(n), kept.c_str(),
                     static_cast<long long>(count));
        return 2;
      }
      s.db = std::move(*store::SqliteStore::Open(kept + "/indexed/kizuna.db", SystemClock()));
      s.db->SetIndexer(std::make_shared<search::Extractor>());
      auto collections = s.db->ListCollections("bench");
      if (!collections.ok() || collections->size() != 1) std::abort();
      s.collection = collections->front();
    } else {
      double is = 0, ic = 0;
      s = Import(kept + "/indexed", text, true, fts, is, ic);
      std::ofstream(kept + "/objects") << count << "\n";
    }
    // The objects held must be the ones asked about.
    auto state = s.db->GetIndexState();
    if (!state.ok() || !state->complete) std::abort();
  }
  for (int r = 0; r < rounds; ++r) {
    double ps = 0, pc = 0, is = 0, ic = 0, ds = 0, dc = 0, cu[2] = {0, 0};
    // The plain and the deferred import in turns first (the first import after the previous
    // round's stores were freed pays for the heap and page cache refilling).
    for (int i = 0; i < 2; ++i) {
      if ((i == 0) == (r % 2 == 0)) {
        { Store plain = Import(base + "/plain", text, false, fts, ps, pc); }
        std::filesystem::remove_all(base + "/plain");
      } else {
        { Store deferred = Import(base + "/deferred", text, true, fts, ds, dc, cu); }
        std::filesystem::remove_all(base + "/deferred");
      }
    }
    deferred_cost.push_back(ds / ps - 1.0), deferred_cost_cpu.push_back(dc / pc - 1.0);
    catch_up_s.push_back(cu[0]), catch_up_cpu.push_back(cu[1]);
    s = Store{};
    std::filesystem::remove_all(base + "/indexed");
    s = Import(base + "/indexed", text, true, fts, is, ic);
    plain_s.push_back(ps), plain_cpu.push_back(pc), indexed_s.push_back(is), indexed_cpu.push_back(ic);
    cost.push_back(is / ps - 1.0), cost_cpu.push_back(ic / pc - 1.0);
    total_vs_inline_cpu.push_back((dc + cu[1]) / ic);
  }
  int64_t object_bytes = Bytes(*s.db, base + "/indexed", "entries");
  int64_t index_bytes = Bytes(*s.db, base + "/indexed", "search%");
  int64_t json_bytes = static_cast<int64_t>(text.size());

  Require(s.db->CreateOrganization("bench", {"JPN-A", "JPN", creator}));
  Require(s.db->CreateOrganization(
      "bench", {"USA-A", "USA", "identity--1b000000-0000-4000-8000-00000000000b"}));
  Require(s.db->CreateGroup("bench", "jpn-usa"));
  if (absl::Status joined = s.db->JoinGroup("bench", "jpn-usa", "USA-A");
      !kept.empty() && absl::IsFailedPrecondition(joined)) {
    // a store kept by --store: joined in its first run
  } else {
    Require(joined);
  }
  identity::Principal usa = identity::UserPrincipal("us", "identity--1b000000-0000-4000-8000-00000000000b", "USA",
                                                    {"jpn-usa"}, static_cast<uint8_t>(identity::Role::kReader));
  Queries q = MeasureQueries(*s.db, *s.db, *s.db, usa, values, ids, count);
  const Latency &observable = q.observable, &related = q.related, &text_rare = q.text_rare,
                &text_family = q.text_family, &text_common = q.text_common;
  const std::string pg =
      postgres.empty() ? "" : MeasurePostgres(postgres, text, *s.db, usa, values, ids, count);
  s.db.reset();
  if (kept.empty()) std::filesystem::remove_all(base);
  std::printf(
      "{\"bench\":\"search\",\"objects\":%lld,\"queries\":%zu,\"rounds\":%d,\"fts\":\"%s\","
      "\"import_plain_per_s\":%.0f,\"import_indexed_per_s\":%.0f,\"index_cost\":%.3f,"
      "\"import_plain_per_cpu_s\":%.0f,\"import_indexed_per_cpu_s\":%.0f,\"index_cost_cpu\":%.3f,"
      "\"deferred_index_cost\":%.3f,\"deferred_index_cost_cpu\":%.3f,\"catch_up_per_s\":%.0f,"
      "\"catch_up_per_cpu_s\":%.0f,\"catch_up_cpu_us_per_object\":%.2f,"
      "\"deferred_and_catch_up_vs_inline_cpu\":%.3f,"
      "\"object_bytes\":%lld,\"json_bytes\":%lld,\"index_bytes\":%lld,\"index_vs_objects\":%.3f,"
      "\"observable_p50_ms\":%.3f,\"observable_p99_ms\":%.3f,\"observable_cpu_p50_ms\":%.3f,"
      "\"observable_cpu_p99_ms\":%.3f,\"observable_results\":%lld,"
      "\"related_p50_ms\":%.3f,\"related_p99_ms\":%.3f,\"related_cpu_p99_ms\":%.3f,"
      "\"text_rare_p50_ms\":%.3f,\"text_rare_p99_ms\":%.3f,\"text_rare_cpu_p99_ms\":%.3f,"
      "\"text_rare_results\":%lld,"
      "\"text_family_p50_ms\":%.3f,\"text_family_p99_ms\":%.3f,\"text_family_cpu_p99_ms\":%.3f,"
      "\"text_common_p50_ms\":%.3f,\"text_common_p99_ms\":%.3f,\"text_common_cpu_p99_ms\":%.3f%s}"
      "\n",
      static_cast<long long>(count), values.size(), rounds, fts.c_str(),
      Rate(count, Median(plain_s)), Rate(count, Median(indexed_s)), Median(cost),
      Rate(count, Median(plain_cpu)), Rate(count, Median(indexed_cpu)), Median(cost_cpu),
      Median(deferred_cost), Median(deferred_cost_cpu), Rate(count, Median(catch_up_s)),
      Rate(count, Median(catch_up_cpu)), Median(catch_up_cpu) * 1e6 / count,
      Median(total_vs_inline_cpu), static_cast<long long>(object_bytes),
      static_cast<long long>(json_bytes), static_cast<long long>(index_bytes),
      static_cast<double>(index_bytes) / static_cast<double>(object_bytes), observable.p50_ms,
      observable.p99_ms, observable.cpu_p50_ms, observable.cpu_p99_ms,
      static_cast<long long>(observable.results), related.p50_ms, related.p99_ms,
      related.cpu_p99_ms, text_rare.p50_ms, text_rare.p99_ms, text_rare.cpu_p99_ms,
      static_cast<long long>(text_rare.results), text_family.p50_ms, text_family.p99_ms,
      text_family.cpu_p99_ms, text_common.p50_ms, text_common.p99_ms, text_common.cpu_p99_ms,
      pg.c_str());
  return 0;
}

}  // namespace
}  // namespace kizuna::bench

int main(int argc, char** argv) {
  int64_t count = 100000;
  size_t queries = 1000;
  int rounds = 3;
  std::string fts, postgres, kept;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--count" && i + 1 < argc) {
      count = std::atoll(argv[++i]);
    } else if (a == "--queries" && i + 1 < argc) {
      queries = static_cast<size_t>(std::atoll(argv[++i]));
    } else if (a == "--rounds" && i + 1 < argc) {
      rounds = std::max(1, std::atoi(argv[++i]));
    } else if (a == "--fts" && i + 1 < argc) {
      fts = argv[++i];
    } else if (a == "--postgres" && i + 1 < argc) {
      postgres = argv[++i];
    } else if (a == "--store" && i + 1 < argc) {
      kept = argv[++i];
    } else {
      std::fprintf(stderr,
                   "usage: search_bench [--count N] [--queries Q] [--rounds R] [--fts "
                   "OPTION=VALUE,...] [--postgres URL] [--store DIR]\n");
      return a == "--help" || a == "-h" ? 0 : 2;
    }
  }
  return kizuna::bench::Run(count, std::max<size_t>(queries, 1), rounds, fts, postgres, kept);
}
