// Kizuna. The On-Demand JSON walk against the DOM walk it replaces, and its bad input.
#include "kizuna/detect/readers/ondemand_walk.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <set>

#include "kizuna/base/file.h"
#include "kizuna/base/strings.h"
#include "kizuna/detect/field_map.h"
#include "kizuna/detect/readers/json_paths.h"
#include "readers/read_all.h"
#include "simdjson.h"

namespace kizuna::detect {
namespace {

const std::string kData = KIZUNA_TEST_DATA "/detect";

ReadResult Read(const std::string& path, bool dom, TelemetryFormat format = TelemetryFormat::kAuto) {
  ReaderOptions options;
  options.json_dom = dom;
  return ReadAll(path, format, options);
}

// Records compared by everything but the field indexes (each walk numbers fields as it
// meets them); values and their field names in document order.
void ExpectSameRecords(const ReadResult& a, const ReadResult& b) {
  ASSERT_EQ(a.records.size(), b.records.size());
  for (size_t i = 0; i < a.records.size(); ++i) {
    const ReadRecord& x = a.records[i];
    const ReadRecord& y = b.records[i];
    EXPECT_EQ(x.line, y.line);
    EXPECT_EQ(x.log_type, y.log_type) << "line " << x.line;
    EXPECT_EQ(x.raw, y.raw);
    EXPECT_EQ(x.has_time, y.has_time) << "line " << x.line;
    EXPECT_EQ(x.time_us, y.time_us) << "line " << x.line;
    EXPECT_EQ(x.bad_time, y.bad_time) << "line " << x.line;
    EXPECT_EQ(x.values, y.values) << "line " << x.line;
    EXPECT_EQ(x.fields, y.fields) << "line " << x.line;
  }
}

std::set<uint64_t> MalformedLines(const ReadResult& r) {
  std::set<uint64_t> lines;
  for (const Malformed& m : r.kept) lines.insert(m.line);
  return lines;
}

TEST(OnDemandWalkTest, RunsOnThisMachine) {
  // The benchmarks and the other tests assume the fast walk; say so when it is absent.
  if (!OnDemandSupported()) GTEST_SKIP() << "this CPU lacks " << kOnDemandImplementation;
  EXPECT_STREQ(kOnDemandImplementation, "haswell");
}

TEST(OnDemandWalkTest, SameRecordsAsTheDomWalk) {
  for (const char* file : {"eve.json", "dns.json"}) {
    const std::string path = kData + "/" + file;
    ReadResult dom = Read(path, true), fast = Read(path, false);
    EXPECT_EQ(fast.malformed, 0u) << file;
    ExpectSameRecords(dom, fast);
  }
  for (const char* file : {"json/dns.json.gz", "json/ssl.json.gz", "json/http.json.gz"}) {
    const std::string path = StrCat(KIZUNA_SHARED_DATA "/zeek/", file);
    if (!std::filesystem::exists(path)) continue;
    ReadResult dom = Read(path, true), fast = Read(path, false);
    EXPECT_EQ(dom.malformed, fast.malformed) << file;
    ExpectSameRecords(dom, fast);
  }
}

TEST(OnDemandWalkTest, FindsTheLogTypeAfterTheFieldsAndUndoesEscapes) {
  const std::string path = Temp("late.json",
      R"({"dns":{"rrname":"a\u002eexample"},"src_ip":"10.0.0.1","event_type":"dns"})" "\n"
      R"({"dns":{"rr\u006eame":"b.example","answers":[[{"rdata":"c.example"}]]},"event_type":"dns"})" "\n"
      R"({"id":{"orig_h":"10.0.0.2"},"id.resp_h":"10.0.0.3","_path":"conn","ts":1521911720.5})" "\n");
  ReadResult dom = Read(path, true), fast = Read(path, false);
  ExpectSameRecords(dom, fast);
  ASSERT_EQ(fast.records.size(), 3u);
  EXPECT_EQ(fast.records[0].log_type, "dns");
  EXPECT_EQ(fast.records[0].Of(Role::kDomain), std::vector<std::string>{"a.example"});
  EXPECT_EQ(fast.records[0].Of(Role::kSrcIp), std::vector<std::string>{"10.0.0.1"});
  EXPECT_EQ(fast.records[1].Of(Role::kDomain), std::vector<std::string>{"b.example"});
  EXPECT_EQ(fast.records[1].Of(Role::kHost), std::vector<std::string>{"c.example"});
  EXPECT_EQ(fast.records[2].log_type, "conn");
  EXPECT_EQ(fast.records[2].Of(Role::kSrcIp), std::vector<std::string>{"10.0.0.2"});
  EXPECT_EQ(fast.records[2].Of(Role::kDstIp), std::vector<std::string>{"10.0.0.3"});
  EXPECT_EQ(fast.records[2].time_us, 1521911720500000);
}

TEST(OnDemandWalkTest, NumbersLongKeysAndLongStringsReadAsTheDomWalkReadsThem) {
  // Integers come out as the reader writes them whether the walk takes their text as it is
  // or parses them; keys that share their first 8 bytes are told apart; escapes, dots and
  // quotes are found past the first 32 bytes of a key or string.
  const std::string long_name = StrCat(std::string(40, 'a'), ".example");
  const std::string path = Temp(
      "numbers.json",
      StrCat(
          R"({"event_type":"dns","src_port":53,"dest_port":-0,"dns":{"rrname":"a.example"}})", "\n",
          R"({"event_type":"dns","src_port":0 ,"dest_port":-17})", "\n",
          R"({"event_type":"dns","src_port":1e3,"dest_port":53.0})", "\n",
          R"({"event_type":"dns","src_port":123456789012345678,"dest_port":1234567890123456789})",
          "\n",
          R"({"event_type":"dns","src_port":18446744073709551615,"dest_port":-9223372036854775808})",
          "\n", R"({"event_type":"dns","dest_portX":1,"dest_por":2,"src_port_and_more":3})", "\n",
          R"({"event_type":"dns","dns":{"rrname":")", long_name, R"("}})", "\n",
          R"({"event_type":"dns","dns":{"rrname":")", std::string(40, 'b'), R"(\u002eexample"}})",
          "\n", R"({"event_type":"dns","dns":{"rrname":"q\"uote"}})", "\n",
          R"({"event_type":"dns",")", std::string(40, 'k'), R"(.dns":1,"dns.rrname":"d.example"})",
          "\n", R"({"event_type":"dns","src_port":053})", "\n",
          R"({"event_type":"dns","src_port":-})", "\n",
          R"({"event_type":"dns","src_port":99999999999999999999})", "\n"));
  ReadResult dom = Read(path, true), fast = Read(path, false);
  ExpectSameRecords(dom, fast);
  EXPECT_EQ(MalformedLines(fast), (std::set<uint64_t>{11, 12, 13}));
  EXPECT_EQ(MalformedLines(dom), MalformedLines(fast));
  ASSERT_EQ(fast.records.size(), 10u);
  EXPECT_EQ(fast.records[0].Of(Role::kSrcPort), std::vector<std::string>{"53"});
  EXPECT_EQ(fast.records[0].Of(Role::kDstPort), std::vector<std::string>{"0"});
  EXPECT_EQ(fast.records[1].Of(Role::kSrcPort), std::vector<std::string>{"0"});
  EXPECT_EQ(fast.records[1].Of(Role::kDstPort), std::vector<std::string>{"-17"});
  EXPECT_TRUE(fast.records[2].Of(Role::kSrcPort).empty());  // not integers: no value
  EXPECT_EQ(fast.records[3].Of(Role::kDstPort), std::vector<std::string>{"1234567890123456789"});
  EXPECT_EQ(fast.records[4].Of(Role::kSrcPort), std::vector<std::string>{"18446744073709551615"});
  EXPECT_EQ(fast.records[4].Of(Role::kDstPort), std::vector<std::string>{"-9223372036854775808"});
  EXPECT_TRUE(fast.records[5].values.empty());
  EXPECT_EQ(fast.records[6].Of(Role::kDomain), std::vector<std::string>{long_name});
  EXPECT_EQ(fast.records[7].Of(Role::kDomain),
            std::vector<std::string>{StrCat(std::string(40, 'b'), ".example")});
  EXPECT_EQ(fast.records[8].Of(Role::kDomain), std::vector<std::string>{"q\"uote"});
  EXPECT_EQ(fast.records[9].Of(Role::kDomain), std::vector<std::string>{"d.example"});
}

