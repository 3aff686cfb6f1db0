// Kizuna. Detection benchmark: compile 1 M indicators (time, bytes per indicator), then read
// telemetry alone and read + match it on one core, so the matcher's share is visible:
//   zeek_tsv   the real Zeek dns and ssl logs (../shared/data, decompressed, repeated)
//   eve        EVE JSON generated from the same records' values
//   eve_dom    the same EVE file through the DOM walk (the reader before On-Demand)
//   eve_cold   a high-cardinality synthetic EVE stream (every name distinct: cold lookups)
//   compiled_set  the compiled snapshot written to a compiled-set file and read back R times
//              (at least 5): the read's CPU time, of which the validation of its tables
//              (SnapshotFile::Validate, timed again on the snapshot read), and their ratio
// and, for zeek_tsv and eve, MatchRun (what `kizuna match` runs) on the one file with 1 and
// 2 threads (`<name>_threads`), to show how far one input spreads over both cores.
// Prints one JSON line per measurement. Usage:
//   detect_bench [--indicators N] [--repeat R] [--only NAME,NAME...]
// where --only runs just the named measurements (compile always runs: the others need it).
// Read rates are by the wall clock and, as *_cpu_mb_per_second, by the thread's CPU time.
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "kizuna/base/file.h"
#include "kizuna/base/strings.h"
#include "kizuna/detect/compiled_set.h"
#include "kizuna/detect/compiler.h"
#include "kizuna/detect/match_run.h"
#include "kizuna/detect/matcher.h"
#include "kizuna/detect/readers/reader.h"
#include "kizuna/detect/snapshot_file.h"

namespace kizuna::bench {
namespace {

using Clock = std::chrono::steady_clock;

double Seconds(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// CPU seconds this thread has run: on a shared machine, unlike the wall clock, it leaves
// out the time other processes held the core (not their effect on the caches).
double CpuSeconds() {
  timespec t;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_nsec) * 1e-9;
}

struct Rng {
  uint64_t s = 0x9e3779b97f4a7c15ull;
  uint64_t Next() {
    s ^= s << 13;
    s ^= s >> 7;
    s ^= s << 17;
    return s;
  }
};

// The measurements --only names; empty for all.
std::set<std::string> only;

bool Wanted(const std::string& name) { return only.empty() || only.contains(name); }

std::string Id(uint64_t n) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "indicator--%08x-0000-4000-8000-%012llx",
                static_cast<unsigned>(n >> 48), static_cast<unsigned long long>(n & 0xffffffffffffull));
  return buf;
}

// Simple indicators: 40% domains, 30% IPv4, 10% CIDR, 10% URLs, 10% SHA-256; plus the
// `planted` values (real names) so that real telemetry hits.
std::shared_ptr<const detect::Snapshot> Compile(size_t n, const std::vector<std::string>& planted) {
  std::vector<std::string> patterns;
  patterns.reserve(n + planted.size());
  Rng rng;
  for (size_t i = 0; i < n; ++i) {
    const uint64_t r = rng.Next();
    switch (i % 10) {
      case 0: case 1: case 2: case 3:
        patterns.push_back(StrCat("[domain-name:value = 'h", r % 100000000, ".d", r >> 40, ".example']"));
        break;
      case 4: case 5: case 6:
        patterns.push_back(StrCat("[ipv4-addr:value = '", (r >> 24) & 255, ".", (r >> 16) & 255, ".",
                                  (r >> 8) & 255, ".", r & 255, "']"));
        break;
      case 7:
        patterns.push_back(StrCat("[ipv4-addr:value ISSUBSET '", (r >> 24) & 255, ".", (r >> 16) & 255,
                                  ".", (r >> 8) & 255, ".0/24']"));
        break;
      case 8:
        patterns.push_back(StrCat("[url:value = 'http://u", r % 1000000, ".example/p", r >> 44, "']"));
        break;
      default: {
        char hex[65];
        for (int k = 0; k < 64; ++k) hex[k] = "0123456789abcdef"[(rng.Next() >> 20) & 15];
        hex[64] = 0;
        patterns.push_back(StrCat("[file:hashes.'SHA-256' = '", hex, "']"));
      }
    }
  }
  for (const std::string& v : planted) patterns.push_back(StrCat("[domain-name:value = '", v, "']"));
  // The ids too are input: made before the clock starts, as the patterns are.
  std::vector<std::string> ids;
  ids.reserve(patterns.size());
  for (size_t i = 0; i < patterns.size(); ++i) ids.push_back(Id(i + 1));
  detect::CompileOptions options;
  options.now_us = 1;
  const auto start = Clock::now();
  detect::IndicatorCompiler compiler(options);
  for (size_t i = 0; i < patterns.size(); ++i) compiler.AddPattern(ids[i], patterns[i]);
  auto snapshot = std::move(compiler).Finish();
  const double seconds = Seconds(start);
  if (!snapshot.ok()) {
    std::fprintf(stderr, "%s\n", snapshot.status().ToString().c_str());
    std::exit(1);
  }
  const auto& s = (*snapshot)->stats();
  std::printf("{\"bench\":\"compile\",\"indicators\":%zu,\"simple\":%zu,\"seconds\":%.3f,"
              "\"indicators_per_second\":%.0f,\"lookup_bytes\":%zu,\"bytes_per_indicator\":%.1f}\n",
              s.indicators, s.simple, seconds, static_cast<double>(s.indicators) / seconds,
              s.lookup_bytes, static_cast<double>(s.lookup_bytes) / static_cast<double>(s.indicators));
  std::fflush(stdout);
  return *snapshot;
}

