// Kizuna. MISP import benchmark: attributes per second through the whole import (convert,
// check, store in SQLite), against the plain STIX import of the same objects in the same run
// (the STIX the conversion made, imported as JSON lines into a fresh store). Also times the
// conversion alone and the MISP export of what was imported. The generated events mix what
// MISP holds: to_ids indicators (domains, addresses, hashes, URLs), observables without
// to_ids, free text, tags (tlp:amber on each event, tlp:red on some attributes), objects.
// Prints one JSON line. Usage: misp_bench [--attributes N] [--per-event N]
// With --feed-lines N it measures a plain list of N values ingested instead (issue 24's
// 1,000,000-line feed), against the STIX import of the indicators it made.
#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <unistd.h>

#include "kizuna/base/clock.h"
#include "kizuna/base/strings.h"
#include "kizuna/detect/feed.h"
#include "kizuna/ingest/feed.h"
#include "kizuna/ingest/importer.h"
#include "kizuna/ingest/misp.h"
#include "kizuna/misp/to_misp.h"
#include "kizuna/misp/to_stix.h"
#include "kizuna/policy/policy.h"
#include "kizuna/policy/released_reader.h"
#include "kizuna/store/sqlite/sqlite_store.h"

namespace kizuna::bench {
namespace {

constexpr std::string_view kCreator = "identity--00000000-0000-4000-8000-000000000001";

double Seconds(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// User + system CPU seconds of the process so far.
double CpuSeconds() {
  rusage u;
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) * 1e-6;
}

// Wall and CPU seconds of one step.
struct Took {
  double wall = 0, cpu = 0;
};

template <typename F>
Took Time(F&& f) {
  const double cpu = CpuSeconds();
  auto start = std::chrono::steady_clock::now();
  f();
  return {Seconds(start), CpuSeconds() - cpu};
}

std::string Uuid(int64_t kind, int64_t n) {
  char text[64];
  std::snprintf(text, sizeof text, "%08llx-0000-4000-8000-%012llx", static_cast<unsigned long long>(kind),
                static_cast<unsigned long long>(n));
  return text;
}

// One attribute, `n` overall; every tenth in an object of the event.
std::string Attribute(int64_t n) {
  std::string type, value;
  bool to_ids = true;
  switch (n % 10) {
    case 0: case 1: case 2: type = "domain"; value = StrCat("host", n, ".example"); break;
    case 3: case 4: type = "ip-dst"; value = StrCat("10.", (n >> 16) & 255, ".", (n >> 8) & 255, ".", n & 255); break;
    case 5: type = "sha256"; value = StrCat(std::string(52, 'a'), Uuid(0, n).substr(24)); break;
    case 6: type = "url"; value = StrCat("http://host", n, ".example/p"); break;
    case 7: case 8: type = "domain"; value = StrCat("seen", n, ".example"); to_ids = false; break;
    default: type = "text"; value = StrCat("note ", n); to_ids = false; break;
  }
  std::string tags = n % 20 == 0 ? R"(,"Tag":[{"name":"tlp:red"},{"name":"osint"}])" : "";
  return StrCat(R"({"uuid":")", Uuid(1, n), R"(","type":")", type, R"(","category":"Network activity","value":")",
                value, R"(","to_ids":)", to_ids ? "true" : "false", R"(,"comment":"c","timestamp":"1793606400")",
                tags, "}");
}

// An event list of `attributes` attributes in events of `per_event`.
std::string Events(int64_t attributes, int64_t per_event) {
  std::string out = R"({"response":[)";
  for (int64_t first = 0, e = 0; first < attributes; first += per_event, ++e) {
    if (e > 0) out += ",";
    StrAppend(out, R"({"Event":{"uuid":")", Uuid(2, e), R"(","info":"event )", e,
              R"(","date":"2026-11-02","timestamp":"1793606400","Tag":[{"name":"tlp:amber"}],"Attribute":[)");
    std::string object;
    for (int64_t n = first; n < std::min(attributes, first + per_event); ++n) {
      std::string& into = n % 10 == 9 && n > first ? object : out;
      if (!into.empty() && into.back() != '[') into += ",";
      into += Attribute(n);
    }
    StrAppend(out, R"(],"Object":[{"uuid":")", Uuid(3, e),
              R"(","name":"annotation","meta-category":"misc","Attribute":[)", object, "]}]}}");
  }
  return out + "]}";
}

