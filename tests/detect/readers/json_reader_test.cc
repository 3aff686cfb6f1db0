// Kizuna.
#include "kizuna/detect/readers/json_reader.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "kizuna/base/file.h"
#include "kizuna/base/strings.h"
#include "readers/read_all.h"

namespace kizuna::detect {
namespace {

const std::string kData = KIZUNA_TEST_DATA "/detect";

TEST(JsonReaderTest, EveEventsMapToObservablePaths) {
  ReadResult r = ReadAll(kData + "/eve.json", TelemetryFormat::kAuto);
  ASSERT_EQ(r.records.size(), 8u);
  EXPECT_EQ(r.malformed, 0u);
  const ReadRecord& dns1 = r.records[0];
  EXPECT_EQ(dns1.log_type, "dns");
  EXPECT_EQ(dns1.time_us, 1521911721902404);
  EXPECT_EQ(dns1.Of(Role::kDomain), std::vector<std::string>{"download.windowsupdate.com"});
  EXPECT_EQ(dns1.Of(Role::kDstPort), std::vector<std::string>{"53"});
  const ReadRecord& dns2 = r.records[1];
  EXPECT_EQ(dns2.Of(Role::kHost),
            (std::vector<std::string>{"tiles.r53-2.services.mozilla.com", "52.40.133.43"}));
  const ReadRecord& http = r.records[2];
  EXPECT_EQ(http.Of(Role::kHttpHost), std::vector<std::string>{"forums.jerry.land"});
  EXPECT_EQ(http.Of(Role::kHttpUri), std::vector<std::string>{"/index.php?x=1"});
  EXPECT_EQ(http.Of(Role::kUserAgent), std::vector<std::string>{"Mozilla/5.0"});
  EXPECT_EQ(r.records[3].Of(Role::kDomain), std::vector<std::string>{"ise.wrccdc.org"});
  EXPECT_EQ(r.records[4].Of(Role::kMd5),
            std::vector<std::string>{"d41d8cd98f00b204e9800998ecf8427e"});
  EXPECT_EQ(r.records[4].Of(Role::kFileName), std::vector<std::string>{"/payload.exe"});
  EXPECT_EQ(r.records[5].log_type, "alert");
  EXPECT_EQ(r.records[5].Of(Role::kDstIp), std::vector<std::string>{"198.51.100.7"});
  EXPECT_EQ(r.records[6].Of(Role::kSrcIp), std::vector<std::string>{"2001:db8::5"});
  EXPECT_EQ(r.records[7].Of(Role::kEmail).size(), 4u);
}

TEST(JsonReaderTest, ZeekJsonGivesWhatZeekTsvGives) {
  ReadResult r = ReadAll(kData + "/dns.json", TelemetryFormat::kZeek);
  ASSERT_EQ(r.records.size(), 24u);
  EXPECT_EQ(r.records[0].log_type, "dns");
  EXPECT_EQ(r.records[0].time_us, 1521911720865716);
  EXPECT_EQ(r.records[0].Of(Role::kDomain), std::vector<std::string>{"ise.wrccdc.org"});
  EXPECT_EQ(r.records[0].Of(Role::kHost),
            (std::vector<std::string>{"ise.wrccdc.cpp.edu", "134.71.3.16"}));
  EXPECT_EQ(r.records[0].Of(Role::kDstPort), std::vector<std::string>{"53"});
  ReadResult tsv = ReadAll(kData + "/dns.log", TelemetryFormat::kZeek);
  ASSERT_EQ(tsv.records.size(), r.records.size());
  for (size_t i = 0; i < r.records.size(); ++i) {
    for (Role role : {Role::kSrcIp, Role::kDstIp, Role::kDomain, Role::kHost}) {
      EXPECT_EQ(r.records[i].Of(role), tsv.records[i].Of(role)) << i;
    }
  }
}

TEST(JsonReaderTest, GenericLinesUseTheUserMap) {
  FieldMap map;
  ASSERT_TRUE(map.Parse("# proxy logs\nproxy client network-traffic:src_ref.value\n"
                        "*  when  time\nproxy  req.url  url:value\n", "map.txt").ok());
  const std::string path = StrCat(testing::TempDir(), "/proxy.jsonl");
  ASSERT_TRUE(WriteFileAtomically(path,
      R"({"when":"2024-01-02T03:04:05Z","client":"10.0.0.9","req":{"url":"http://x.example/a"}})"
      "\n").ok());
  ReaderOptions options;
  options.user_map = &map;
  ReadResult r = ReadAll(path, TelemetryFormat::kJsonl, options);
  ASSERT_EQ(r.records.size(), 1u);
  EXPECT_EQ(r.records[0].log_type, "proxy");
  EXPECT_EQ(r.records[0].time_us, 1704164645000000);
  EXPECT_EQ(r.records[0].Of(Role::kSrcIp), std::vector<std::string>{"10.0.0.9"});
  EXPECT_EQ(r.records[0].Of(Role::kUrl), std::vector<std::string>{"http://x.example/a"});
}

TEST(JsonReaderTest, FieldMapErrorsNameTheLine) {
  FieldMap map;
  absl::Status st = map.Parse("proxy client\n", "map.txt");
  EXPECT_EQ(st.message(), "map.txt:1: expected 'log-type field path'");
  st = map.Parse("# c\nproxy client ipv9:value\n", "map.txt");
  EXPECT_EQ(st.message(), "map.txt:2: unknown path 'ipv9:value'");
}

// A numeric event time is epoch seconds; one beyond what ParseEventTime takes (1e300,
// negative) is no time at all, not an int64 overflow (UBSan, fuzz_telemetry).
TEST(JsonReaderTest, NumericTimesOutOfRangeAreNoTime) {
  const std::string path = Temp("numeric-times.json",
      R"({"event_type":"dns","timestamp":1521911721.5,"src_ip":"10.0.0.1"})" "\n"
      R"({"event_type":"dns","timestamp":1e300,"src_ip":"10.0.0.2"})" "\n"
      R"({"event_type":"dns","timestamp":-1e300,"src_ip":"10.0.0.3"})" "\n"
      R"({"event_type":"dns","timestamp":-1.5,"src_ip":"10.0.0.4"})" "\n"
      R"({"_path":"dns","ts":9.3e12,"id.orig_h":"10.0.0.5"})" "\n"
      R"({"event_type":"dns","timestamp":"masked","src_ip":"10.0.0.6"})" "\n"
      R"({"event_type":"dns","src_ip":"10.0.0.7"})" "\n");
  for (bool dom : {false, true}) {
    ReaderOptions options;
    options.json_dom = dom;
    ReadResult r = ReadAll(path, TelemetryFormat::kAuto, options);
    ASSERT_EQ(r.records.size(), 7u) << dom;
    EXPECT_TRUE(r.records[0].has_time);
    EXPECT_EQ(r.records[0].time_us, 1521911721500000);
    // The text of a time field that is no time is kept for the problem reported.
    const std::string bad[] = {"", "1e+300", "-1e+300", "-1.5", "9300000000000", "masked", ""};
    for (size_t i = 1; i < 7; ++i) EXPECT_EQ(r.records[i].bad_time, bad[i]) << dom << " " << i;
    for (size_t i = 1; i < 7; ++i) {
      EXPECT_FALSE(r.records[i].has_time) << dom << " " << i << " " << r.records[i].time_us;
      EXPECT_EQ(r.records[i].Of(Role::kSrcIp), std::vector<std::string>{StrCat("10.0.0.", i + 1)});
    }
  }
}

TEST(JsonReaderTest, RealGzipLogsWhenPresent) {
  const std::string path = KIZUNA_SHARED_DATA "/zeek/json/dns.json.gz";
  if (!std::filesystem::exists(path)) GTEST_SKIP() << path << " is absent";
  ReadResult r = ReadAll(path, TelemetryFormat::kAuto);
  EXPECT_EQ(r.records.size(), 53615u);
  EXPECT_EQ(r.malformed, 0u);
}

}  // namespace
}  // namespace kizuna::detect
