// Kizuna. STIX pattern evaluation benchmark. Prints one JSON line per measurement.
//
//   single   single-observation patterns, each evaluated against 1,000,000 observed-data
//            (Pattern::Matches per pattern and observation)
//   mixed    10,000 patterns (95% single-observation indicators of every operator kind, 5%
//            AND / FOLLOWEDBY / REPEATS ... WITHIN) against 100,000 observations, the way a
//            detection engine runs them: single-observation patterns through a PatternSet
//            (one event at a time, constants indexed), multi-observation ones with
//            Pattern::Match over the whole set. Evaluations = 10,000 x 100,000 pairs decided.
//   naive    1,000 of those patterns without the index: every pair through Matches()
//   build    building observations with the Observation API; json: ParseObservations
//
// Evaluations are (pattern, observation) pairs decided. The baseline is the OASIS
// stix2-matcher at about 17,000 observations per second per pattern on this machine
// (docs BRIEF.md; it cannot run here), so ratio = evaluations/s / 17,000. Every figure is the
// median of --runs runs (default 5). Data comes from a fixed seed.
//
// Usage: pattern_bench [--runs N] [--only single|mixed|naive|build|json]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <functional>
#include <string>
#include <unordered_map>
#include <vector>

#include "kizuna/base/random.h"
#include "kizuna/base/strings.h"
#include "kizuna/pattern/observation_json.h"
#include "kizuna/pattern/pattern.h"
#include "kizuna/pattern/pattern_set.h"