// Reads `path` once without matching and once with; prints both.
void Measure(const std::string& name, const std::string& path, const detect::Snapshot& snapshot,
             const detect::ReaderOptions& options = {}) {
  if (!Wanted(name)) return;
  const uint64_t bytes = std::filesystem::file_size(path);
  double seconds[2] = {0, 0}, cpu[2] = {0, 0};
  uint64_t records = 0, alerts = 0;
  for (int match = 0; match < 2; ++match) {
    auto reader = detect::OpenTelemetry(path, detect::TelemetryFormat::kAuto, options);
    if (!reader.ok()) {
      std::fprintf(stderr, "%s\n", reader.status().ToString().c_str());
      std::exit(1);
    }
    detect::RecordBatch batch;
    detect::BatchMatcher matcher;
    std::vector<detect::Match> matches;
    records = 0;
    const auto start = Clock::now();
    const double cpu_start = CpuSeconds();
    while ((*reader)->Next(batch)) {
      records += batch.records.size();
      if (match) {
        matches.clear();
        (void)matcher.MatchBatch(snapshot, batch, matches);
        alerts += matches.size();
      }
    }
    seconds[match] = Seconds(start);
    cpu[match] = CpuSeconds() - cpu_start;
  }
  std::printf("{\"bench\":\"%s\",\"records\":%llu,\"bytes\":%llu,"
              "\"read_records_per_second\":%.0f,\"read_mb_per_second\":%.1f,"
              "\"match_records_per_second\":%.0f,\"match_mb_per_second\":%.1f,"
              "\"matcher_share\":%.2f,\"matches\":%llu,"
              "\"read_cpu_mb_per_second\":%.1f,\"match_cpu_mb_per_second\":%.1f}\n",
              name.c_str(), static_cast<unsigned long long>(records),
              static_cast<unsigned long long>(bytes), records / seconds[0], bytes / seconds[0] / 1e6,
              records / seconds[1], bytes / seconds[1] / 1e6, 1 - seconds[0] / seconds[1],
              static_cast<unsigned long long>(alerts), bytes / cpu[0] / 1e6, bytes / cpu[1] / 1e6);
  std::fflush(stdout);
}

// Matches `path` with MatchRun on 1 and then 2 threads; prints both rates.
void MeasureThreads(const std::string& name, const std::string& path,
                    const std::shared_ptr<const detect::Snapshot>& snapshot) {
  if (!Wanted(name + "_threads")) return;
  const uint64_t bytes = std::filesystem::file_size(path);
  detect::LiveSnapshot live(snapshot);
  double rate[2] = {0, 0};
  uint64_t records = 0, alerts[2] = {0, 0};
  for (int threads = 1; threads <= 2; ++threads) {
    detect::MatchOptions options;
    options.threads = threads;
    detect::MatchRun run(live, options, nullptr);
    run.Run({path});
    records = run.summary().records;
    alerts[threads - 1] = run.summary().alerts;
    rate[threads - 1] = static_cast<double>(records) / run.summary().seconds;
  }
  std::printf("{\"bench\":\"%s_threads\",\"records\":%llu,\"bytes\":%llu,"
              "\"one_thread_records_per_second\":%.0f,\"two_threads_records_per_second\":%.0f,"
              "\"speedup\":%.2f,\"same_alerts\":%s}\n",
              name.c_str(), static_cast<unsigned long long>(records),
              static_cast<unsigned long long>(bytes), rate[0], rate[1], rate[1] / rate[0],
              alerts[0] == alerts[1] ? "true" : "false");
  std::fflush(stdout);
}

