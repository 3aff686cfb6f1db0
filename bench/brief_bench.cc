// Kizuna. The periodic brief at scale: a store of 1,000,000 objects (indicators, relationships,
// attack patterns) and 100,000 sightings over half a year, three nations and a peer; the time
// to compute the figures and write the HTML page (and, when Chromium is installed, the PDF),
// and the process's peak memory. Baseline, measured in the same run on the same store: reading
// the same period's objects through the released read (policy::ReleasedReader, what a brief
// that loaded every object would do, before any counting). Prints one JSON line. Usage:
//   brief_bench [objects=1000000] [sightings=100000] [dir=/tmp/kizuna-brief-bench]
// KIZUNA_BENCH_KEEP=1 keeps the store; KIZUNA_BENCH_REUSE=1 briefs a store kept by an earlier
// run with the same counts instead of building one (load_s is then 0), so that binaries can
// be compared, alternating, on one store.
#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <filesystem>
#include <string>
#include <vector>

#include "kizuna/base/clock.h"
#include "kizuna/base/file.h"
#include "kizuna/base/strings.h"
#include "kizuna/policy/released_reader.h"
#include "kizuna/report/figures.h"
#include "kizuna/report/html.h"
#include "kizuna/report/pdf.h"
#include "kizuna/stix/parser.h"
#include "kizuna/store/sqlite/sqlite_store.h"

namespace kizuna {
namespace {

constexpr char kTlpClear[] = "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487";
constexpr char kTlpGreen[] = "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb";
constexpr char kTlpAmber[] = "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421";
constexpr char kTlpRed[] = "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1";
constexpr const char* kOrgs[] = {"identity--0a000000-0000-4000-8000-00000000000a",
                                 "identity--0b000000-0000-4000-8000-00000000000b",
                                 "identity--0c000000-0000-4000-8000-00000000000c"};
constexpr int64_t kStart = 1'767'225'600'000'000;  // 2026-01-01
constexpr int64_t kSpanUs = 180LL * 86'400'000'000;
constexpr size_t kBatch = 10'000;

// Process CPU seconds so far (the machine is shared: wall time includes waiting for a core).
double CpuSeconds() {
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  return static_cast<double>(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
         static_cast<double>(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

double Seconds(std::chrono::steady_clock::time_point since) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - since).count();
}

std::string Id(std::string_view type, uint64_t n) {
  return fmt::format("{}--{:08x}-0000-4000-8000-{:012x}", type, static_cast<uint32_t>(n >> 16), n & 0xffffffffffff);
}

// Object `i` of `total`: mostly indicators, every 10th a relationship to one of 500 attack
// patterns (the first 500 objects), markings and creators cycling.
std::string Object(uint64_t i, uint64_t total_indicators, uint64_t sightings_from) {
  const char* marking = (i % 7 == 0) ? kTlpRed : (i % 5 == 0) ? kTlpAmber : (i % 3 == 0) ? kTlpClear : kTlpGreen;
  std::string head = StrCat(R"(","spec_version":"2.1","created":"2026-01-01T00:00:00.000Z","modified":"2026-01-01T00:00:00.000Z","created_by_ref":")",
                            kOrgs[i % 3], R"(","object_marking_refs":[")", marking, R"("])");
  if (i < 500) {
    return StrCat(R"({"type":"attack-pattern","id":")", Id("attack-pattern", i), head, R"(,"name":"Technique )", i,
                  R"(","external_references":[{"source_name":"mitre-attack","external_id":"T)", 1000 + i,
                  R"("}],"kill_chain_phases":[{"kill_chain_name":"mitre-attack","phase_name":"execution"}]})");
  }
  if (i >= sightings_from) {
    return StrCat(R"({"type":"sighting","id":")", Id("sighting", i), head, R"(,"sighting_of_ref":")",
                  Id("indicator", 500 + (i * 7919) % (total_indicators / 100 + 1)), R"(","count":)", 1 + i % 5, "}");
  }
  if (i % 10 == 0) {
    return StrCat(R"({"type":"relationship","id":")", Id("relationship", i), head,
                  R"(,"relationship_type":"indicates","source_ref":")", Id("indicator", i + 1), R"(","target_ref":")",
                  Id("attack-pattern", i % 500), R"("})");
  }
  return StrCat(R"({"type":"indicator","id":")", Id("indicator", i), head, R"(,"name":"Indicator )", i,
                R"(","pattern":"[ipv4-addr:value = '10.)", (i >> 16) & 255, ".", (i >> 8) & 255, ".", i & 255,
                R"(']","pattern_type":"stix","valid_from":"2026-01-01T00:00:00Z"})");
}

// Builds the store: the collection, three nations' organisations, `objects` and `sightings`.
int Load(store::SqliteStore& s, FakeClock& clock, uint64_t objects, uint64_t sightings) {
  (void)s.CreateApiRoot({"intel", "Intel", "", 0});
  store::Collection c = *s.CreateCollection({"", "intel", "alliance", "Alliance", "", 0, {"jpn-usa"}});
  const char* nations[] = {"JPN", "USA", "KOR"};
  const char* names[] = {"JPN-CERT", "USA-CERT", "KOR-CERT"};
  for (int i = 0; i < 3; ++i) {
    (void)s.CreateOrganization("bench", {names[i], nations[i], kOrgs[i]});
    (void)s.AddGrant("bench", c.id, {store::GranteeKind::kOrganization, kOrgs[i]}, {true, false});
  }
  (void)s.CreateGroup("bench", "jpn-usa");
  (void)s.JoinGroup("bench", "jpn-usa", kOrgs[0]);
  (void)s.JoinGroup("bench", "jpn-usa", kOrgs[1]);

  uint64_t total = objects + sightings;
  stix::ObjectParser parser;
  for (uint64_t first = 0; first < total; first += kBatch) {
    std::deque<std::string> texts;
    std::deque<stix::ObjectIndex> indexes;
    std::vector<store::NewObject> batch;
    for (uint64_t i = first; i < std::min(total, first + kBatch); ++i) {
      texts.push_back(Object(i, objects, objects));
      auto index = parser.Parse(texts.back(), stix::Padding::kAbsent);
      if (!index.ok()) return std::fprintf(stderr, "%s\n", std::string(index.status().message()).c_str()), 1;
      indexes.push_back(*index);
      batch.push_back({texts.back(), &indexes.back()});
    }
    clock.Set(kStart + static_cast<int64_t>(first * kSpanUs / total));
    auto added = s.AddObjects(c.id, batch);
    if (!added.ok()) return std::fprintf(stderr, "%s\n", std::string(added.status().message()).c_str()), 1;
  }
  return 0;
}