namespace {

using kizuna::SeededRandom;
using kizuna::StrCat;
using kizuna::pattern::Observation;
using kizuna::pattern::Pattern;

constexpr double kPythonMatcherPerSecond = 17000;
constexpr int64_t kBase = 1700000000;

struct Pools {
  std::vector<std::string> domains, ips, hashes, names, urls, commands;
};

std::string Hex(SeededRandom& r, size_t digits) {
  static const char kHex[] = "0123456789abcdef";
  std::string s;
  for (size_t i = 0; i < digits; ++i) s += kHex[r.Next() % 16];
  return s;
}

Pools MakePools(SeededRandom& r) {
  Pools p;
  static const char* const kTlds[] = {"com", "net", "org", "info", "jp", "kr", "example"};
  static const char* const kWords[] = {"mail", "cdn", "update", "login", "api", "files",
                                       "secure", "portal", "static", "news"};
  for (int i = 0; i < 50000; ++i) {
    p.domains.push_back(StrCat(kWords[r.Next() % 10], r.Next() % 100000, ".",
                               kWords[r.Next() % 10], ".", kTlds[r.Next() % 7]));
    p.ips.push_back(StrCat(r.Next() % 223 + 1, ".", r.Next() % 256, ".", r.Next() % 256, ".",
                           r.Next() % 254 + 1));
    p.hashes.push_back(Hex(r, 32));
    p.names.push_back(StrCat(kWords[r.Next() % 10], "_", r.Next() % 10000,
                             r.Next() % 2 ? ".exe" : ".dll"));
    p.urls.push_back(StrCat("http://", p.domains.back(), "/", kWords[r.Next() % 10], "/",
                            r.Next() % 1000, ".php"));
  }
  static const char* const kCommands[] = {
      "C:\\Windows\\System32\\svchost.exe -k netsvcs",
      "powershell.exe -nop -w hidden -enc SQBFAFgAIAAoAE4AZQB3AC0ATwBiAGoAZQBjAHQAIABO",
      "cmd.exe /c whoami /all", "rundll32.exe shell32.dll,Control_RunDLL",
      "C:\\Program Files\\App\\app.exe --update", "schtasks /create /tn updater /tr evil.exe"};
  for (const char* c : kCommands) p.commands.emplace_back(c);
  return p;
}

// One observed-data of a random kind (dns, connection, http, file, process).
void MakeObservation(SeededRandom& r, const Pools& p, int64_t index, Observation& o) {
  o.Clear();
  o.SetId(StrCat("observed-data--", index));
  const kizuna::stix::Timestamp t{kBase + index / 10, static_cast<int32_t>(index % 10) * 100000000,
                                  3};
  o.SetTimes(t, t);
  o.SetCount(1);
  const auto pick = [&](const std::vector<std::string>& v) -> const std::string& {
    return v[r.Next() % v.size()];
  };
  switch (r.Next() % 5) {
    case 0: {  // dns
      const auto d = o.AddSco("domain-name", "domain-name--0");
      o.AddString(d, "value", pick(p.domains));
      o.AddString(o.AddList(d, "resolves_to_refs"), "", "ipv4-addr--0");
      o.AddString(o.AddSco("ipv4-addr", "ipv4-addr--0"), "value", pick(p.ips));
      break;
    }
    case 1: {  // connection
      const auto nt = o.AddSco("network-traffic", "network-traffic--0");
      o.AddString(nt, "src_ref", "ipv4-addr--0");
      o.AddString(nt, "dst_ref", "ipv4-addr--1");
      o.AddInt(nt, "src_port", static_cast<int64_t>(1024 + r.Next() % 60000));
      o.AddInt(nt, "dst_port", r.Next() % 4 ? 443 : static_cast<int64_t>(r.Next() % 1024));
      const auto protocols = o.AddList(nt, "protocols");
      o.AddString(protocols, "", "ipv4");
      o.AddString(protocols, "", r.Next() % 3 ? "tcp" : "udp");
      o.AddString(o.AddSco("ipv4-addr", "ipv4-addr--0"), "value", StrCat("10.0.", r.Next() % 256, ".", r.Next() % 256));
      o.AddString(o.AddSco("ipv4-addr", "ipv4-addr--1"), "value", pick(p.ips));
      break;
    }
    case 2: {  // http
      o.AddString(o.AddSco("url", "url--0"), "value", pick(p.urls));
      const auto nt = o.AddSco("network-traffic", "network-traffic--0");
      o.AddString(nt, "dst_ref", "ipv4-addr--0");
      o.AddInt(nt, "dst_port", 80);
      o.AddString(o.AddSco("ipv4-addr", "ipv4-addr--0"), "value", pick(p.ips));
      break;
    }
    case 3: {  // file
      const auto f = o.AddSco("file", "file--0");
      o.AddString(f, "name", pick(p.names));
      o.AddInt(f, "size", static_cast<int64_t>(r.Next() % 5000000));
      const auto h = o.AddObject(f, "hashes");
      o.AddString(h, "MD5", pick(p.hashes));
      o.AddString(h, "SHA-256", StrCat(pick(p.hashes), pick(p.hashes)));
      break;
    }
    default: {  // process
      const auto proc = o.AddSco("process", "process--0");
      o.AddInt(proc, "pid", static_cast<int64_t>(r.Next() % 65536));
      o.AddString(proc, "command_line", pick(p.commands));
      o.AddString(proc, "image_ref", "file--0");
      o.AddString(o.AddSco("file", "file--0"), "name", pick(p.names));
      break;
    }
  }
}

// Builds each observation in a reused scratch object and copies it out, so every stored
// observation's buffers are allocated once, at their final size, one after the other (what
// a reader that keeps observations would do).
std::vector<Observation> MakeObservations(SeededRandom& r, const Pools& p, size_t n) {
  std::vector<Observation> out(n);
  Observation scratch;
  for (size_t i = 0; i < n; ++i) {
    MakeObservation(r, p, static_cast<int64_t>(i), scratch);
    out[i] = scratch;
  }
  return out;
}

std::unique_ptr<const Pattern> MustCompile(const std::string& text) {
  auto p = Pattern::Compile(text);
  if (!p.ok()) {
    std::fprintf(stderr, "pattern_bench: %s: %s\n", text.c_str(), p.status().ToString().c_str());
    std::exit(2);
  }
  return std::move(*p);
}

// A random indicator pattern; about 5% need several observations.
std::string RandomPattern(SeededRandom& r, const Pools& p) {
  const auto pick = [&](const std::vector<std::string>& v) -> const std::string& {
    return v[r.Next() % v.size()];
  };
  const uint64_t kind = r.Next() % 100;
  if (kind < 20) return StrCat("[ipv4-addr:value = '", pick(p.ips), "']");
  if (kind < 40) return StrCat("[domain-name:value = '", pick(p.domains), "']");
  if (kind < 55) return StrCat("[file:hashes.MD5 = '", pick(p.hashes), "']");
  if (kind < 62) return StrCat("[url:value = '", pick(p.urls), "']");
  if (kind < 70) {
    std::string in = StrCat("[domain-name:value IN ('", pick(p.domains), "'");
    for (int i = 0; i < 20; ++i) in += StrCat(", '", pick(p.domains), "'");
    return in + ")]";
  }
  if (kind < 75) return StrCat("[url:value LIKE 'http://", pick(p.domains), "/%']");
  if (kind < 80) return StrCat("[file:name = '", pick(p.names), "' OR file:size > 4999000]");
  if (kind < 85) {
    return StrCat("[network-traffic:dst_ref.value ISSUBSET '", r.Next() % 223 + 1, ".",
                  r.Next() % 256, ".0.0/16' AND network-traffic:dst_port = 443]");
  }
  if (kind < 90) return StrCat("[process:command_line MATCHES '(?i)", r.Next() % 2 ? "powershell.*-enc" : "schtasks /create", "']");
  if (kind < 95) return StrCat("[domain-name:resolves_to_refs[*].value = '", pick(p.ips), "']");
  switch (r.Next() % 3) {
    case 0:
      return StrCat("[domain-name:value = '", pick(p.domains), "'] FOLLOWEDBY [ipv4-addr:value = '",
                    pick(p.ips), "'] WITHIN 300 SECONDS");
    case 1:
      return StrCat("[process:command_line MATCHES 'whoami'] AND [file:hashes.MD5 = '",
                    pick(p.hashes), "']");
    default:
      return StrCat("[network-traffic:dst_ref.value = '", pick(p.ips),
                    "'] REPEATS 3 TIMES WITHIN 600 SECONDS");
  }
}

double CpuSeconds() {
  timespec t;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_nsec) * 1e-9;
}