std::string Decompressed(const std::string& path) {
  auto text = ReadFile(path, 1ull << 32);
  if (!text.ok()) return {};
  return std::string(text->data(), text->size());
}

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0 : v[v.size() / 2];
}

// Writes `snapshot` to a compiled-set file in `dir`, then reads it back `rounds` times: each
// round times SnapshotFile::Read (which validates) and then Validate alone on what it read,
// by the thread's CPU time. The read without validation is the difference.
void MeasureCompiledSet(const std::string& dir, const detect::Snapshot& snapshot, int rounds) {
  if (!Wanted("compiled_set")) return;
  const std::string folder = dir + "/match-cache";
  const std::string path = folder + "/s.kzset";
  absl::Status written = detect::MakeCompiledSetDir(folder);
  if (written.ok()) written = detect::SnapshotFile::Write(path, "bench=1\n", snapshot, {});
  if (!written.ok()) {
    std::fprintf(stderr, "%s\n", written.ToString().c_str());
    std::exit(1);
  }
  std::vector<double> read_cpu, read_wall, validate_cpu;
  for (int i = 0; i < rounds; ++i) {
    const double cpu = CpuSeconds();
    const auto start = Clock::now();
    auto read = detect::SnapshotFile::Read(path, "bench=1\n", 2);
    read_wall.push_back(Seconds(start));
    read_cpu.push_back(CpuSeconds() - cpu);
    if (!read.ok()) {
      std::fprintf(stderr, "%s\n", read.status().ToString().c_str());
      std::exit(1);
    }
    const double before = CpuSeconds();
    const absl::Status valid = detect::SnapshotFile::Validate(*read->snapshot);
    validate_cpu.push_back(CpuSeconds() - before);
    if (!valid.ok()) std::exit(1);
  }
  const double read = Median(read_cpu), validate = Median(validate_cpu);
  std::printf(
      "{\"bench\":\"compiled_set\",\"file_bytes\":%llu,\"rounds\":%d,"
      "\"read_wall_seconds\":%.3f,\"read_cpu_seconds\":%.3f,\"validate_cpu_seconds\":%.3f,"
      "\"unvalidated_read_cpu_seconds\":%.3f,\"validate_to_unvalidated_read\":%.3f}\n",
      static_cast<unsigned long long>(std::filesystem::file_size(path)), rounds, Median(read_wall),
      read, validate, read - validate, validate / std::max(1e-9, read - validate));
  std::fflush(stdout);
  std::filesystem::remove_all(folder);
}

void Write(const std::string& path, const std::string& text) {
  FILE* f = std::fopen(path.c_str(), "wb");
  std::fwrite(text.data(), 1, text.size(), f);
  std::fclose(f);
}

