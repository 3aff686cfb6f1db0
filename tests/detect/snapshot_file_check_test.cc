// Kizuna. SnapshotFile's validation: a compiled-set file whose checksum is right but whose
// tables break what their lookups assume is refused, naming the table and the field; a
// file changed at random is refused or gives a snapshot whose lookups end, stay in bounds
// and name only indicators of the snapshot.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <set>

#include "kizuna/base/strings.h"
#include "kizuna/detect/compiled_set.h"
#include "kizuna/detect/compiler.h"
#include "kizuna/detect/matcher.h"
#include "kizuna/detect/snapshot_file.h"
#include "test_util.h"

namespace kizuna::detect {
namespace {

constexpr int64_t kNow = 1750000000000000;  // 2025-06-15
constexpr int kBlocks = 2100;  // /24 blocks apart: enough ranges (4,096) for a directory

std::string Indicator(int n, std::string_view pattern) {
  return StrCat(
      R"({"type":"indicator","spec_version":"2.1","id":"indicator--6c1d0d3e-5b1f-4a57-9d6e-)",
      fmt::format("{:012}", n),
      R"(","created":"2024-01-01T00:00:00.000Z","modified":"2024-01-01T00:00:00.000Z",)",
      R"("pattern":")", pattern, R"(","pattern_type":"stix","valid_from":"2024-01-01T00:00:00Z"})");
}

// Every kind of table entry: exact and suffix domains, a key of several indicators (a
// list), URLs, hashes, addresses, address-and-port pairs, nested IPv4 blocks (with a
// directory), IPv6 blocks, evaluated and multi-observation patterns.
std::shared_ptr<const Snapshot> CompileFixture(CompileReport& report) {
  CompileOptions options;
  options.now_us = kNow;
  IndicatorCompiler compiler(options);
  int n = 0;
  const auto add = [&](std::string_view pattern) { compiler.AddObject(Indicator(++n, pattern)); };
  for (int i = 0; i < 40; ++i) {
    add(StrCat("[domain-name:value = 'd", i, ".example']"));
    add(StrCat("[domain-name:value LIKE '%.s", i, ".example']"));
    add(StrCat("[ipv4-addr:value = '198.51.100.", i, "']"));
    add(StrCat("[url:value = 'http://u", i, ".example/x']"));
    add(StrCat("[file:hashes.'SHA-256' = '", std::string(62, 'a'), fmt::format("{:02}", i), "']"));
    add(StrCat("[network-traffic:dst_ref.value = '203.0.113.", i,
               "' AND network-traffic:dst_port = 443]"));
    add(StrCat("[ipv6-addr:value ISSUBSET '2001:db8:", i, "::/48']"));
  }
  for (int i = 0; i < 4; ++i) {
    add("[domain-name:value = 'shared.example']");
    add("[ipv4-addr:value = '192.0.2.1']");
    add("[ipv4-addr:value ISSUBSET '10.0.0.0/24']");
  }
  add("[ipv4-addr:value ISSUBSET '10.0.0.0/16']");
  add("[ipv4-addr:value ISSUBSET '10.0.0.0/8']");
  for (int i = 0; i < kBlocks; ++i) {
    // Apart, so that each block makes two ranges.
    add(StrCat("[ipv4-addr:value ISSUBSET '10.", i / 128, ".", i % 128 * 2, ".0/24']"));
  }
  add("[domain-name:value MATCHES '^e[0-9]+\\\\.example$']");
  add("[domain-name:value = 'a.example'] AND [domain-name:value = 'b.example']");
  auto s = std::move(compiler).Finish();
  EXPECT_TRUE(s.ok()) << s.status();
  report = compiler.report();
  return *s;
}