TEST(OnDemandWalkTest, KeysInChangingOrderAndLogTypesReadAsTheDomWalkReadsThem) {
  // The walk remembers the keys of the line before: lines that change their key order, the
  // level of a key or their log type must still read as the DOM walk reads them.
  const std::string path = Temp(
      "orders.json",
      StrCat(R"({"event_type":"dns","src_ip":"10.0.0.1","dns":{"rrname":"a.example"}})", "\n",
             R"({"event_type":"dns","src_ip":"10.0.0.2","dns":{"rrname":"b.example"}})", "\n",
             R"({"event_type":"dns","dns":{"rrname":"c.example"},"src_ip":"10.0.0.3"})", "\n",
             R"({"event_type":"dns","rrname":"d.example","dns":{"src_ip":"10.0.0.4"}})", "\n",
             R"({"event_type":"http","src_ip":"10.0.0.5","http":{"hostname":"e.example"}})", "\n",
             R"({"event_type":"dns","src_ip":"10.0.0.6","dns":{"rrname":"f.example"}})", "\n",
             R"({"_path":"dns","id.orig_h":"10.0.0.7","query":"g.example"})", "\n",
             R"({"event_type":"dns","src_ip":"10.0.0.8","dns":{"rrname":"h.example"}})", "\n"));
  ReadResult dom = Read(path, true), fast = Read(path, false);
  ExpectSameRecords(dom, fast);
  ASSERT_EQ(fast.records.size(), 8u);
  EXPECT_EQ(fast.records[2].Of(Role::kDomain), std::vector<std::string>{"c.example"});
  EXPECT_TRUE(fast.records[3].Of(Role::kDomain).empty());
  EXPECT_TRUE(fast.records[3].Of(Role::kSrcIp).empty());
  EXPECT_EQ(fast.records[6].Of(Role::kSrcIp), std::vector<std::string>{"10.0.0.7"});
  EXPECT_EQ(fast.records[7].Of(Role::kDomain), std::vector<std::string>{"h.example"});
}

