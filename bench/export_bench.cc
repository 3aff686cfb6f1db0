// Kizuna. Sensor export benchmark: 1,000,000 indicators (default) in a SQLite store, exported
// to each sensor format (zeek-intel, suricata, rpz, csv) through detect::ExportForSensors, and
// as a plain STIX bundle through the same released read (what `kizuna export` does) as the
// baseline, all as one user the policy decides for, in one run. Each measurement is the best
// of --repeat runs. Prints one JSON line: seconds per format, entries written, and each
// format's time as a ratio of the baseline's. Usage: export_bench [--count N] [--repeat R]
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "bench_data.h"
#include "kizuna/base/clock.h"
#include "kizuna/base/strings.h"
#include "kizuna/detect/export/sensor_export.h"
#include "kizuna/ingest/importer.h"
#include "kizuna/policy/released_reader.h"
#include "kizuna/store/sqlite/sqlite_store.h"

namespace kizuna::bench {
namespace {

constexpr char kOrg[] = "identity--7a000000-0000-4000-8000-000000000001";

// User + system CPU seconds of the process so far: on a shared machine, less disturbed by
// other work than wall time.
double CpuSeconds() {
  rusage u;
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) * 1e-6;
}

struct Timing {
  double wall = 1e300;
  double cpu = 1e300;
};

template <typename F>
Timing Best(int repeat, F&& f) {
  Timing best;
  for (int i = 0; i < repeat; ++i) {
    auto start = std::chrono::steady_clock::now();
    const double cpu = CpuSeconds();
    f();
    best.cpu = std::min(best.cpu, CpuSeconds() - cpu);
    best.wall = std::min(
        best.wall, std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  }
  return best;
}

std::string Fields(std::string_view name, const Timing& t, const Timing& base) {
  return fmt::format(
      ",\"{0}_s\":{1:.3f},\"{0}_cpu_s\":{2:.3f},\"{0}_vs_stix\":{3:.2f},\"{0}_cpu_vs_stix\":{4:."
      "2f}",
      name, t.wall, t.cpu, t.wall / base.wall, t.cpu / base.cpu);
}

// The baseline: the collection's latest versions as a bundle's text, as `kizuna export` does.
size_t StixExport(store::Store& store, policy::Policy& policy, const identity::Principal& who,
                  const store::Collection& collection) {
  policy::ReleasedReader reader(store, policy);
  store::PageRequest request;
  request.limit = store::kMaxPageLimit;
  std::string out = "{\"type\": \"bundle\", \"objects\": [";
  size_t bytes = 0;
  for (;;) {
    auto page = reader.Read(who, collection, {}, request);
    if (!page.ok()) std::abort();
    for (const auto& o : page->objects) {
      out += ",\n";
      out += o.json;
    }
    bytes += out.size();
    out.clear();
    if (!page->more) break;
    request.after = page->next;
  }
  return bytes;
}

int Run(int64_t count, int repeat) {
  std::string dir =
      (std::filesystem::temp_directory_path() / StrCat("kizuna-export-bench-", getpid())).string();
  std::filesystem::create_directories(dir);
  auto store = store::SqliteStore::Open(dir + "/kizuna.db", SystemClock());
  if (!store.ok() || !(*store)->CreateApiRoot({"bench", "bench", "", 0}).ok()) return 1;
  auto collection = (*store)->CreateCollection({"", "bench", "", "bench", "", 0});
  if (!collection.ok()) return 1;
  if (!(*store)->CreateOrganization("bench", {"JPN-A", "JPN", kOrg}).ok() ||
      !(*store)
           ->CreateUser("bench",
                        {"analyst", "JPN-A", static_cast<uint8_t>(identity::Role::kReader)})
           .ok()) {
    return 1;
  }
  std::string bundle = IndicatorBundle(count, 42);
  {
    ingest::Importer importer(**store, collection->id);
    if (!importer.ImportText("bench", bundle, stix::Padding::kAbsent).ok()) std::abort();
  }
  bundle = std::string();
  policy::Policy policy(**store, store->get(), SystemClock());
  identity::Principal who = *policy::PrincipalForUser(**store, "analyst");

  size_t stix_bytes = 0;
  const Timing stix =
      Best(repeat, [&] { stix_bytes = StixExport(**store, policy, who, *collection); });
  std::string line =
      StrCat("{\"bench\":\"export\",\"indicators\":", count, ",\"stix_bytes\":", stix_bytes,
             fmt::format(",\"stix_s\":{:.3f},\"stix_cpu_s\":{:.3f}", stix.wall, stix.cpu));
  for (detect::SensorFormat f : {detect::SensorFormat::kZeekIntel, detect::SensorFormat::kSuricata,
                                 detect::SensorFormat::kRpz, detect::SensorFormat::kCsv}) {
    detect::SensorExportOptions options;
    options.format = f;
    options.now_us = SystemClock().NowMicros();
    detect::SensorExportSummary summary;
    const Timing t = Best(repeat, [&] {
      auto out = detect::ExportForSensors(**store, policy, who, *collection, options);
      if (!out.ok()) std::abort();
      summary = out->summary;
    });
    const std::string name(detect::SensorFormatName(f));
    StrAppend(line, Fields(name, t, stix), ",\"", name, "_entries\":", summary.entries);
  }
  std::printf("%s}\n", line.c_str());
  store->reset();
  std::filesystem::remove_all(dir);
  return 0;
}

}  // namespace
}  // namespace kizuna::bench

int main(int argc, char** argv) {
  int64_t count = 1'000'000;
  int repeat = 1;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    if (flag == "--count")
      count = std::atoll(argv[i + 1]);
    else if (flag == "--repeat")
      repeat = std::atoi(argv[i + 1]);
    else {
      std::fprintf(stderr, "usage: export_bench [--count N] [--repeat R]\n");
      return 2;
    }
  }
  return kizuna::bench::Run(count, std::max(1, repeat));
}
