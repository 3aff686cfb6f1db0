// Kizuna. Import benchmark: parse + validate + store (SQLite), on generated indicators and
// on the ATT&CK bundles when ../shared/data is present. For each data set it measures, in
// one run: splitting alone, parsing (simdjson DOM), parse + index + validate, and the full
// import into a fresh SQLite store, so the store's share is visible. Prints one JSON line
// per data set. Usage: import_bench [--count N] [--attack DIR] [--python]
#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "bench_data.h"
#include "kizuna/base/clock.h"
#include "kizuna/base/file.h"
#include "kizuna/base/strings.h"
#include "kizuna/stix/parser.h"
#include "kizuna/stix/reader.h"
#include "kizuna/ingest/importer.h"
#include "kizuna/store/sqlite/sqlite_store.h"

namespace kizuna::bench {
namespace {

double Seconds(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// User + system CPU seconds of the process so far (the kernel's share of writes included).
double CpuSeconds() {
  rusage u;
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) * 1e-6;
}

template <typename F>
double Time(F&& f) {
  auto start = std::chrono::steady_clock::now();
  f();
  return Seconds(start);
}

// Runs Python's json.load on the file, if python3 exists; returns seconds or -1.
double PythonJsonLoad(const std::string& path) {
  std::string cmd = StrCat("python3 -c \"import json,time,sys; t=time.perf_counter(); json.load(open('", path,
                           "')); print(time.perf_counter()-t)\" 2>/dev/null");
  FILE* p = popen(cmd.c_str(), "r");
  if (p == nullptr) return -1;
  char buf[64] = {0};
  double s = std::fgets(buf, sizeof buf, p) ? std::atof(buf) : -1;
  pclose(p);
  return s > 0 ? s : -1;
}

int Run(const std::string& name, const std::string& path, bool python) {
  auto text = ReadFile(path, limits::kMaxDocumentBytes);
  if (!text.ok()) {
    std::fprintf(stderr, "%s\n", text.status().ToString().c_str());
    return 1;
  }
  int64_t objects = 0;
  double split = Time([&] {
    stix::DocumentReader reader(*text);
    stix::ObjectSpan span;
    while (*reader.Next(span)) ++objects;
  });
  double parse = Time([&] {
    simdjson::dom::parser parser;
    stix::DocumentReader reader(*text);
    stix::ObjectSpan span;
    while (*reader.Next(span)) {
      simdjson::dom::element e;
      if (parser.parse(span.json.data(), span.json.size(), false).get(e) != simdjson::SUCCESS) std::abort();
    }
  });
  double validate = Time([&] {
    stix::ObjectParser parser;
    stix::DocumentReader reader(*text);
    stix::ObjectSpan span;
    while (*reader.Next(span)) {
      if (!parser.Parse(span.json, stix::Padding::kPresent).ok()) std::abort();
    }
  });
  std::string dir = (std::filesystem::temp_directory_path() / StrCat("kizuna-import-bench-", getpid())).string();
  std::filesystem::create_directories(dir);
  auto store = store::SqliteStore::Open(dir + "/kizuna.db", SystemClock());
  if (!store.ok() || !(*store)->CreateApiRoot({"bench", "bench", "", 0}).ok()) return 1;
  auto collection = (*store)->CreateCollection({"", "bench", "", "bench", "", 0});
  ingest::ImportSummary summary;
  const double cpu_start = CpuSeconds();
  double import = Time([&] {
    ingest::Importer importer(**store, collection->id);
    if (!importer.ImportText(path, *text, stix::Padding::kPresent).ok()) std::abort();
    summary = importer.summary();
  });
  const double import_cpu = CpuSeconds() - cpu_start;
  store->reset();
  std::filesystem::remove_all(dir);
  double py = python ? PythonJsonLoad(path) : -1;
  std::printf(
      "{\"bench\":\"import\",\"data\":\"%s\",\"objects\":%lld,\"bytes\":%zu,\"added\":%lld,"
      "\"split_per_s\":%.0f,\"parse_per_s\":%.0f,\"parse_validate_per_s\":%.0f,"
      "\"import_per_s\":%.0f,\"import_per_cpu_s\":%.0f,\"store_share\":%.2f,"
      "\"python_json_load_per_s\":%.0f,\"import_vs_python\":%.2f}\n",
      name.c_str(), static_cast<long long>(objects), text->size(),
      static_cast<long long>(summary.added), objects / split, objects / parse, objects / validate,
      objects / import, objects / import_cpu, 1.0 - validate / import, py > 0 ? objects / py : 0.0,
      py > 0 ? py / import : 0.0);
  std::fflush(stdout);
  return 0;
}

}  // namespace
}  // namespace kizuna::bench

int main(int argc, char** argv) {
  int64_t count = 1000000;
  std::string attack = KIZUNA_SHARED_DATA "/attack";
  bool python = false;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--count" && i + 1 < argc) count = std::atoll(argv[++i]);
    else if (a == "--attack" && i + 1 < argc) attack = argv[++i];
    else if (a == "--python") python = true;
    else {
      std::fprintf(stderr, "usage: import_bench [--count N] [--attack DIR] [--python]\n");
      return a == "--help" || a == "-h" ? 0 : 2;
    }
  }
  std::string path = (std::filesystem::temp_directory_path() / "kizuna-bench-indicators.json").string();
  if (!kizuna::WriteFileAtomically(path, kizuna::bench::IndicatorBundle(count, 42)).ok()) return 1;
  int rc = kizuna::bench::Run(kizuna::StrCat(count, "-indicators"), path, python);
  std::filesystem::remove(path);
  for (const char* f : {"ics-attack-18.0.json", "ics-attack-18.1.json"}) {
    std::string p = attack + "/" + f;
    if (std::filesystem::exists(p)) rc |= kizuna::bench::Run(f, p, python);
    else std::fprintf(stderr, "skipping %s: not found\n", p.c_str());
  }
  return rc;
}