TEST(OnDemandWalkTest, BadLinesAreReportedWithLineAndReason) {
  const std::string good = R"({"event_type":"dns","dns":{"rrname":"ok.example"}})";
  const std::string deep = StrCat(R"({"event_type":"dns","dns":{"answers":)", std::string(40, '['),
                                  std::string(40, ']'), "}}");
  const std::string path = Temp("bad.json", StrCat(
      good, "\n",
      "{\"event_type\":\"dns\",\"dns\":{\"rrname\":\"a\xff.example\"}}\n",  // 2: UTF-8, mapped
      "{\"event_type\":\"dns\",\"flow\":\"\xc3\"}\n",                        // 3: UTF-8, unmapped
      R"({"event_type":"dns","dns":{"rrname":"x.example"})", "\n",          // 4: truncated
      good, " {}\n",                                                         // 5: text after
      "[1,2]\n",                                                             // 6: not an object
      deep, "\n",                                                            // 7: too deep
      R"({"event_type":"dns","src_ip":tru})", "\n",                         // 8: bad mapped atom
      R"({"event_type":"dns","dest_port":53x})", "\n",                      // 9: bad mapped number
      good, "\n"));
  ReadResult r = Read(path, false);
  ASSERT_EQ(r.records.size(), 2u);
  EXPECT_EQ(r.records[1].line, 10u);
  EXPECT_EQ(r.malformed, 8u);
  EXPECT_EQ(MalformedLines(r), (std::set<uint64_t>{2, 3, 4, 5, 6, 7, 8, 9}));
  for (const Malformed& m : r.kept) {
    if (m.line == 6) {
      EXPECT_EQ(m.reason, "not a JSON object");
    } else if (m.line == 7) {
      EXPECT_EQ(m.reason, "nested deeper than 32 levels");
    } else {
      EXPECT_TRUE(m.reason.starts_with("invalid JSON: ")) << m.line << ": " << m.reason;
    }
  }
  // The DOM walk rejects the same lines.
  EXPECT_EQ(MalformedLines(Read(path, true)), MalformedLines(r));
}

