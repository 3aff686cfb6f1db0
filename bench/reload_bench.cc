// Kizuna. `kizuna match --reload` benchmark: a reload after a few indicators were added to a
// large collection, as an IndicatorSet brought up to date and built (what a reload does now)
// against a full compilation from the store (what it did before), alternating, and the
// rebuild alone (what the passing of a validity time costs now); `load` is the set's first
// read with the first snapshot (IndicatorSet::LoadAndBuild, what `--reload` starts with).
// Writes to the store: give it a copy. Also an Update when nothing changed (`unchanged`: it
// lists nothing, since no entry was deleted), and one after a delete of one indicator
// (`after_delete`: the listing of the entries without JSON, then the added ones; `listed`:
// how many of the timed updates listed). Prints one JSON line. Usage:
//   reload_bench --store DIR/kizuna.db --collection ALIAS [--changes N] [--repeat R]
// Times are wall and process CPU (user + system, both threads) seconds; medians of R.
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "kizuna/base/clock.h"
#include "kizuna/base/strings.h"
#include "kizuna/detect/compiler.h"
#include "kizuna/detect/indicator_set.h"
#include "kizuna/ingest/importer.h"
#include "kizuna/store/sqlite/sqlite_store.h"

namespace kizuna::bench {
namespace {

using Steady = std::chrono::steady_clock;

double CpuSeconds() {
  rusage u;
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) * 1e-6;
}

struct Timing {
  std::vector<double> wall, cpu;
  template <typename F>
  void Run(F&& f) {
    const Steady::time_point start = Steady::now();
    const double cpu0 = CpuSeconds();
    f();
    cpu.push_back(CpuSeconds() - cpu0);
    wall.push_back(std::chrono::duration<double>(Steady::now() - start).count());
  }
};

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0 : v[v.size() / 2];
}

void Check(const absl::Status& s, std::string_view what) {
  if (s.ok()) return;
  std::fprintf(stderr, "reload_bench: %s: %s\n", std::string(what).c_str(), s.ToString().c_str());
  std::exit(1);
}

std::string NewIndicators(int round, int n) {
  std::string lines;
  for (int i = 0; i < n; ++i) {
    lines += StrCat(
        R"({"type":"indicator","spec_version":"2.1","id":"indicator--7e1d0d3e-5b1f-4a57-9d6e-)",
        fmt::format("{:04}{:08}", round, i),
        R"(","created":"2026-08-01T10:00:00.000Z","modified":"2026-08-01T10:00:00.000Z",)",
        R"("pattern":"[domain-name:value = 'r)", round, "-", i,
        R"(.reload.example']","pattern_type":"stix","valid_from":"2026-08-01T10:00:00Z"})", "\n");
  }
  return lines;
}

int Main(int argc, char** argv) {
  std::string path, alias;
  int changes = 1000, repeat = 3;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string_view flag = argv[i];
    if (flag == "--store") path = argv[i + 1];
    if (flag == "--collection") alias = argv[i + 1];
    if (flag == "--changes") changes = std::atoi(argv[i + 1]);
    if (flag == "--repeat") repeat = std::atoi(argv[i + 1]);
  }
  if (path.empty() || alias.empty() || changes < 1 || repeat < 1) {
    std::fputs(
        "usage: reload_bench --store DIR/kizuna.db --collection ALIAS [--changes N] "
        "[--repeat R]\n",
        stderr);
    return 2;
  }
  Clock& clock = SystemClock();
  auto store = store::SqliteStore::Open(path, clock);
  Check(store.status(), "opening the store");
  auto collection = (*store)->FindCollection("", alias);
  Check(collection.status(), "finding the collection");
  const std::vector<std::string> ids = {collection->id};
  detect::CompileOptions options;
  options.now_us = clock.NowMicros();

  Timing load;
  std::unique_ptr<detect::IndicatorSet> set;
  load.Run([&] {
    auto loaded = detect::IndicatorSet::LoadAndBuild(**store, ids, options, nullptr);
    Check(loaded.status(), "loading the set");
    set = std::move(loaded->set);
  });
  Timing full, update, update_only, build, unchanged, after_delete;
  size_t lookup_bytes = 0;
  int64_t read = 0, scanned = 0, listed = 0;
  for (int round = 0; round < repeat; ++round) {
    ingest::ImportOptions import;
    import.format = stix::DocumentFormat::kJsonLines;
    ingest::Importer importer(**store, collection->id, import);
    Check(importer.ImportText("bench", NewIndicators(round, changes), stix::Padding::kAbsent),
          "importing");
    options.now_us = clock.NowMicros();
    const auto incremental = [&] {
      update.Run([&] {
        update_only.Run([&] {
          auto stats = set->Update(**store);
          Check(stats.status(), "updating");
          read = stats->read;
          scanned = stats->scanned;
          listed += stats->listed ? 1 : 0;
        });
        auto s = set->Build(options, nullptr);
        Check(s.status(), "building");
        lookup_bytes = (*s)->stats().lookup_bytes;
      });
    };
    const auto compile = [&] {
      full.Run([&] {
        auto s = detect::CompileFromStore(**store, ids, options, nullptr);
        Check(s.status(), "compiling");
      });
    };
    if (round % 2 == 0) {
      incremental();
      compile();
    } else {
      compile();
      incremental();
    }
    build.Run([&] { Check(set->Build(options, nullptr).status(), "building"); });
    unchanged.Run([&] {
      auto stats = set->Update(**store);
      Check(stats.status(), "updating unchanged");
      listed += stats->listed ? 1 : 0;
    });
    store::ObjectFilter every;
    every.versions.all = true;
    Check((*store)
              ->DeleteObject(collection->id,
                             StrCat("indicator--7e1d0d3e-5b1f-4a57-9d6e-",
                                    fmt::format("{:04}{:08}", round, 0)),
                             every)
              .status(),
          "deleting");
    after_delete.Run([&] { Check(set->Update(**store).status(), "updating after a delete"); });
  }
  std::printf(
      "{\"indicators\":%zu,\"changes\":%d,\"repeat\":%d,\"load_s\":%.3f,\"load_cpu_s\":%.3f,"
      "\"full_s\":%.3f,\"full_cpu_s\":%.3f,\"update_build_s\":%.3f,\"update_build_cpu_s\":%.3f,"
      "\"update_s\":%.3f,\"update_cpu_s\":%.3f,\"build_s\":%.3f,\"build_cpu_s\":%.3f,"
      "\"unchanged_s\":%.3f,\"unchanged_cpu_s\":%.3f,\"after_delete_s\":%.3f,"
      "\"after_delete_cpu_s\":%.3f,\"listed\":%lld,"
      "\"read\":%lld,\"scanned\":%lld,\"set_bytes\":%zu,\"lookup_bytes\":%zu}\n",
      set->size(), changes, repeat, Median(load.wall), Median(load.cpu), Median(full.wall),
      Median(full.cpu), Median(update.wall), Median(update.cpu), Median(update_only.wall),
      Median(update_only.cpu), Median(build.wall), Median(build.cpu), Median(unchanged.wall),
      Median(unchanged.cpu), Median(after_delete.wall), Median(after_delete.cpu),
      static_cast<long long>(listed), static_cast<long long>(read), static_cast<long long>(scanned),
      set->bytes(), lookup_bytes);
  return 0;
}

}  // namespace
}  // namespace kizuna::bench

int main(int argc, char** argv) { return kizuna::bench::Main(argc, argv); }