int Run(uint64_t objects, uint64_t sightings, const std::string& dir) {
  const std::string marker = StrCat(dir, "/built-", objects, "-", sightings);
  const bool reuse = std::getenv("KIZUNA_BENCH_REUSE") != nullptr && std::filesystem::exists(marker);
  if (!reuse) {
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
  }
  FakeClock clock(kStart);
  auto db = store::SqliteStore::Open(dir + "/kizuna.db", clock);
  if (!db.ok()) return std::fprintf(stderr, "%s\n", std::string(db.status().message()).c_str()), 1;
  store::SqliteStore& s = **db;
  double load_s = 0;
  if (!reuse) {
    auto load_start = std::chrono::steady_clock::now();
    if (int failed = Load(s, clock, objects, sightings); failed != 0) return failed;
    load_s = Seconds(load_start);
    if (!WriteFileAtomically(marker, "").ok()) return 1;
  }
  store::Collection c = s.ListCollections("intel")->at(0);
  clock.Set(kStart + kSpanUs);
  policy::Policy policy(s, &s, clock);
  report::BriefInput in;
  in.audience = *report::ResolveAudience(s, "USA");
  in.current = {kStart, kStart + kSpanUs + report::kMicrosPerDay};
  in.previous = *report::PreviousPeriod(in.current, "auto");
  in.node_nation = "JPN";
  in.now_us = clock.NowMicros();

  // Baseline: the released read of every object of the period, as TAXII or export read it.
  auto base_start = std::chrono::steady_clock::now();
  double base_cpu = CpuSeconds();
  policy::ReleasedReader reader(s, policy);
  store::PageRequest request;
  request.limit = store::kMaxPageLimit;
  uint64_t read = 0;
  for (;;) {
    auto page = reader.Read(in.audience.principal, c, {}, request);
    if (!page.ok()) return 1;
    read += page->objects.size();
    if (!page->more) break;
    request.after = page->next;
  }
  double base_s = Seconds(base_start);
  base_cpu = CpuSeconds() - base_cpu;

  auto brief_start = std::chrono::steady_clock::now();
  double brief_cpu = CpuSeconds();
  auto figures = report::ComputeFigures(s, policy, in);
  if (!figures.ok()) return std::fprintf(stderr, "%s\n", std::string(figures.status().message()).c_str()), 1;
  double figures_s = Seconds(brief_start);
  auto html = report::RenderBrief(*figures, report::Lang::kEn, in.now_us);
  if (!html.ok() || !WriteFileAtomically(dir + "/brief.html", *html).ok()) return 1;
  double html_s = Seconds(brief_start);
  double html_cpu = CpuSeconds() - brief_cpu;
  double pdf_s = -1;
  if (std::filesystem::exists("/usr/bin/chromium")) {
    if (absl::Status st = report::PrintPdf(dir + "/brief.html", dir + "/brief.pdf", {}); !st.ok()) {
      return std::fprintf(stderr, "%s\n", std::string(st.message()).c_str()), 1;
    }
    pdf_s = Seconds(brief_start);
  }
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  const auto& h = figures->at("headline").as_object();
  std::printf(
      "{\"bench\":\"brief\",\"objects\":%llu,\"sightings\":%llu,\"load_s\":%.2f,\"released_read_s\":%.3f,"
      "\"released_read_cpu_s\":%.3f,\"released_read_objects\":%llu,\"figures_s\":%.3f,\"html_s\":%.3f,"
      "\"html_cpu_s\":%.3f,\"pdf_s\":%.3f,\"peak_rss_mb\":%ld,"
      "\"brief_objects\":%lld,\"brief_sightings\":%lld,\"html_vs_released_read\":%.3f,\"html_cpu_vs_released_read_cpu\":%.3f,\"html_goal_s\":5,"
      "\"pdf_goal_s\":15}\n",
      static_cast<unsigned long long>(objects), static_cast<unsigned long long>(sightings), load_s, base_s, base_cpu,
      static_cast<unsigned long long>(read), figures_s, html_s, html_cpu, pdf_s, ru.ru_maxrss / 1024,
      static_cast<long long>(h.at("objects").at("current").as_int64()),
      static_cast<long long>(h.at("sightings").at("current").as_int64()), html_s / base_s, html_cpu / base_cpu);
  if (std::getenv("KIZUNA_BENCH_KEEP") == nullptr) std::filesystem::remove_all(dir);
  return 0;
}

}  // namespace
}  // namespace kizuna

int main(int argc, char** argv) {
  uint64_t objects = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 1'000'000;
  uint64_t sightings = argc > 2 ? std::strtoull(argv[2], nullptr, 10) : 100'000;
  std::string dir = argc > 3 ? argv[3] : "/tmp/kizuna-brief-bench";
  return kizuna::Run(objects, sightings, dir);
}