TEST(OnDemandWalkTest, ValuesOfUnmappedFieldsAreNotParsed) {
  // The documented difference: a defect only inside a skipped value goes unnoticed.
  const std::string path = Temp("skipped.json",
      R"({"event_type":"dns","flow_id":tru,"extra":[1 2],"dns":{"rrname":"a.example"}})" "\n");
  ReadResult fast = Read(path, false), dom = Read(path, true);
  ASSERT_EQ(fast.records.size(), 1u);
  EXPECT_EQ(fast.records[0].Of(Role::kDomain), std::vector<std::string>{"a.example"});
  EXPECT_EQ(dom.records.size(), 0u);
  EXPECT_EQ(dom.malformed, 1u);
}

// Records what a walk reports: the log type it asks for and each scalar, by field name.
// EVE paths: http's for event_type "http", dns's for anything else.
class RecordingSink final : public JsonSink {
 public:
  const JsonPaths& Paths(const std::string_view* event_type,
                         const std::string_view* zeek_path) override {
    asked.push_back(event_type != nullptr  ? StrCat("event_type ", *event_type)
                    : zeek_path != nullptr ? StrCat("_path ", *zeek_path)
                                           : "none");
    current_ = event_type != nullptr && *event_type == "http" ? &http_ : &dns_;
    return *current_;
  }
  void Scalar(const JsonPath& path, const JsonScalar& value) override {
    scalars.push_back(StrCat(current_->names()[path.field], "=", value.text));
  }
  std::vector<std::string> asked;
  std::vector<std::string> scalars;

 private:
  JsonPaths dns_{"dns", nullptr, &EveFieldMap()};
  JsonPaths http_{"http", nullptr, &EveFieldMap()};
  const JsonPaths* current_ = &dns_;
};

// Walks `line` (padded as LineReader's blocks pad it) into `sink`, cleared first.
JsonWalkError WalkLine(OnDemandWalker& walker, std::string_view line, RecordingSink& sink) {
  sink.asked.clear();
  sink.scalars.clear();
  std::string padded(line);
  padded.append(simdjson::SIMDJSON_PADDING, '\0');
  return walker.Walk(std::string_view(padded.data(), line.size()), sink).error;
}

