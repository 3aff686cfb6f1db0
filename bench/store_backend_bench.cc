// Kizuna. Store backends benchmark: the PostgreSQL store against the SQLite store, in one run,
// on the same generated indicators. For each backend it measures the store's half of a TAXII
// POST (AddObjects in batches of 100, one transaction each, durable when it returns) and of a
// TAXII GET page of 100 (GetObjects at cursors spread over the collection, with JSON), with one
// reading thread and with four. Prints one JSON line with the rates and the PostgreSQL/SQLite
// ratios (issue 25's goal: >= 0.5). PostgreSQL is a cluster of its own with fsync on
// (tests/integration/pg_cluster.py start DIR --fsync), or the one --postgres URL names.
// Usage: store_backend_bench [--objects N] [--pages N] [--postgres URL]
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "bench_data.h"
#include "kizuna/base/clock.h"
#include "kizuna/base/file.h"
#include "kizuna/base/strings.h"
#include "kizuna/stix/parser.h"
#include "kizuna/stix/reader.h"
#include "kizuna/store/postgres/pg_store.h"
#include "kizuna/store/sqlite/sqlite_store.h"

namespace kizuna::bench {
namespace {

constexpr size_t kBatch = 100;  // objects per POST
constexpr size_t kPage = 100;   // objects per GET page

double Seconds(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

struct Rates {
  double post_objects_per_s = 0, get_pages_per_s = 0, get_pages_per_s_4 = 0;
};

// Adds `objects` in batches, then reads `pages` pages of 100 at spread cursors.
Rates Measure(store::Store& s, const std::vector<store::NewObject>& objects, int pages) {
  Rates rates;
  if (!s.CreateApiRoot({"bench", "bench", "", 0}).ok()) std::abort();
  auto collection = s.CreateCollection({"", "bench", "", "bench", "", 0});
  if (!collection.ok()) std::abort();
  std::vector<int64_t> date_added;
  auto start = std::chrono::steady_clock::now();
  for (size_t i = 0; i < objects.size(); i += kBatch) {
    std::span<const store::NewObject> batch(objects.data() + i,
                                            std::min(kBatch, objects.size() - i));
    auto r = s.AddObjects(collection->id, batch);
    if (!r.ok()) {
      std::fprintf(stderr, "add: %s\n", r.status().ToString().c_str());
      std::abort();
    }
    for (const auto& a : *r) date_added.push_back(a.date_added_us);
  }
  rates.post_objects_per_s = static_cast<double>(objects.size()) / Seconds(start);
  auto read = [&](int thread, int count) {
    store::Page page;
    for (int p = 0; p < count; ++p) {
      store::PageRequest request;
      request.limit = kPage;
      size_t at = (static_cast<size_t>(p) * 7919 + static_cast<size_t>(thread) * 104729) %
                  (date_added.size() - kPage);
      request.after = store::Cursor{date_added[at]};
      if (!s.GetObjectsInto(collection->id, request, store::WithJson::kYes, page).ok() ||
          page.objects.size() != kPage) {
        std::abort();
      }
    }
  };
  start = std::chrono::steady_clock::now();
  read(0, pages);
  rates.get_pages_per_s = pages / Seconds(start);
  start = std::chrono::steady_clock::now();
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) threads.emplace_back(read, t, pages / 4);
  for (auto& t : threads) t.join();
  rates.get_pages_per_s_4 = (pages / 4 * 4) / Seconds(start);
  return rates;
}

int RunScript(const char* verb, const std::string& folder, bool fsync) {
  std::string cmd = StrCat("python3 ", KIZUNA_SOURCE_DIR, "/tests/integration/pg_cluster.py ", verb,
                           " ", folder, fsync ? " --fsync" : "", " >/dev/null");
  return std::system(cmd.c_str());
}

}  // namespace
}  // namespace kizuna::bench

int main(int argc, char** argv) {
  using namespace kizuna;
  int64_t count = 20000;
  int pages = 2000;
  std::string url;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--objects" && i + 1 < argc)
      count = std::atoll(argv[++i]);
    else if (a == "--pages" && i + 1 < argc)
      pages = std::atoi(argv[++i]);
    else if (a == "--postgres" && i + 1 < argc)
      url = argv[++i];
    else {
      std::fprintf(stderr,
                   "usage: store_backend_bench [--objects N] [--pages N] [--postgres URL]\n");
      return a == "--help" || a == "-h" ? 0 : 2;
    }
  }
  if (count < 1000 || pages < 4) {
    std::fprintf(stderr, "store_backend_bench: --objects must be >= 1000 and --pages >= 4\n");
    return 2;
  }
  const std::string text = bench::IndicatorBundle(count, 42);
  std::vector<stix::ObjectIndex> indexes;
  std::vector<store::NewObject> objects;
  indexes.reserve(static_cast<size_t>(count));
  stix::DocumentReader reader(text);
  stix::ObjectSpan span;
  stix::ObjectParser parser;
  while (*reader.Next(span)) {
    auto index = parser.Parse(span.json, stix::Padding::kAbsent);
    if (!index.ok()) return 1;
    indexes.push_back(std::move(*index));
    objects.push_back({span.json, &indexes.back()});
  }
  const std::string dir =
      (std::filesystem::temp_directory_path() / StrCat("kizuna-store-bench-", getpid())).string();
  std::filesystem::create_directories(dir);
  bench::Rates sqlite, postgres;
  {
    auto s = store::SqliteStore::Open(dir + "/kizuna.db", SystemClock());
    if (!s.ok()) return 1;
    sqlite = bench::Measure(**s, objects, pages);
  }
  const bool own_cluster = url.empty();
  if (own_cluster) {
    if (bench::RunScript("start", dir + "/pg", true) != 0) return 1;
    auto file = ReadFile(dir + "/pg/url", 4096);
    if (!file.ok() || std::string_view(*file).empty()) {
      std::fprintf(stderr, "store_backend_bench: PostgreSQL 15 is not installed\n");
      return 1;
    }
    url = std::string(std::string_view(*file));
  }
  {
    auto s = store::PgStore::Open(url, SystemClock());
    if (!s.ok()) {
      std::fprintf(stderr, "%s\n", s.status().ToString().c_str());
      return 1;
    }
    postgres = bench::Measure(**s, objects, pages);
  }
  if (own_cluster) bench::RunScript("stop", dir + "/pg", false);
  std::filesystem::remove_all(dir);
  std::printf(
      "{\"bench\":\"store_backends\",\"objects\":%lld,\"pages\":%d,"
      "\"sqlite_post_objects_per_s\":%.0f,\"postgres_post_objects_per_s\":%.0f,\"post_ratio\":%.2f,"
      "\"sqlite_get_pages_per_s\":%.0f,\"postgres_get_pages_per_s\":%.0f,\"get_ratio\":%.2f,"
      "\"sqlite_get_pages_per_s_4\":%.0f,\"postgres_get_pages_per_s_4\":%.0f,\"get_ratio_4\":%.2f}"
      "\n",
      static_cast<long long>(count), pages, sqlite.post_objects_per_s, postgres.post_objects_per_s,
      postgres.post_objects_per_s / sqlite.post_objects_per_s, sqlite.get_pages_per_s,
      postgres.get_pages_per_s, postgres.get_pages_per_s / sqlite.get_pages_per_s,
      sqlite.get_pages_per_s_4, postgres.get_pages_per_s_4,
      postgres.get_pages_per_s_4 / sqlite.get_pages_per_s_4);
  return 0;
}