// Records probing every kind of key, hits and misses.
RecordBatch Probes() {
  RecordBatch batch;
  for (int i = 0; i < 42; i += 3) {
    AddRecord(batch, "dns", {{Role::kDomain, StrCat("d", i, ".example")}});
    AddRecord(batch, "dns", {{Role::kDomain, StrCat("www.s", i, ".example")}});
    AddRecord(batch, "conn", {{Role::kDstIp, StrCat("198.51.100.", i)}});
    AddRecord(batch, "http", {{Role::kUrl, StrCat("http://u", i, ".example/x")}});
    AddRecord(batch, "file",
              {{Role::kSha256, StrCat(std::string(62, 'a'), fmt::format("{:02}", i))}});
    AddRecord(batch, "conn", {{Role::kDstIp, StrCat("203.0.113.", i)}, {Role::kDstPort, "443"}});
    AddRecord(batch, "conn", {{Role::kDstIp, StrCat("2001:db8:", i, "::5")}});
    AddRecord(batch, "conn", {{Role::kDstIp, StrCat("10.", i % 9, ".", i * 5, ".7")}});
  }
  for (const char* domain : {"shared.example", "e12.example", "a.example", "b.example"}) {
    AddRecord(batch, "dns", {{Role::kDomain, domain}});
  }
  for (const char* ip : {"192.0.2.1", "10.0.0.1", "10.200.0.1", "11.0.0.1", "0.0.0.0",
                         "255.255.255.255", "::", "ffff::1"}) {
    AddRecord(batch, "conn", {{Role::kDstIp, ip}});
  }
  return batch;
}

// (record, indicator index) of every match of the probes.
std::set<std::pair<uint32_t, uint32_t>> Matches(const Snapshot& s, const RecordBatch& batch) {
  BatchMatcher m;
  std::vector<Match> out;
  EXPECT_TRUE(m.MatchBatch(s, batch, out).ok());
  std::set<std::pair<uint32_t, uint32_t>> pairs;
  for (const Match& match : out) {
    EXPECT_LT(match.indicator, s.indicator_count()) << "a match names no indicator";
    pairs.emplace(match.record, match.indicator);
  }
  return pairs;
}

// Where each array of the tables is in a file (the layout of SnapshotFile::WriteBody).
struct Section {
  size_t count_at = 0;  // offset of the element count
  size_t at = 0;        // offset of the first element
  size_t count = 0;
  size_t element = 0;  // bytes per element
};

class Layout {
 public:
  explicit Layout(const std::string& file) : file_(file) {
    uint32_t stamp = 0;
    std::memcpy(&stamp, file.data() + 12, 4);
    body_ = 16 + stamp + 32;
    at_ = body_;
    Array("ids", 16);
    Array("lists", 4);
    Scalars("strings", 3);
    Array("string slots", 8);
    Array("string records", 1);
    Scalars("ipv4", 3);
    Array("ipv4 buckets", 8);
    Scalars("netdst", 3);
    Array("netdst buckets", 16);
    for (const std::string v : {"v4", "v6"}) {
      Array(v + " blocks", v == "v4" ? 12 : 32);
      Array(v + " starts", v == "v4" ? 4 : 16);
      Array(v + " chains_of", 4);
      Array(v + " chains", 4);
      Array(v + " directory", 4);
    }
    scalars_["tail"] = at_;  // string_slots_ ... next_change_us_
    at_ += 4 + 1 + 8 + 8 + 8;
    Array("pattern indicators", 4);
    scalars_["patterns"] = at_;  // the first pattern's version byte
  }

  const Section& operator[](const std::string& name) const { return sections_.at(name); }
  size_t scalar(const std::string& name) const { return scalars_.at(name); }
  size_t body() const { return body_; }
  const std::map<std::string, Section>& sections() const { return sections_; }

 private:
  void Scalars(const std::string& name, size_t n) {
    scalars_[name] = at_;
    at_ += 8 * n;
  }
  void Array(const std::string& name, size_t element) {
    Section s;
    s.count_at = at_;
    std::memcpy(&s.count, file_.data() + at_, 8);
    s.at = at_ + 8;
    s.element = element;
    sections_[name] = s;
    at_ = s.at + s.count * element;
  }