TEST(OnDemandWalkTest, EveLinesAreEnteredOnce) {
  if (!OnDemandSupported()) GTEST_SKIP() << "this CPU lacks " << kOnDemandImplementation;
  OnDemandWalker walker(kDefaultMaxLineBytes);
  RecordingSink sink;
  // Suricata's order: timestamp, flow_id and in_iface before event_type. They are kept and
  // reported once the log type is known, in document order.
  for (int i = 0; i < 2; ++i) {  // the first line guesses no log type, the second dns's
    ASSERT_EQ(WalkLine(walker,
                       R"({"timestamp":"2018-03-24T17:15:23.099150+0000","flow_id":1234567890123,)"
                       R"("in_iface":"eth0","event_type":"dns","src_ip":"10.0.0.1","src_port":53,)"
                       R"("dns":{"rrname":"a.example"}})",
                       sink),
              JsonWalkError::kOk);
    EXPECT_EQ(sink.asked, std::vector<std::string>{"event_type dns"});
    EXPECT_EQ(sink.scalars,
              (std::vector<std::string>{"timestamp=2018-03-24T17:15:23.099150+0000",
                                        "src_ip=10.0.0.1", "src_port=53", "dns.rrname=a.example"}));
  }
  // No event_type: the whole line is kept, and _path (wherever it is) gives the log type.
  ASSERT_EQ(WalkLine(walker, R"({"ts":"x","src_ip":"10.0.0.2","_path":"dns"})", sink),
            JsonWalkError::kOk);
  EXPECT_EQ(sink.asked, std::vector<std::string>{"_path dns"});
  EXPECT_EQ(sink.scalars, std::vector<std::string>{"src_ip=10.0.0.2"});
  ASSERT_EQ(WalkLine(walker, R"({"src_ip":"10.0.0.3","x":null,"n":-5})", sink), JsonWalkError::kOk);
  EXPECT_EQ(sink.asked, std::vector<std::string>{"none"});
  EXPECT_EQ(sink.scalars, std::vector<std::string>{"src_ip=10.0.0.3"});
  // The first event_type counts, as find_field_unordered finds it: not a string, so none;
  // then the first _path, also when it is not a string.
  ASSERT_EQ(WalkLine(walker,
                     R"({"event_type":7,"_path":null,"event_type":"dns","_path":"conn",)"
                     R"("src_ip":"10.0.0.4"})",
                     sink),
            JsonWalkError::kOk);
  EXPECT_EQ(sink.asked, std::vector<std::string>{"none"});
  EXPECT_EQ(sink.scalars, std::vector<std::string>{"src_ip=10.0.0.4"});
  // Members the guessed log type does not map are skipped unread, whatever they hold.
  ASSERT_EQ(
      WalkLine(walker,
               R"({"alert":true,"rate":1.5,"tags":[1],"event_type":"dns","src_ip":"10.0.0.5"})",
               sink),
      JsonWalkError::kOk);
  EXPECT_EQ(sink.scalars, std::vector<std::string>{"src_ip=10.0.0.5"});
  // Another log type than guessed: the kept keys are looked up again.
  ASSERT_EQ(WalkLine(walker, R"({"src_ip":"10.0.0.6","event_type":"http"})", sink),
            JsonWalkError::kOk);
  EXPECT_EQ(sink.asked, std::vector<std::string>{"event_type http"});
  EXPECT_EQ(sink.scalars, std::vector<std::string>{"src_ip=10.0.0.6"});
  EXPECT_EQ(walker.two_pass_lines(), 0u);

  // A skipped member the line's log type maps after all (http under the guess of dns): the
  // line is walked in two passes, as are the 15 lines after it; then one pass again.
  ASSERT_EQ(WalkLine(walker, R"({"event_type":"dns"})", sink), JsonWalkError::kOk);
  ASSERT_EQ(WalkLine(walker, R"({"http":{"hostname":"b.example"},"event_type":"http"})", sink),
            JsonWalkError::kOk);
  EXPECT_EQ(sink.scalars, std::vector<std::string>{"http.hostname=b.example"});
  EXPECT_EQ(walker.two_pass_lines(), 1u);
  for (int i = 0; i < 20; ++i) {
    ASSERT_EQ(WalkLine(walker, R"({"event_type":"dns","src_ip":"10.0.0.7"})", sink),
              JsonWalkError::kOk);
    EXPECT_EQ(sink.scalars, std::vector<std::string>{"src_ip=10.0.0.7"});
  }
  EXPECT_EQ(walker.two_pass_lines(), 16u);
  // A kept member that is not a string, integer or null: two passes.
  ASSERT_EQ(WalkLine(walker, R"({"dns":{"rrname":"c.example"},"event_type":"dns"})", sink),
            JsonWalkError::kOk);
  EXPECT_EQ(sink.scalars, std::vector<std::string>{"dns.rrname=c.example"});
  EXPECT_EQ(walker.two_pass_lines(), 17u);
}

TEST(OnDemandWalkTest, FailedTriesOfOnePassBackOff) {
  if (!OnDemandSupported()) GTEST_SKIP() << "this CPU lacks " << kOnDemandImplementation;
  OnDemandWalker walker(kDefaultMaxLineBytes);
  RecordingSink sink;
  // Lines that always need two passes (an object before event_type) are tried in one at
  // lines 1, 17, 49 and 113 (runs of 15, 31, 63 and 127 in two passes between).
  const std::string_view nested = R"({"dns":{"rrname":"a.example"},"event_type":"dns"})";
  for (int i = 0; i < 240; ++i) {
    ASSERT_EQ(WalkLine(walker, nested, sink), JsonWalkError::kOk);
    EXPECT_EQ(sink.scalars, std::vector<std::string>{"dns.rrname=a.example"});
  }
  EXPECT_EQ(walker.two_pass_lines(), 240u);
  EXPECT_EQ(walker.restarted_lines(), 4u);
  // A try that succeeds brings the run back to 15.
  ASSERT_EQ(WalkLine(walker, R"({"event_type":"dns","src_ip":"10.0.0.1"})", sink),
            JsonWalkError::kOk);
  EXPECT_EQ(walker.two_pass_lines(), 240u);
  for (int i = 0; i < 17; ++i) ASSERT_EQ(WalkLine(walker, nested, sink), JsonWalkError::kOk);
  EXPECT_EQ(walker.two_pass_lines(), 257u);
  EXPECT_EQ(walker.restarted_lines(), 6u);  // the first of the 17, and the 17th
}