int Run(size_t indicators, int repeat) {
  const std::string zeek = KIZUNA_SHARED_DATA "/zeek/tsv";
  // One directory per process, so that runs side by side do not share files.
  const std::string dir =
      std::filesystem::temp_directory_path() / StrCat("kizuna-detect-bench-", getpid());
  std::filesystem::create_directories(dir);
  // Real values: the dns queries and ssl server names (for planted indicators and EVE).
  std::vector<std::string> names;
  std::string tsv;
  for (const char* log : {"dns.log.gz", "ssl.log.gz"}) {
    std::string text = Decompressed(zeek + "/" + log);
    if (text.empty()) continue;
    tsv += text;
    size_t at = 0;
    while ((at = text.find('\n', at)) != std::string::npos) {
      ++at;
      const size_t end = text.find('\n', at);
      std::string_view line(text.data() + at, (end == std::string::npos ? text.size() : end) - at);
      if (line.empty() || line[0] == '#') continue;
      // dns: field 9 is the query; ssl: field 9 is server_name.
      size_t f = 0, start = 0;
      for (int k = 0; k < 9 && f != std::string_view::npos; ++k) {
        f = line.find('\t', start);
        start = f + 1;
      }
      if (f == std::string_view::npos) continue;
      const std::string_view value = line.substr(start, line.find('\t', start) - start);
      if (value != "-" && names.size() < 200000) names.emplace_back(value);
    }
  }
  // Every 97th record's value, each once (real names repeat: 1,649 distinct DNS queries).
  std::set<std::string> distinct;
  for (size_t i = 0; i < names.size() && distinct.size() < 1000; i += 97) distinct.insert(names[i]);
  const std::vector<std::string> planted(distinct.begin(), distinct.end());
  auto snapshot = Compile(indicators, planted);
  MeasureCompiledSet(dir, *snapshot, std::max(repeat, 5));
  if (!tsv.empty()) {
    std::string big;
    for (int i = 0; i < repeat; ++i) big += tsv;
    Write(dir + "/zeek.log", big);
    Measure("zeek_tsv", dir + "/zeek.log", *snapshot);
    MeasureThreads("zeek_tsv", dir + "/zeek.log", snapshot);
    // EVE from the same values.
    std::string eve;
    Rng rng;
    for (int i = 0; i < repeat; ++i) {
      for (const std::string& n : names) {
        const uint64_t r = rng.Next();
        StrAppend(eve, R"({"timestamp":"2018-03-24T17:15:20.865716+0000","flow_id":)", r % 1000000000,
                  R"(,"event_type":"dns","src_ip":"10.47.)", r % 250, ".", (r >> 8) % 250,
                  R"(","src_port":)", 1024 + r % 60000, R"(,"dest_ip":"10.0.0.100","dest_port":53,)",
                  R"("proto":"UDP","dns":{"type":"query","id":)", r % 65536, R"(,"rrname":")", n,
                  R"(","rrtype":"A","tx_id":0}})", "\n");
      }
    }
    Write(dir + "/eve.json", eve);
    Measure("eve", dir + "/eve.json", *snapshot);
    MeasureThreads("eve", dir + "/eve.json", snapshot);
    detect::ReaderOptions dom;
    dom.json_dom = true;
    Measure("eve_dom", dir + "/eve.json", *snapshot, dom);
  } else {
    std::fprintf(stderr, "%s is absent: the real-data measurements are skipped\n", zeek.c_str());
  }
  std::string cold;
  Rng rng;
  for (int i = 0; i < 400000; ++i) {
    const uint64_t r = rng.Next();
    StrAppend(cold, R"({"timestamp":"2018-03-24T17:15:20.865716+0000","event_type":"dns","src_ip":")",
              (r >> 24) & 255, ".", (r >> 16) & 255, ".", (r >> 8) & 255, ".", r & 255,
              R"(","dest_ip":"10.0.0.100","dest_port":53,"proto":"UDP","dns":{"type":"query","rrname":"h)",
              r % 100000000, ".d", r >> 40, R"(.example","rrtype":"A"}})", "\n");
  }
  Write(dir + "/cold.json", cold);
  Measure("eve_cold", dir + "/cold.json", *snapshot);
  std::filesystem::remove_all(dir);
  return 0;
}

}  // namespace
}  // namespace kizuna::bench

int main(int argc, char** argv) {
  size_t indicators = 1000000;
  int repeat = 3;
  for (int i = 1; i < argc; i += 2) {
    const std::string flag = argv[i];
    if (i + 1 >= argc || (flag != "--indicators" && flag != "--repeat" && flag != "--only")) {
      std::fprintf(stderr,
                   "usage: detect_bench [--indicators N] [--repeat R] [--only NAME,NAME...]\n");
      return flag == "--help" || flag == "-h" ? 0 : 2;
    }
    if (flag == "--indicators") indicators = std::strtoull(argv[i + 1], nullptr, 10);
    if (flag == "--repeat") repeat = std::atoi(argv[i + 1]);
    if (flag == "--only") {
      std::string_view names = argv[i + 1];
      while (!names.empty()) {
        const size_t comma = std::min(names.find(','), names.size());
        kizuna::bench::only.emplace(names.substr(0, comma));
        names.remove_prefix(std::min(comma + 1, names.size()));
      }
    }
  }
  return kizuna::bench::Run(indicators, repeat);
}