  const std::string& file_;
  size_t body_ = 0, at_ = 0;
  std::map<std::string, Section> sections_;
  std::map<std::string, size_t> scalars_;
};

template <typename T>
T Get(const std::string& bytes, size_t at) {
  T v;
  std::memcpy(&v, bytes.data() + at, sizeof(T));
  return v;
}
template <typename T>
void Set(std::string& bytes, size_t at, T v) {
  std::memcpy(bytes.data() + at, &v, sizeof(T));
}

class SnapshotFileCheckTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = StrCat(testing::TempDir(), "/snapshot-file-check-", ::getpid());
    std::filesystem::remove_all(dir_);
    ASSERT_TRUE(MakeCompiledSetDir(dir_).ok());
    file_ = dir_ + "/s.kzset";
    snapshot_ = CompileFixture(report_);
    ASSERT_NE(snapshot_, nullptr);
    ASSERT_TRUE(SnapshotFile::Write(file_, "s=1\n", *snapshot_, report_).ok());
    std::ifstream in(file_, std::ios::binary);
    good_.assign(std::istreambuf_iterator<char>(in), {});
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  // Writes `bytes` with a checksum that fits them, and reads the file back.
  absl::StatusOr<SnapshotFile::Content> ReadForged(const std::string& bytes) {
    {
      std::ofstream out(file_, std::ios::binary | std::ios::trunc);
      out << bytes;
    }
    if (absl::Status s = SnapshotFile::Reseal(file_); !s.ok()) return s;
    return SnapshotFile::Read(file_, "s=1\n", kNow);
  }

  std::string dir_, file_, good_;
  CompileReport report_;
  std::shared_ptr<const Snapshot> snapshot_;
};

TEST_F(SnapshotFileCheckTest, TheFixtureHasEveryKindOfTableAndReadsBack) {
  const Layout layout(good_);
  for (const char* name :
       {"ids", "lists", "string slots", "string records", "ipv4 buckets", "netdst buckets",
        "v4 blocks", "v4 directory", "v6 blocks", "pattern indicators"}) {
    EXPECT_GT(layout[name].count, 0u) << name;
  }
  EXPECT_EQ(layout["v6 directory"].count, 0u);
  // Resealing an unchanged file changes nothing, and it is read.
  auto read = ReadForged(good_);
  ASSERT_TRUE(read.ok()) << read.status();
  const RecordBatch probes = Probes();
  const auto matches = Matches(*read->snapshot, probes);
  EXPECT_EQ(matches, Matches(*snapshot_, probes));
  EXPECT_GT(matches.size(), 60u);
}