TEST(OnDemandWalkTest, LogTypeAfterOtherMembersReadsAsTheDomWalkReadsIt) {
  // Members before event_type of every kind: kept (strings, integers, null) or not (escaped
  // strings and keys, objects, arrays, booleans, other numbers, more than the walk keeps);
  // a missing, repeated or escaped event_type; _path; bad values before and after it.
  std::string many = "{";
  for (int i = 0; i < 40; ++i) StrAppend(many, "\"k", i, "\":", i, ",");
  StrAppend(many, R"("src_ip":"10.0.0.9","event_type":"dns","dns":{"rrname":"m.example"}})");
  const std::string path = Temp(
      "late_kinds.json",
      StrCat(
          R"({"timestamp":"2018-03-24T17:15:23.099150+0000","event_type":"dns","dns":{"rrname":"a.example"}})",
          "\n", R"({"src_ip":"q\"uote","event_type":"dns","dns":{"rrname":"b.example"}})", "\n",
          R"({"src_ip":"10.0.0.1","dns":{"rrname":"c\u002eexample"},"event_type":"dns"})", "\n",
          R"({"src_\u0069p":"10.0.0.2","event_type":"dns","dest_ip":"10.0.0.3"})", "\n",
          R"({"src_ip":"10.0.0.4","alert":true,"event_type":"dns","dest_port":53})", "\n",
          R"({"src_ip":"10.0.0.5","rate":0.5,"event_type":"dns","dest_port":53})", "\n",
          R"({"src_ip":"10.0.0.6","list":[1,{"a":2}],"event_type":"dns","dest_port":53})", "\n",
          R"({"src_ip":"10.0.0.7","event_type":"d\u006es","dns":{"rrname":"d.example"}})", "\n",
          R"({"src_ip":"10.0.0.8","dns":{"rrname":"e.example"}})", "\n",
          R"({"event_type":null,"_path":"dns","query":"f.example","id.orig_h":"10.0.0.10"})", "\n",
          R"({"id.orig_h":"10.0.0.11","query":"g.example","_path":"dns"})", "\n",
          R"({"event_type":"dns","event_type":"http","src_ip":"10.0.0.12"})", "\n",
          R"({"event_type":"dns","src_ip":"10.0.0.13"})", "\n", many, "\n",
          R"({"src_ip":tru,"event_type":"dns"})", "\n",
          R"({"src_ip":"10.0.0.15","event_type":"dns","src_port":5x})", "\n",
          R"({"src_ip":"10.0.0.16","event_type":"dns"} x)", "\n",
          R"({"src_ip":"10.0.0.17","event_type":"dns")", "\n",
          R"({"timestamp":"bad time","event_type":"dns","src_ip":"10.0.0.18"})", "\n"));
  ReadResult dom = Read(path, true), fast = Read(path, false);
  ExpectSameRecords(dom, fast);
  EXPECT_EQ(MalformedLines(fast), (std::set<uint64_t>{15, 16, 17, 18}));
  EXPECT_EQ(MalformedLines(dom), MalformedLines(fast));
  ASSERT_EQ(fast.records.size(), 15u);
  EXPECT_EQ(fast.records[0].time_us, 1521911723099150);
  EXPECT_EQ(fast.records[0].Of(Role::kDomain), std::vector<std::string>{"a.example"});
  EXPECT_EQ(fast.records[1].Of(Role::kSrcIp), std::vector<std::string>{"q\"uote"});
  EXPECT_EQ(fast.records[2].Of(Role::kDomain), std::vector<std::string>{"c.example"});
  EXPECT_EQ(fast.records[3].Of(Role::kSrcIp), std::vector<std::string>{"10.0.0.2"});
  EXPECT_EQ(fast.records[4].Of(Role::kDstPort), std::vector<std::string>{"53"});
  EXPECT_EQ(fast.records[7].log_type, "dns");
  EXPECT_EQ(fast.records[7].Of(Role::kDomain), std::vector<std::string>{"d.example"});
  EXPECT_EQ(fast.records[8].log_type, "late_kinds");  // no log type in the line: the file's
  EXPECT_EQ(fast.records[9].log_type, "dns");
  EXPECT_EQ(fast.records[9].Of(Role::kDomain), std::vector<std::string>{"f.example"});
  EXPECT_EQ(fast.records[10].Of(Role::kSrcIp), std::vector<std::string>{"10.0.0.11"});
  EXPECT_EQ(fast.records[11].log_type, "dns");
  EXPECT_EQ(fast.records[13].Of(Role::kDomain), std::vector<std::string>{"m.example"});
  EXPECT_EQ(fast.records[14].bad_time, "bad time");
}

