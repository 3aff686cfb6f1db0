// Kizuna. Fuzz target for the STIX pattern engine: lexer, parser, validator, compiler,
// printer and both evaluators.
//
// Input: byte 0 picks the STIX version (bit 0) and whether to evaluate (bit 1); the rest is
// the pattern. For every pattern that compiles the target also checks, and traps on failure:
//   * parse -> print -> parse gives an equal tree, and printing is stable;
//   * the fast evaluator and the reference evaluator agree on a fixed set of observations
//     (when neither hits a limit), and Matches() agrees with Match() on each observation.
// Limits are lowered so every input finishes quickly.
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "kizuna/base/strings.h"
#include "kizuna/pattern/parser.h"
#include "kizuna/pattern/pattern.h"
#include "kizuna/pattern/reference_evaluator.h"

namespace {

using kizuna::pattern::Observation;

std::vector<Observation> MakeObservations() {
  std::vector<Observation> out(4);
  const int64_t base = 1577836800;
  for (size_t i = 0; i < out.size(); ++i) {
    Observation& o = out[i];
    o.SetId(kizuna::StrCat("observed-data--", i));
    o.SetCount(static_cast<uint32_t>(1 + i % 2));
    o.SetTimes(kizuna::stix::Timestamp{base + static_cast<int64_t>(i) * 10, 0, 0},
               kizuna::stix::Timestamp{base + static_cast<int64_t>(i) * 10 + 5, 0, 0});
    const auto file = o.AddSco("file", "0");
    o.AddString(file, "name", i % 2 ? "a.exe" : "b.dll");
    o.AddInt(file, "size", static_cast<int64_t>(i) * 100);
    o.AddFloat(file, "entropy", 7.5 - static_cast<double>(i));
    o.AddString(file, "magic_number_hex", "ffd8");
    o.AddString(file, "parent_directory_ref", "1");
    const auto hashes = o.AddObject(file, "hashes");
    o.AddString(hashes, "MD5", "cead3f77f6cda6ec00f57d76c9a6879f");
    const auto dir = o.AddSco("directory", "1");
    o.AddString(dir, "path", "C:\\Windows\\System32");
    const auto refs = o.AddList(dir, "contains_refs");
    o.AddString(refs, "", "0");
    o.AddString(refs, "", "1");
    const auto ip = o.AddSco(i < 2 ? "ipv4-addr" : "ipv6-addr", "2");
    o.AddString(ip, "value", i < 2 ? "198.51.100.7" : "2001:db8::1");
    const auto nt = o.AddSco("network-traffic", "3");
    o.AddString(nt, "dst_ref", "2");
    o.AddBool(nt, "is_active", i == 0);
    const auto protocols = o.AddList(nt, "protocols");
    o.AddString(protocols, "", "tcp");
    o.AddString(protocols, "", "http");
    o.AddString(nt, "start", "2020-01-01T00:00:00.5Z");
    o.AddString(nt, "x_note", "caf\xc3\xa9 \xe6\x97\xa5");
  }
  return out;
}

void Check(bool condition) {
  if (!condition) __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  static const std::vector<Observation> observations = MakeObservations();
  kizuna::pattern::CompileOptions options;
  options.version = (data[0] & 1) ? kizuna::pattern::StixVersion::k20
                                  : kizuna::pattern::StixVersion::k21;
  options.limits.max_pattern_bytes = 4096;
  options.limits.max_binding_steps = 20000;
  options.limits.max_path_visits = 5000;
  options.limits.max_repeats = 20;
  options.limits.max_bound_observations = 30;
  const std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);
  auto pattern = kizuna::pattern::Pattern::Compile(text, options);
  if (!pattern.ok()) return 0;
  const kizuna::pattern::Pattern& p = **pattern;

  // Canonical printing round-trips.
  const std::string printed = p.ToString();
  kizuna::pattern::ParseOptions parse_options;
  parse_options.version = options.version;
  auto again = kizuna::pattern::Parse(printed, parse_options);
  Check(again.ok());
  Check(kizuna::pattern::Equals(p.ast().root(), (*again)->root()));
  Check(kizuna::pattern::ToString((*again)->root()) == printed);
  Check(kizuna::pattern::Pattern::Compile(printed, options).ok());

  if ((data[0] & 2) == 0) return 0;
  std::vector<const Observation*> pointers;
  for (const Observation& o : observations) pointers.push_back(&o);
  auto fast = p.Match(pointers);
  auto reference = kizuna::pattern::ReferenceMatch(p, pointers);
  if (fast.ok() && reference.ok()) Check(fast->matched == reference->matched);
  for (const Observation& o : observations) {
    auto one = p.Matches(o);
    auto single = p.Match(std::span<const Observation>(&o, 1));
    if (one.ok() && single.ok()) Check(*one == single->matched);
  }
  return 0;
}