// One targeted change per assumption, each with the checksum made right again: only the
// validation can refuse it, and its message names the table and the field.
TEST_F(SnapshotFileCheckTest, EachBrokenAssumptionIsRefusedWithItsReason) {
  const Layout l(good_);
  const uint32_t indicators = static_cast<uint32_t>(l["ids"].count);
  // A slot of the string table, and the record it names.
  const Section& slots = l["string slots"];
  size_t full_slot = 0;
  for (size_t b = 0; b < slots.count; ++b) {
    if (Get<uint64_t>(good_, slots.at + 8 * b) != 0) {
      full_slot = slots.at + 8 * b;
      break;
    }
  }
  ASSERT_NE(full_slot, 0u);
  const uint64_t slot_value = Get<uint64_t>(good_, full_slot);
  const size_t records = l["string records"].at;
  const size_t record = records + (slot_value & ((uint64_t{1} << 40) - 1)) - 1;
  const uint32_t meta = Get<uint32_t>(good_, record + 4);
  // A full and an empty bucket of the IPv4 table.
  const Section& v4 = l["ipv4 buckets"];
  size_t full_v4 = 0, empty_v4 = 0;
  for (size_t b = 0; b < v4.count; ++b) {
    const size_t at = v4.at + 8 * b;
    (Get<uint32_t>(good_, at + 4) == 0xFFFFFFFFu ? empty_v4 : full_v4) = at;
  }
  ASSERT_TRUE(full_v4 != 0 && empty_v4 != 0);
  // The first list (of the shared keys).
  const size_t list = l["lists"].at;
  ASSERT_GE(Get<uint32_t>(good_, list), 2u);
  const Section& blocks = l["v4 blocks"];
  ASSERT_GE(blocks.count, 3u);

  struct Case {
    std::string name;
    std::function<void(std::string&)> change;
    std::string reason;
  };
  const std::vector<Case> cases = {
      {"a list of one", [&](std::string& f) { Set<uint32_t>(f, list, 1); },
       "indicator lists: the list at entry 0 holds 1 indicators"},
      {"a list past the end", [&](std::string& f) { Set<uint32_t>(f, list, 1u << 30); },
       "indicator lists: the list at entry 0 of 1073741824 indicators runs past"},
      {"a list naming no indicator",
       [&](std::string& f) { Set<uint32_t>(f, list + 4, indicators); },
       StrCat("indicator lists: entry 1 names indicator ", indicators, " of ", indicators)},
      {"a string table mask that does not fit",
       [&](std::string& f) { Set<uint64_t>(f, l.scalar("strings") + 8, 7); },
       StrCat("string table: mask 7 does not fit its ", slots.count, " buckets")},
      {"string buckets not a power of two",
       [&](std::string& f) {
         Set<uint64_t>(f, slots.count_at, slots.count - 1);
         f.erase(slots.at, 8);
         Set<uint64_t>(f, 16 + Get<uint32_t>(f, 12),
                       Get<uint64_t>(f, 16 + Get<uint32_t>(f, 12)) - 8);
       },
       StrCat("string table: ", slots.count - 1, " buckets, not a power of two")},
      {"a bucket past the records",
       [&](std::string& f) {
         Set<uint64_t>(f, full_slot, (slot_value & ~((uint64_t{1} << 40) - 1)) | (1u << 30));
       },
       "string table: bucket"},
      {"a bucket with a tag and no offset",
       [&](std::string& f) {
         Set<uint64_t>(f, full_slot, slot_value & ~((uint64_t{1} << 40) - 1));
       },
       "names offset 18446744073709551615, not a record's start"},
      {"a bucket inside a record",
       [&](std::string& f) { Set<uint64_t>(f, full_slot, slot_value + 3); },
       StrCat("names offset ", record - records + 3, ", not a record's start")},
      {"a record's key past the records",
       [&](std::string& f) { Set<uint32_t>(f, record + 4, (meta & 0xFF) | (60000u << 8)); },
       "string table: the record at offset"},
      {"a key longer than any",
       [&](std::string& f) { Set<uint32_t>(f, record + 4, (meta & 0xFF) | (0xFFFFFFu << 8)); },
       "bytes, past the records'"},
      {"a record's slot out of range",
       [&](std::string& f) { Set<uint32_t>(f, record + 4, (meta & ~uint32_t{0xF8}) | (31u << 3)); },
       "has slot 31 (slots are below 18)"},
      {"a record of no kind",
       [&](std::string& f) { Set<uint32_t>(f, record + 4, meta & ~uint32_t{7}); }, "has flags 0"},
      {"a record naming no indicator",
       [&](std::string& f) { Set<uint32_t>(f, record, indicators + 5); },
       StrCat("names indicator ", indicators + 5, " of ", indicators)},
      {"a record naming the middle of a list",
       [&](std::string& f) { Set<uint32_t>(f, record, 0x80000001u); },
       "names indicator list entry 1, not the start of a list"},
      {"a bucket whose tag is not its key's",
       [&](std::string& f) { Set<uint64_t>(f, full_slot, slot_value ^ (uint64_t{1} << 50)); },
       "has a tag that is not its key's"},
      {"two buckets naming one record",
       [&](std::string& f) {
         for (size_t b = 0; b < slots.count; ++b) {
           if (Get<uint64_t>(f, slots.at + 8 * b) == 0) {
             Set<uint64_t>(f, slots.at + 8 * b, slot_value);
             return;
           }
         }
       },
       "which another bucket names"},
      {"an IPv4 key away from its probe path",
       [&](std::string& f) { Set<uint32_t>(f, full_v4, Get<uint32_t>(f, full_v4) ^ 0x5a5a5a5a); },
       "IPv4 address table: bucket"},
      {"an IPv4 payload naming no indicator",
       [&](std::string& f) { Set<uint32_t>(f, full_v4 + 4, indicators); },
       StrCat("IPv4 address table: bucket ", (full_v4 - v4.at) / 8, " names indicator")},
      {"an IPv4 key count that is not its buckets'",
       [&](std::string& f) { Set<uint64_t>(f, l.scalar("ipv4") + 16, 1); },
       "IPv4 address table: 1 keys in"},
      {"an IPv4 table with no empty bucket",
       [&](std::string& f) {
         for (size_t b = 0; b < v4.count; ++b) {
           Set<uint32_t>(f, v4.at + 8 * b + 4, 0);
         }
         Set<uint64_t>(f, l.scalar("ipv4") + 16, v4.count);
       },
       StrCat("IPv4 address table: ", v4.count, " of ", v4.count,
              " buckets full, more than a table holds")},
      {"an IPv4 table mask that does not fit",
       [&](std::string& f) { Set<uint64_t>(f, l.scalar("ipv4") + 8, 2 * v4.count - 1); },
       "IPv4 address table: mask"},
      {"an address-and-port payload naming no indicator",
       [&](std::string& f) {
         const Section& nd = l["netdst buckets"];
         for (size_t b = 0; b < nd.count; ++b) {
           if (Get<uint32_t>(f, nd.at + 16 * b + 8) != 0xFFFFFFFFu) {
             Set<uint32_t>(f, nd.at + 16 * b + 8, indicators);
             return;
           }
         }
       },
       "IPv4 address-and-port table: bucket"},
      {"a block prefix past 32", [&](std::string& f) { f[blocks.at + 4] = 33; },
       "IPv4 block table: block 0 has prefix 33 (at most 32)"},
      {"a block with host bits",
       [&](std::string& f) {
         Set<uint32_t>(f, blocks.at + 12, Get<uint32_t>(f, blocks.at + 12) | 1);
       },
       "IPv4 block table: block 1 has host bits set"},
      {"blocks out of order",
       [&](std::string& f) {
         std::string a = f.substr(blocks.at + 12, 12);
         f.replace(blocks.at + 12, 12, f.substr(blocks.at + 24, 12));
         f.replace(blocks.at + 24, 12, a);
       },
       "IPv4 block table: block 2 is out of order"},
      {"a block payload naming no indicator",
       [&](std::string& f) { Set<uint32_t>(f, blocks.at + 8, indicators); },
       "IPv4 block table: block 0 names indicator"},
      {"range starts out of order",
       [&](std::string& f) { Set<uint32_t>(f, l["v4 starts"].at + 4 * 5, 0xFFFFFFF0u); },
       "IPv4 block table: range starts entry 5 is not what its blocks make"},
      {"a chain reference past the chains",
       [&](std::string& f) { Set<uint32_t>(f, l["v4 chains_of"].at + 4 * 2, 1u << 28); },
       "IPv4 block table: range chain references entry 2"},
      {"a chain naming no block",
       [&](std::string& f) { Set<uint32_t>(f, l["v4 chains"].at + 4, 1u << 28); },
       "IPv4 block table: chain entries entry 1"},
      {"a directory going backwards",
       [&](std::string& f) { Set<uint32_t>(f, l["v4 directory"].at + 4 * 2561, 0xFFFFFFu); },
       "IPv4 block table: directory entries entry 2561"},
      {"an IPv6 block prefix past 128",
       [&](std::string& f) { f[l["v6 blocks"].at + 16] = static_cast<char>(129); },
       "IPv6 block table: block 0 has prefix 129 (at most 128)"},
      {"a pattern naming no indicator",
       [&](std::string& f) { Set<uint32_t>(f, l["pattern indicators"].at, indicators); },
       StrCat("patterns: pattern 0 names indicator ", indicators)},
      {"a pattern of an unknown STIX version", [&](std::string& f) { f[l.scalar("patterns")] = 9; },
       "patterns: pattern 0 has STIX version code 9"},
      {"a pattern that does not compile",
       [&](std::string& f) { f[l.scalar("patterns") + 1 + 8] = '('; },
       "patterns: pattern 0 does not compile"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    std::string forged = good_;
    c.change(forged);
    ASSERT_TRUE(forged != good_);
    auto read = ReadForged(forged);
    ASSERT_FALSE(read.ok());
    EXPECT_EQ(read.status().code(), absl::StatusCode::kDataLoss) << read.status();
    EXPECT_NE(read.status().message().find(StrCat("compiled-set file ", file_, " is invalid: ")),
              std::string::npos)
        << read.status();
    EXPECT_NE(read.status().message().find(c.reason), std::string::npos) << read.status();
  }
  // The unchanged file is still read: the cases changed only their copies.
  EXPECT_TRUE(ReadForged(good_).ok());
}

// A few thousand random changes to the tables, each resealed: every one is refused, or the
// snapshot read answers the probes, naming only its own indicators. Most are refused; those
// read either match what the original matches or fewer (the changed byte was a key's), or
// other indicators (it was an id, payload or flag: values any writer may choose).
TEST_F(SnapshotFileCheckTest, RandomChangesAreRefusedOrHarmless) {
  const Layout layout(good_);
  std::vector<Section> sections;
  for (const auto& [name, s] : layout.sections()) {
    if (s.count > 0) sections.push_back(s);
  }
  // The scalars and the tail (patterns, stats, report) as one more region.
  Section tail;
  tail.at = layout.scalar("tail");
  tail.count = good_.size() - tail.at;
  tail.element = 1;
  sections.push_back(tail);
  const RecordBatch probes = Probes();
  const auto original = Matches(*snapshot_, probes);
  int refused = 0, same_or_fewer = 0, other = 0;
  for (uint32_t seed : {1u, 2u, 3u}) {
    std::mt19937 random(seed);
    for (int round = 0; round < 1000; ++round) {
      std::string forged = good_;
      const Section& s = sections[random() % sections.size()];
      const size_t bytes = s.count * s.element;
      const size_t at = s.at + random() % bytes;
      switch (random() % 4) {
        case 0:
          forged[at] = static_cast<char>(forged[at] ^ (1 << (random() % 8)));
          break;
        case 1:
          forged[at] = static_cast<char>(random());
          break;
        case 2:  // a 4-byte value near a bound
          if (at + 4 <= forged.size()) {
            const uint32_t values[] = {0,           1,
                                       0x7FFFFFFFu, 0x80000000u,
                                       0xFFFFFFFFu, static_cast<uint32_t>(random() % 5000)};
            Set<uint32_t>(forged, at, values[random() % 6]);
          }
          break;
        default:  // an element count, one more or one fewer
          if (s.count_at != 0) Set<uint64_t>(forged, s.count_at, s.count + random() % 2 * 2 - 1);
          break;
      }
      auto read = ReadForged(forged);
      if (!read.ok()) {
        ++refused;
        continue;
      }
      const auto got = Matches(*read->snapshot, probes);
      if (std::includes(original.begin(), original.end(), got.begin(), got.end())) {
        ++same_or_fewer;
      } else {
        ++other;
      }
    }
  }
  std::printf(
      "random changes: %d refused, %d read with the same or fewer matches, %d read "
      "with other matches\n",
      refused, same_or_fewer, other);
  EXPECT_EQ(refused + same_or_fewer + other, 3000);
  EXPECT_GT(refused, 1500) << "most changes break an assumption";
}

}  // namespace
}  // namespace kizuna::detect