// Every prefix of a valid line is rejected by both walks; random byte changes never make
// the fast walk reject a line the DOM walk accepts, nor read it differently. Two lines: the
// log type after kept members (one pass), and after an object and an array (two passes).
TEST(OnDemandWalkTest, MutatedLinesAgreeWithTheDomWalk) {
  const std::string lines[] = {
      R"({"timestamp":"2018-03-24T17:15:23.099150+0000","flow_id":2,"event_type":"dns",)"
      R"("src_ip":"10.47.1.10","src_port":40000,"dest_ip":"10.0.0.100","dest_port":53,)"
      R"("proto":"UDP","dns":{"version":2,"type":"answer","rrname":"t.example",)"
      R"("answers":[{"rrname":"t.example","rrtype":"CNAME","rdata":"u.example"},)"
      R"({"rrname":"u.example","rrtype":"A","rdata":"52.40.133.43"}]}})",
      R"({"timestamp":"2018-03-24T17:15:23.099150+0000","src_ip":"10.47.1.10",)"
      R"("dns":{"rrname":"t.example","answers":[{"rdata":"u.example"}]},"tags":[1,"a"],)"
      R"("flow_id":2,"event_type":"dns","dest_ip":"10.0.0.100","dest_port":53})"};
  for (const std::string& line : lines) {
    std::string prefixes;
    for (size_t n = 1; n < line.size(); ++n) StrAppend(prefixes, line.substr(0, n), "\n");
    const std::string prefix_path = Temp("prefixes.json", prefixes);
    EXPECT_EQ(Read(prefix_path, false).records.size(), 0u);
    EXPECT_EQ(Read(prefix_path, true).records.size(), 0u);

    std::string mutated;
    uint64_t x = 0x2545F4914F6CDD1Dull;
    const std::string_view alphabet = "{}[]\":,\\ atfn0-.e\x01\xc3";
    for (int i = 0; i < 4000; ++i) {
      std::string m = line;
      for (int k = 0; k < 1 + i % 3; ++k) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        m[x % m.size()] = alphabet[(x >> 32) % alphabet.size()];
      }
      StrAppend(mutated, m, "\n");
    }
    const std::string path = Temp("mutated.json", mutated);
    ReaderOptions options;
    options.json_dom = true;
    ReadResult dom = ReadAll(path, TelemetryFormat::kAuto, options);
    ReadResult fast = Read(path, false);
    std::map<uint64_t, const ReadRecord*> fast_by_line;
    for (const ReadRecord& r : fast.records) fast_by_line[r.line] = &r;
    size_t both = 0;
    for (const ReadRecord& d : dom.records) {
      auto it = fast_by_line.find(d.line);
      ASSERT_NE(it, fast_by_line.end())
          << "the fast walk rejected line " << d.line << ": " << d.raw;
      EXPECT_EQ(it->second->values, d.values) << d.raw;
      EXPECT_EQ(it->second->time_us, d.time_us) << d.raw;
      EXPECT_EQ(it->second->log_type, d.log_type) << d.raw;
      ++both;
    }
    EXPECT_GT(both, 100u);
    EXPECT_GT(dom.malformed, 1000u);
  }
}

}  // namespace
}  // namespace kizuna::detect