struct Store {
  std::string dir;
  std::unique_ptr<store::SqliteStore> store;
  std::string collection;

  explicit Store(const std::string& name) {
    dir = (std::filesystem::temp_directory_path() / StrCat("kizuna-misp-bench-", name, "-", getpid())).string();
    std::filesystem::create_directories(dir);
    auto s = store::SqliteStore::Open(dir + "/kizuna.db", SystemClock());
    if (!s.ok() || !(*s)->CreateApiRoot({"bench", "bench", "", 0}).ok()) std::abort();
    store = std::move(*s);
    collection = store->CreateCollection({"", "bench", "", "bench", "", 0})->id;
  }
  ~Store() {
    store.reset();
    std::filesystem::remove_all(dir);
  }
};

int Run(int64_t attributes, int64_t per_event) {
  std::string text = Events(attributes, per_event);
  misp::ConvertOptions options;
  options.created_by_ref = std::string(kCreator);
  misp::Conversion conversion;
  Took convert = Time([&] {
    absl::StatusOr<misp::Conversion> c = misp::ConvertMisp(text, options);
    if (!c.ok()) std::abort();
    conversion = std::move(*c);
  });
  // Baseline: the same STIX objects, imported as JSON lines.
  ingest::ImportSummary stix_summary;
  Took stix_import = Time([&] {
    Store s("stix");
    ingest::ImportOptions o;
    o.format = stix::DocumentFormat::kJsonLines;
    ingest::Importer importer(*s.store, s.collection, o);
    if (!importer.ImportText("stix", conversion.json_lines, stix::Padding::kAbsent).ok()) std::abort();
    stix_summary = importer.summary();
  });
  ingest::ImportSummary misp_summary;
  Took export_s, misp_import;
  int64_t exported = 0;
  {
    Store s("misp");
    misp_import = Time([&] {
      ingest::Importer importer(*s.store, s.collection);
      if (!ingest::ImportMisp(importer, "events.json", text, options).ok()) std::abort();
      misp_summary = importer.summary();
    });
    export_s = Time([&] {
      policy::Policy policy(*s.store, s.store.get(), SystemClock());
      policy::ReleasedReader reader(*s.store, policy);
      auto collection = s.store->FindCollection("", s.collection);
      if (!collection.ok()) std::abort();
      misp::EventWriter writer({Uuid(4, 0), "bench", 1793606400});
      store::PageRequest request;
      request.limit = 1000;
      for (;;) {
        auto page = reader.Read(identity::OperatorPrincipal(), *collection, {}, request);
        if (!page.ok()) std::abort();
        for (const auto& o : page->objects) (void)writer.Add(o.json);
        if (!page->more) break;
        request.after = page->next;
      }
      std::string out = writer.Finish();
      exported = writer.counts().attributes;
    });
  }
  const double objects = static_cast<double>(conversion.stix_objects);
  std::printf(
      "{\"bench\":\"misp_import\",\"attributes\":%lld,\"events\":%lld,\"bytes\":%zu,\"stix_objects\":%lld,"
      "\"added\":%lld,\"rejected\":%lld,\"convert_attributes_per_s\":%.0f,\"convert_attributes_per_cpu_s\":%.0f,"
      "\"misp_import_attributes_per_s\":%.0f,\"misp_import_attributes_per_cpu_s\":%.0f,"
      "\"misp_import_objects_per_s\":%.0f,\"stix_import_objects_per_s\":%.0f,\"stix_import_objects_per_cpu_s\":%.0f,"
      "\"misp_vs_stix_import_time\":%.2f,\"misp_vs_stix_import_cpu\":%.2f,"
      "\"export_attributes\":%lld,\"export_attributes_per_s\":%.0f}\n",
      static_cast<long long>(attributes), static_cast<long long>(conversion.events), text.size(),
      static_cast<long long>(conversion.stix_objects), static_cast<long long>(misp_summary.added),
      static_cast<long long>(misp_summary.rejected + stix_summary.rejected), attributes / convert.wall,
      attributes / convert.cpu, attributes / misp_import.wall, attributes / misp_import.cpu,
      objects / misp_import.wall, objects / stix_import.wall, objects / stix_import.cpu,
      misp_import.wall / stix_import.wall, misp_import.cpu / stix_import.cpu, static_cast<long long>(exported),
      exported / export_s.wall);
  std::fflush(stdout);
  return misp_summary.rejected == 0 && misp_summary.added == conversion.stix_objects ? 0 : 1;
}