// CPU seconds of the last Seconds() call: the machine is shared, so wall time includes
// waiting for a core; CPU time is what the work cost.
double g_last_cpu = 0;

template <typename F>
double Seconds(F&& f) {
  const double cpu = CpuSeconds();
  const auto start = std::chrono::steady_clock::now();
  f();
  g_last_cpu = CpuSeconds() - cpu;
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

// `seconds` are wall times, `cpu` the CPU times of the same runs.
void Report(const std::string& name, double evaluations, const std::vector<double>& seconds,
            const std::vector<double>& cpu, const std::string& extra = "") {
  const double median = Median(seconds);
  const double cpu_median = Median(cpu);
  const double rate = evaluations / median;
  const double cpu_rate = evaluations / cpu_median;
  std::printf(
      "{\"bench\":\"%s\",\"evaluations\":%.0f,\"median_wall_seconds\":%.4f,"
      "\"min_wall_seconds\":%.4f,\"max_wall_seconds\":%.4f,\"median_cpu_seconds\":%.4f,"
      "\"evaluations_per_second\":%.0f,\"evaluations_per_cpu_second\":%.0f,"
      "\"vs_stix2_matcher\":%.0f,\"vs_stix2_matcher_cpu\":%.0f%s}\n",
      name.c_str(), evaluations, median, *std::min_element(seconds.begin(), seconds.end()),
      *std::max_element(seconds.begin(), seconds.end()), cpu_median, rate, cpu_rate,
      rate / kPythonMatcherPerSecond, cpu_rate / kPythonMatcherPerSecond, extra.c_str());
  std::fflush(stdout);
}

void BenchSingle(int runs) {
  SeededRandom r(1);
  const Pools pools = MakePools(r);
  const std::vector<Observation> obs = MakeObservations(r, pools, 1000000);
  const std::vector<std::string> texts = {
      StrCat("[ipv4-addr:value = '", pools.ips[7], "']"),
      StrCat("[domain-name:value = '", pools.domains[3], "']"),
      StrCat("[file:hashes.MD5 = '", pools.hashes[11], "']"),
      "[url:value LIKE 'http://login%.example/%']",
      "[network-traffic:dst_ref.value ISSUBSET '203.0.113.0/24' AND network-traffic:dst_port = 443]",
      "[process:command_line MATCHES '(?i)powershell.*-enc']",
      StrCat("[domain-name:value IN ('", pools.domains[1], "', '", pools.domains[2], "', '",
             pools.domains[5], "', 'evil.example')]"),
      "[file:name = 'evil.exe' OR file:size > 4999000]",
  };
  std::vector<std::unique_ptr<const Pattern>> patterns;
  for (const std::string& text : texts) patterns.push_back(MustCompile(text));
  // Pattern-major: each pattern streams through all observations (cold caches: memory-bound).
  std::vector<double> total_seconds(runs, 0), total_cpu(runs, 0);
  for (size_t k = 0; k < patterns.size(); ++k) {
    const Pattern& p = *patterns[k];
    std::vector<double> seconds, cpu;
    size_t matches = 0;
    for (int run = 0; run < runs; ++run) {
      matches = 0;
      seconds.push_back(Seconds([&] {
        for (const Observation& o : obs) matches += *p.Matches(o);
      }));
      cpu.push_back(g_last_cpu);
      total_seconds[run] += seconds.back();
      total_cpu[run] += cpu.back();
    }
    Report("single", static_cast<double>(obs.size()), seconds, cpu,
           StrCat(",\"matches\":", matches, ",\"pattern\":\"",
                  std::string_view(texts[k]).substr(0, 60), "\""));
  }
  const double total = static_cast<double>(obs.size() * patterns.size());
  Report("single_pattern_major", total, total_seconds, total_cpu,
         StrCat(",\"patterns\":", texts.size(), ",\"observations\":", obs.size()));
  // Observation-major: each observation against every pattern, as a detection engine runs
  // them (the observation is read from memory once).
  std::vector<double> seconds, cpu;
  size_t matches = 0;
  for (int run = 0; run < runs; ++run) {
    matches = 0;
    seconds.push_back(Seconds([&] {
      for (const Observation& o : obs) {
        for (const auto& p : patterns) matches += *p->Matches(o);
      }
    }));
    cpu.push_back(g_last_cpu);
  }
  Report("single_observation_major", total, seconds, cpu,
         StrCat(",\"patterns\":", texts.size(), ",\"observations\":", obs.size(),
                ",\"matches\":", matches));
  // The same patterns as one PatternSet, events in batches of 1,024.
  kizuna::pattern::PatternSet::Builder builder;
  for (auto& p : patterns) builder.Add(std::shared_ptr<const Pattern>(std::move(p)));
  const auto set = std::move(builder).Build();
  std::vector<const Observation*> all;
  for (const Observation& o : obs) all.push_back(&o);
  seconds.clear();
  cpu.clear();
  for (int run = 0; run < runs; ++run) {
    matches = 0;
    seconds.push_back(Seconds([&] {
      kizuna::pattern::PatternSet::Scratch scratch;
      std::vector<kizuna::pattern::PatternSet::Hit> hits;
      constexpr size_t kBatch = 1024;
      for (size_t start = 0; start < all.size(); start += kBatch) {
        hits.clear();
        const size_t n = std::min(kBatch, all.size() - start);
        if (!set->MatchBatch(std::span(all).subspan(start, n), scratch, hits).ok()) std::exit(4);
        matches += hits.size();
      }
    }));
    cpu.push_back(g_last_cpu);
  }
  Report("single_pattern_set", total, seconds, cpu,
         StrCat(",\"patterns\":", set->size(), ",\"observations\":", obs.size(),
                ",\"guarded\":", set->stats().guarded, ",\"matches\":", matches));
}

struct Mixed {
  std::vector<std::unique_ptr<const Pattern>> patterns;
  std::vector<Observation> observations;
};

size_t g_mixed_patterns = 10000;
size_t g_mixed_observations = 100000;

Mixed MakeMixed() {
  SeededRandom r(2);
  const Pools pools = MakePools(r);
  Mixed m;
  m.observations = MakeObservations(r, pools, g_mixed_observations);
  for (size_t i = 0; i < g_mixed_patterns; ++i) {
    m.patterns.push_back(MustCompile(RandomPattern(r, pools)));
  }
  return m;
}

void BenchMixed(int runs) {
  Mixed m = MakeMixed();
  kizuna::pattern::PatternSet::Builder builder;
  for (auto& p : m.patterns) builder.Add(std::shared_ptr<const Pattern>(std::move(p)));
  const auto set = std::move(builder).Build();
  std::vector<const Observation*> all;
  for (const Observation& o : m.observations) all.push_back(&o);
  std::vector<double> seconds, cpu, multi_cpu;
  size_t hits = 0;
  for (int run = 0; run < runs; ++run) {
    hits = 0;
    seconds.push_back(Seconds([&] {
      // Single-observation patterns: events in batches of 1,024, through the set's index.
      kizuna::pattern::PatternSet::Scratch scratch;
      std::vector<kizuna::pattern::PatternSet::Hit> matched;
      constexpr size_t kBatch = 1024;
      for (size_t start = 0; start < all.size(); start += kBatch) {
        matched.clear();
        const size_t n = std::min(kBatch, all.size() - start);
        if (!set->MatchBatch(std::span(all).subspan(start, n), scratch, matched).ok()) {
          std::exit(4);
        }
        hits += matched.size();
      }
      // Patterns over several observations: each over the whole set.
      const double multi_start = CpuSeconds();
      for (size_t i : set->multi_observation()) {
        auto result = set->pattern(i).Match(all);
        hits += result.ok() && result->matched;
      }
      multi_cpu.push_back(CpuSeconds() - multi_start);
    }));
    cpu.push_back(g_last_cpu);
  }
  const kizuna::pattern::PatternSet::Stats& st = set->stats();
  Report("mixed", static_cast<double>(set->size()) * static_cast<double>(all.size()), seconds,
         cpu,
         StrCat(",\"patterns\":", set->size(), ",\"observations\":", all.size(),
                ",\"guarded\":", st.guarded, ",\"unguarded\":", st.unguarded,
                ",\"multi_observation\":", st.multi, ",\"multi_observation_cpu_seconds\":",
                fmt::format("{:.3f}", Median(multi_cpu)), ",\"hits\":", hits));
}

// Without the index: every single-observation pattern of the mixed set through Matches() on
// every observation (a slice of the patterns, to keep the run short).
void BenchNaive(int runs) {
  Mixed m = MakeMixed();
  std::vector<const Pattern*> single;
  for (const auto& p : m.patterns) {
    if (p->requirements().single_observation && single.size() < 1000) single.push_back(p.get());
  }
  std::vector<double> seconds, cpu;
  size_t hits = 0;
  for (int run = 0; run < runs; ++run) {
    hits = 0;
    seconds.push_back(Seconds([&] {
      for (const Observation& o : m.observations) {
        for (const Pattern* p : single) hits += *p->Matches(o);
      }
    }));
    cpu.push_back(g_last_cpu);
  }
  Report("mixed_without_index",
         static_cast<double>(single.size()) * static_cast<double>(m.observations.size()),
         seconds, cpu,
         StrCat(",\"patterns\":", single.size(), ",\"observations\":",
                m.observations.size(), ",\"hits\":", hits));
}

void BenchBuild(int runs) {
  SeededRandom r(3);
  const Pools pools = MakePools(r);
  std::vector<double> seconds, cpu;
  Observation o;
  size_t nodes = 0;
  for (int run = 0; run < runs; ++run) {
    SeededRandom data(4);
    seconds.push_back(Seconds([&] {
      for (int64_t i = 0; i < 1000000; ++i) {
        MakeObservation(data, pools, i, o);  // reuses `o`: Clear() keeps the buffers
        nodes += o.node_count();
      }
    }));
    cpu.push_back(g_last_cpu);
  }
  std::printf("{\"bench\":\"build\",\"observations\":1000000,\"median_wall_seconds\":%.4f,"
              "\"median_cpu_seconds\":%.4f,\"observations_per_cpu_second\":%.0f,"
              "\"nodes\":%zu}\n",
              Median(seconds), Median(cpu), 1e6 / Median(cpu), nodes / runs);
}

void BenchJson(int runs) {
  SeededRandom r(5);
  const Pools pools = MakePools(r);
  std::string json;
  for (int i = 0; i < 100000; ++i) {
    const std::string id = StrCat("observed-data--", i);
    json += StrCat("{\"type\":\"observed-data\",\"spec_version\":\"2.1\",\"id\":\"", id,
                   "\",\"created\":\"2023-11-14T22:13:20.000Z\",\"modified\":\"2023-11-14T22:13:20.000Z\","
                   "\"first_observed\":\"2023-11-14T22:13:20Z\",\"last_observed\":\"2023-11-14T22:13:20Z\","
                   "\"number_observed\":1,\"object_refs\":[\"domain-name--", i, "\",\"ipv4-addr--", i,
                   "\"]}\n{\"type\":\"domain-name\",\"spec_version\":\"2.1\",\"id\":\"domain-name--", i,
                   "\",\"value\":\"", pools.domains[i % pools.domains.size()],
                   "\",\"resolves_to_refs\":[\"ipv4-addr--", i, "\"]}\n",
                   "{\"type\":\"ipv4-addr\",\"spec_version\":\"2.1\",\"id\":\"ipv4-addr--", i,
                   "\",\"value\":\"", pools.ips[i % pools.ips.size()], "\"}\n");
  }
  const simdjson::padded_string padded(json);
  std::vector<double> seconds, cpu;
  for (int run = 0; run < runs; ++run) {
    seconds.push_back(Seconds([&] {
      auto obs = kizuna::pattern::ReadObservations(padded, kizuna::pattern::StixVersion::k21);
      if (!obs.ok() || obs->size() != 100000) std::exit(3);
    }));
    cpu.push_back(g_last_cpu);
  }
  const double median = Median(cpu);
  std::printf("{\"bench\":\"json\",\"observed_data\":100000,\"bytes\":%zu,"
              "\"median_wall_seconds\":%.4f,\"median_cpu_seconds\":%.4f,"
              "\"observed_data_per_cpu_second\":%.0f,\"megabytes_per_cpu_second\":%.1f}\n",
              json.size(), Median(seconds), median, 1e5 / median, json.size() / median / 1e6);
}

}  // namespace

int main(int argc, char** argv) {
  int runs = 5;
  std::string only;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--runs") == 0 && i + 1 < argc) runs = std::max(1, std::atoi(argv[++i]));
    if (std::strcmp(argv[i], "--only") == 0 && i + 1 < argc) only = argv[++i];
    if (std::strcmp(argv[i], "--patterns") == 0 && i + 1 < argc) {
      g_mixed_patterns = std::strtoul(argv[++i], nullptr, 10);
    }
    if (std::strcmp(argv[i], "--observations") == 0 && i + 1 < argc) {
      g_mixed_observations = std::strtoul(argv[++i], nullptr, 10);
    }
  }
  if (only.empty() || only == "single") BenchSingle(runs);
  if (only.empty() || only == "mixed") BenchMixed(runs);
  if (only.empty() || only == "naive") BenchNaive(runs);
  if (only.empty() || only == "build") BenchBuild(runs);
  if (only.empty() || only == "json") BenchJson(runs);
  return 0;
}
