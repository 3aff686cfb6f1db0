// Kizuna. Fuzz target for the telemetry readers and the matcher: Zeek TSV, Zeek JSON, EVE.
//
// Input: byte 0 picks the format (auto, zeek, eve, jsonl), whether the input is read
// through a 64-byte line limit and whether JSON goes through the DOM walk instead of the
// On-Demand one; the rest is the file. Every record read is matched against
// a fixed snapshot, and the target traps if the fast path and the evaluator disagree.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <set>
#include <string>
#include <vector>

#include "kizuna/detect/compiler.h"
#include "kizuna/detect/matcher.h"
#include "kizuna/detect/readers/reader.h"

namespace {

using namespace kizuna::detect;

const std::vector<std::string>& Patterns() {
  static const std::vector<std::string> patterns = {
      "[ipv4-addr:value = '10.0.0.1']",
      "[ipv4-addr:value ISSUBSET '10.0.0.0/8']",
      "[ipv6-addr:value ISSUBSET '2001:db8::/32']",
      "[domain-name:value = 'a.example']",
      "[domain-name:value LIKE '%.example']",
      "[url:value = 'http://a.example/x']",
      "[file:hashes.MD5 = 'd41d8cd98f00b204e9800998ecf8427e']",
      "[network-traffic:dst_ref.value = '10.0.0.1' AND network-traffic:dst_port = 53]",
      "[email-addr:value = 'a@b.example']",
      "[domain-name:value MATCHES '^x']",
  };
  return patterns;
}

struct Fixture {
  std::shared_ptr<const Snapshot> snapshot;
  std::unique_ptr<const kizuna::pattern::PatternSet> reference;
};

const Fixture& GetFixture() {
  static const Fixture fixture = [] {
    CompileOptions o;
    o.now_us = 1;
    IndicatorCompiler c(o);
    kizuna::pattern::PatternSet::Builder b;
    for (size_t i = 0; i < Patterns().size(); ++i) {
      char id[64];
      std::snprintf(id, sizeof id, "indicator--00000000-0000-4000-8000-%012zu", i + 1);
      c.AddPattern(id, Patterns()[i]);
      b.Add(*kizuna::pattern::Pattern::Compile(Patterns()[i]));
    }
    return Fixture{*std::move(c).Finish(), std::move(b).Build()};
  }();
  return fixture;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const Fixture& f = GetFixture();
  char path[] = "/tmp/kizuna-fuzz-telemetry-XXXXXX";
  const int fd = mkstemp(path);
  if (fd < 0) return 0;
  if (write(fd, data + 1, size - 1) != static_cast<ssize_t>(size - 1)) {
    close(fd);
    unlink(path);
    return 0;
  }
  close(fd);
  ReaderOptions options;
  if (data[0] & 4) options.max_line_bytes = 64;
  options.json_dom = (data[0] & 8) != 0;
  options.batch_records = 7;
  const TelemetryFormat format = static_cast<TelemetryFormat>(data[0] & 3);
  auto reader = OpenTelemetry(path, format, options);
  if (reader.ok()) {
    RecordBatch batch;
    BatchMatcher matcher;
    while ((*reader)->Next(batch)) {
      std::vector<Match> fast, slow;
      (void)matcher.MatchBatch(*f.snapshot, batch, fast);
      (void)matcher.EvaluateBatch(*f.reference, batch, slow);
      std::set<std::pair<uint32_t, uint32_t>> a, b;
      for (const Match& m : fast) a.insert({m.record, m.indicator});
      for (const Match& m : slow) b.insert({m.record, m.indicator});
      if (a != b) __builtin_trap();
    }
  }
  unlink(path);
  return 0;
}