// A plain list of `lines` values, as feeds give them: names, addresses, URLs and hashes in
// turn, a comment line every thousand.
std::string FeedLines(int64_t lines) {
  std::string out;
  out.reserve(static_cast<size_t>(lines) * 40);
  for (int64_t n = 0; n < lines; ++n) {
    if (n % 1000 == 0) out += "# generated list\n";
    switch (n % 4) {
      case 0: StrAppend(out, "host", n, ".example-", n % 997, ".com\n"); break;
      case 1: StrAppend(out, (n >> 24) & 255, ".", (n >> 16) & 255, ".", (n >> 8) & 255, ".", n & 255, "\n"); break;
      case 2: StrAppend(out, "http://host", n % 100000, ".example.net/path/", n, "\n"); break;
      default: StrAppend(out, std::string(52, 'b'), Uuid(0, n).substr(24), "\n"); break;
    }
  }
  return out;
}

// A list of `lines` values ingested as `kizuna import --format lines` and a feed run do it
// (ingest::ImportFeed: convert, look up each value's versions, check, store), against the
// plain STIX import of the same indicators into another fresh store, in the same run.
int RunFeed(int64_t lines) {
  const std::string text = FeedLines(lines);
  detect::FeedOptions options;
  options.family = "bench";
  options.time_us = SystemClock().NowMicros();
  options.created_by_ref = std::string(kCreator);
  ingest::ImportSummary summary;
  std::string jsonl;
  Took feed;
  {
    Store s("feed");
    feed = Time([&] {
      ingest::Importer importer(*s.store, s.collection);
      if (!ingest::ImportFeed(importer, "list.txt", text, options).ok()) std::abort();
      summary = importer.summary();
    });
    store::PageRequest request;
    request.limit = store::kMaxPageLimit;
    for (;;) {
      auto page = s.store->GetObjects(s.collection, request);
      if (!page.ok()) std::abort();
      for (const auto& o : page->objects) StrAppend(jsonl, o.json, "\n");
      if (!page->more) break;
      request.after = page->next;
    }
  }
  Took stix = Time([&] {
    Store s("feed-stix");
    ingest::ImportOptions o;
    o.format = stix::DocumentFormat::kJsonLines;
    ingest::Importer importer(*s.store, s.collection, o);
    if (!importer.ImportText("stix", jsonl, stix::Padding::kAbsent).ok()) std::abort();
  });
  std::printf(
      "{\"bench\":\"feed_lines\",\"lines\":%lld,\"bytes\":%zu,\"added\":%lld,\"rejected\":%lld,"
      "\"feed_s\":%.3f,\"feed_cpu_s\":%.3f,\"feed_lines_per_s\":%.0f,\"stix_s\":%.3f,\"stix_cpu_s\":%.3f,"
      "\"feed_vs_stix_import_time\":%.2f,\"feed_vs_stix_import_cpu\":%.2f}\n",
      static_cast<long long>(lines), text.size(), static_cast<long long>(summary.added),
      static_cast<long long>(summary.rejected), feed.wall, feed.cpu, lines / feed.wall, stix.wall, stix.cpu,
      feed.wall / stix.wall, feed.cpu / stix.cpu);
  std::fflush(stdout);
  return summary.rejected == 0 && summary.added == lines ? 0 : 1;
}

}  // namespace
}  // namespace kizuna::bench

int main(int argc, char** argv) {
  int64_t attributes = 200000, per_event = 1000, feed_lines = 0;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--feed-lines" && i + 1 < argc) {
      feed_lines = std::atoll(argv[++i]);
    } else if (a == "--attributes" && i + 1 < argc) {
      attributes = std::atoll(argv[++i]);
    } else if (a == "--per-event" && i + 1 < argc) {
      per_event = std::atoll(argv[++i]);
    } else {
      std::fprintf(stderr, "usage: misp_bench [--attributes N] [--per-event N] | --feed-lines N\n");
      return a == "--help" || a == "-h" ? 0 : 2;
    }
  }
  if (feed_lines > 0) return kizuna::bench::RunFeed(feed_lines);
  if (attributes < 1 || per_event < 1) return 2;
  return kizuna::bench::Run(attributes, per_event);
}
