// Kizuna. The On-Demand observation reader against the DOM reader, on the same inputs.
#include "kizuna/pattern/internal/ondemand_observations.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "kizuna/base/strings.h"
#include "kizuna/pattern/observation_json.h"
#include "simdjson.h"

namespace kizuna::pattern_internal {
namespace {

using pattern::Observation;
using pattern::StixVersion;

// Everything the evaluator can see of a value, as text.
void DumpValue(const Observation& o, Observation::NodeId n, std::string& out) {
  StrAppend(out, "<", static_cast<int>(o.kind(n)), ":", o.key(n), "=");
  switch (o.kind(n)) {
    case pattern::ValueKind::kNull:
      break;
    case pattern::ValueKind::kBool:
      StrAppend(out, o.bool_value(n) ? "true" : "false");
      break;
    case pattern::ValueKind::kInt:
      StrAppend(out, o.int_value(n));
      break;
    case pattern::ValueKind::kFloat:
      StrAppend(out, std::to_string(o.float_value(n)));
      break;
    case pattern::ValueKind::kString:
    case pattern::ValueKind::kBinary:
      StrAppend(out, o.string_value(n));
      break;
    case pattern::ValueKind::kList:
    case pattern::ValueKind::kObject:
      for (auto c = o.first_child(n); c != Observation::kNoNode; c = o.next_sibling(c)) {
        DumpValue(o, c, out);
      }
      break;
  }
  out += ">";
}

std::string Dump(const std::vector<Observation>& observations) {
  std::string out;
  for (const Observation& o : observations) {
    StrAppend(out, o.id(), " ", o.first_observed().seconds, ".", o.first_observed().nanos, " ",
              o.last_observed().seconds, ".", o.last_observed().nanos, " x", o.count(), "\n");
    for (size_t i = 0; i < o.sco_count(); ++i) {
      StrAppend(out, "  ", o.sco_type(i), " ", o.sco_key(i), " ");
      DumpValue(o, o.sco_root(i), out);
      out += "\n";
    }
  }
  return out;
}

// Records what a streaming reader hands over.
struct Recorder : pattern::ObservationSink {
  absl::Status Add(size_t index, const Observation& o) override {
    order.push_back(StrCat(index, ":", o.id(), ":", o.sco_count()));
    return absl::OkStatus();
  }
  void Restart() override { order.push_back("restart"); }
  std::vector<std::string> order;
};

// What the streaming reader hands over for `json`, in order ("index:id:SCOs").
std::vector<std::string> Handed(std::string_view json) {
  const simdjson::padded_string padded(json);
  Recorder recorder;
  const absl::Status read = StreamObservationsOnDemand(
      std::string_view(padded.data(), padded.size()), StixVersion::k21, recorder);
  EXPECT_TRUE(read.ok()) << read;
  return recorder.order;
}

class OnDemandObservationsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!pattern::OnDemandObservationsSupported()) GTEST_SKIP() << "no AVX2 on this CPU";
  }

  // Reads `json` with both readers; they must agree on success, status code and content.
  // Returns the On-Demand reader's result.
  absl::StatusOr<std::vector<Observation>> Both(std::string_view json,
                                                StixVersion version = StixVersion::k21) {
    const simdjson::padded_string padded(json);
    const std::string_view text(padded.data(), padded.size());
    auto fast = ReadObservationsOnDemand(text, version);
    auto dom = pattern::ReadObservationsDom(text, version);
    EXPECT_EQ(fast.ok(), dom.ok())
        << json << "\n on-demand: " << fast.status() << "\n dom: " << dom.status();
    if (fast.ok() && dom.ok()) {
      EXPECT_EQ(Dump(*fast), Dump(*dom)) << json;
    } else if (!fast.ok() && !dom.ok()) {
      EXPECT_EQ(fast.status().code(), dom.status().code()) << json << "\n"
                                                           << fast.status() << "\n"
                                                           << dom.status();
    }
    return fast;
  }
};

constexpr char kObserved[] =
    R"({"type":"observed-data","spec_version":"2.1","id":"observed-data--1",)"
    R"("created":"2020-01-01T00:00:00.000Z","modified":"2020-01-01T00:00:00.000Z",)"
    R"("first_observed":"2020-01-01T00:00:00Z","last_observed":"2020-01-01T00:00:05.25Z",)"
    R"("number_observed":3,"object_refs":["ipv4-addr--1","file--1","nowhere--1"]})";
constexpr char kIp[] = R"({"type":"ipv4-addr","id":"ipv4-addr--1","value":"10.0.0.1"})";
constexpr char kFile[] =
    R"({"type":"file","id":"file--1","name":"a\u00e9\"b","size":18446744073709551615,)"
    R"("x_neg":-5,"x_float":2.5e3,"x_null":null,"x_flags":[true,false,[1,{"k":"v"}]],)"
    R"("hashes":{"MD5":"00112233445566778899aabbccddeeff"},"x_hex":"0a0b","payload_bin":"AQI="})";

TEST_F(OnDemandObservationsTest, SameObservationsInEveryLayout) {
  const std::string objects = StrCat(kObserved, ",", kIp, ",", kFile);
  const std::string inputs[] = {
      StrCat(R"({"type":"bundle","id":"bundle--1","objects":[)", objects, "]}"),
      StrCat(R"({"id":"bundle--1","objects":[)", objects, R"(],"type":"bundle","x":[1,{}]})"),
      StrCat("[", kFile, ",", kIp, ",", kObserved, "]"),
      StrCat(kObserved, "\n", kIp, "\n\n", kFile, "\n", kObserved, "\n"),
      StrCat(R"({"type":"bundle","id":"b","objects":[)", kIp, "]}\n", kObserved, "\n"),
      StrCat(kIp, "\n", kIp, "\n", kObserved),  // the first copy of an SCO wins
      kObserved,
      "  \n\t",
  };
  for (const std::string& input : inputs) {
    auto obs = Both(input);
    EXPECT_TRUE(obs.ok()) << input << "\n" << obs.status();
  }
  auto obs = Both(inputs[0]);
  ASSERT_TRUE(obs.ok());
  ASSERT_EQ(obs->size(), 1u);
  EXPECT_EQ((*obs)[0].sco_count(), 2u);  // the unresolved ref is skipped
}

// Bundles and lists are split into objects by counting brackets: strings holding brackets,
// quotes and backslashes, SCOs before and after the observed-data naming them, and layouts
// the splitter leaves to the whole-document reader give the same observations.
TEST_F(OnDemandObservationsTest, SameObservationsWhenSplitIntoObjects) {
  const std::string tricky =
      R"({"type":"domain-name","id":"domain-name--1","value":"a\"}]{[\\","x_q":"\\",)"
      R"("x_n":[{"a":"]"},[]],"x_e":"\u005d\u007d"})";
  const std::string second =
      R"({"type":"observed-data","id":"observed-data--2","first_observed":"2020-01-01T00:00:00Z",)"
      R"("last_observed":"2020-01-01T00:00:00Z","number_observed":1,)"
      R"("object_refs":["domain-name--1","ipv4-addr--1","domain-name--1"]})";
  const std::string objects = StrCat(kIp, ",\n", kObserved, " ,\r\n", tricky, "\t,", second, ",",
                                     kFile, ",", kIp);
  const std::string inputs[] = {
      StrCat(R"({"type":"bundle","id":"bundle--1","objects":[)", "\n", objects, "\n]}\n"),
      StrCat(" \n{ \"objects\" : [ ", objects, R"( ] , "type" : "bundle" , "id":"b\"}"} )"),
      StrCat("[", objects, "]"),
      StrCat(R"({"type":"bundle","id":"b","objects":[]})"),
      StrCat(R"({"type":"bundle","objects":[)", kFile, "]}"),
      // An escaped key: the splitter leaves it to the whole-document reader.
      StrCat(R"({"type":"bundle","obj\u0065cts":[)", objects, "]}"),
      StrCat(R"({"type":"bundle","obj\u0065cts":[)", kIp, R"(],"objects":[)", objects, "]}"),
      // Not a bundle: one object.
      StrCat(R"({"type":"x-thing","id":"x-thing--1","objects":[)", objects, "]}"),
  };
  for (const std::string& input : inputs) {
    auto obs = Both(input);
    EXPECT_TRUE(obs.ok()) << input << "\n" << obs.status();
  }
  // The first five are read one object at a time, without starting again.
  for (size_t i = 0; i < 5; ++i) {
    const simdjson::padded_string padded(inputs[i]);
    Recorder recorder;
    ASSERT_TRUE(StreamObservationsOnDemand(std::string_view(padded.data(), padded.size()),
                                           StixVersion::k21, recorder)
                    .ok());
    for (const std::string& event : recorder.order) EXPECT_NE(event, "restart") << inputs[i];
  }
  auto obs = Both(inputs[0]);
  ASSERT_TRUE(obs.ok());
  ASSERT_EQ(obs->size(), 2u);
  EXPECT_EQ((*obs)[0].id(), "observed-data--1");
  EXPECT_EQ((*obs)[1].id(), "observed-data--2");
  ASSERT_EQ((*obs)[1].sco_count(), 3u);
  EXPECT_EQ((*obs)[1].string_value((*obs)[1].FindMember((*obs)[1].sco_root(0), "value")),
            "a\"}]{[\\");
}

// Strings of quotes, backslashes and brackets at every offset of the splitter's 64-byte
// blocks: the objects are found without starting again, and read as the DOM reader reads them.
TEST_F(OnDemandObservationsTest, SplitsAroundEscapesAtEveryOffset) {
  const char alphabet[] = {'a', '"', '\\', '{', '}', '[', ']', ' '};
  uint64_t state = 12345;
  std::string bundle = R"({"type":"bundle","id":"b","objects":[)";
  for (int i = 0; i < 300; ++i) {
    std::string value;
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    const size_t size = (state >> 33) % 150;
    for (size_t k = 0; k < size; ++k) {
      state = state * 6364136223846793005ULL + 1442695040888963407ULL;
      const char c = alphabet[(state >> 33) % sizeof(alphabet)];
      if (c == '"' || c == '\\') value += '\\';
      value += c;
    }
    StrAppend(bundle, i == 0 ? "" : ",", R"({"type":"x-s","id":"x-s--)", i, R"(","v":")", value,
              R"(","w":[")", value, R"("]})");
    if (i % 7 == 0) {
      StrAppend(bundle, ",", R"({"type":"observed-data","id":"od-)", i,
                R"(","first_observed":"2020-01-01T00:00:00Z","last_observed":"2020-01-01T00:00:00Z",)",
                R"("number_observed":1,"object_refs":["x-s--)", i, R"("]})");
    }
  }
  bundle += "]}";
  const simdjson::padded_string padded(bundle);
  Recorder recorder;
  ASSERT_TRUE(StreamObservationsOnDemand(std::string_view(padded.data(), padded.size()),
                                         StixVersion::k21, recorder)
                  .ok());
  ASSERT_FALSE(recorder.order.empty());
  EXPECT_NE(recorder.order.front(), "restart");
  auto obs = Both(bundle);
  ASSERT_TRUE(obs.ok()) << obs.status();
  EXPECT_EQ(obs->size(), 43u);
}

// Hands observations over as soon as their SCOs are read: out of input order when an
// observed-data waits for SCOs further on.
TEST_F(OnDemandObservationsTest, StreamsEachObservationWhenItsScosAreRead) {
  const std::string waiting =
      R"({"type":"observed-data","id":"od-a","first_observed":"2020-01-01T00:00:00Z",)"
      R"("last_observed":"2020-01-01T00:00:00Z","number_observed":1,"object_refs":["file--1"]})";
  const std::string ready =
      R"({"type":"observed-data","id":"od-b","first_observed":"2020-01-01T00:00:00Z",)"
      R"("last_observed":"2020-01-01T00:00:00Z","number_observed":1,"object_refs":["ipv4-addr--1"]})";
  const std::string text =
      StrCat(R"({"type":"bundle","id":"b","objects":[)", kIp, ",", waiting, ",", ready, ",",
             kFile, ",", kObserved, "]}");
  EXPECT_EQ(Handed(text),
            (std::vector<std::string>{"1:od-b:1", "0:od-a:1", "2:observed-data--1:2"}));

  // A layout the splitter does not take is read again from the start.
  Recorder again;
  const std::string lines = StrCat(kIp, "\n", ready, "\n");
  const simdjson::padded_string padded_lines(lines);
  ASSERT_TRUE(StreamObservationsOnDemand(
                  std::string_view(padded_lines.data(), padded_lines.size()), StixVersion::k21,
                  again)
                  .ok());
  EXPECT_EQ(again.order.back(), "0:od-b:1");
}

// An SCO that observed-data before it wait for is built straight into each one it
// completes, and checked on its own when it completes none; either way as the DOM reader.
TEST_F(OnDemandObservationsTest, ScoBuiltIntoEachObservationItCompletes) {
  auto od = [](std::string_view id, std::string_view refs) {
    return StrCat(R"({"type":"observed-data","id":")", id,
                  R"(","first_observed":"2020-01-01T00:00:00Z","last_observed":"2020-01-01T00:00:00Z",)",
                  R"("number_observed":1,"object_refs":[)", refs, "]}");
  };
  const std::string a = od("od-a", R"("ipv4-addr--1")");
  const std::string b = od("od-b", R"("ipv4-addr--1","file--1","ipv4-addr--1")");
  const std::string c = od("od-c", R"("ipv4-addr--1")");
  const std::string bundle = StrCat(R"({"type":"bundle","id":"b","objects":[)", a, ",", b, ",",
                                    c, ",", kIp, ",", kFile, "]}");
  auto obs = Both(bundle);
  ASSERT_TRUE(obs.ok()) << obs.status();
  ASSERT_EQ(obs->size(), 3u);
  EXPECT_EQ((*obs)[1].sco_count(), 3u);
  EXPECT_EQ(Handed(bundle), (std::vector<std::string>{"0:od-a:1", "2:od-c:1", "1:od-b:3"}));

  // The same SCO too deep, or not JSON, whether it completes a waiter or none.
  std::string deep = R"({"type":"ipv4-addr","id":"ipv4-addr--1","v":)";
  for (int i = 0; i < 100; ++i) deep += "[";
  for (int i = 0; i < 100; ++i) deep += "]";
  deep += "}";
  const std::string bad = R"({"type":"ipv4-addr","id":"ipv4-addr--1","v":[1,tru]})";
  for (const std::string& sco : {deep, bad}) {
    for (const std::string& waiters : {StrCat(a, ",", b), b}) {
      const std::string input = StrCat(R"({"type":"bundle","id":"b","objects":[)", waiters, ",",
                                       sco, ",", kFile, "]}");
      auto rejected = Both(input);
      ASSERT_FALSE(rejected.ok()) << input;
      EXPECT_EQ(rejected.status().code(), sco == deep ? absl::StatusCode::kResourceExhausted
                                                      : absl::StatusCode::kInvalidArgument)
          << rejected.status();
    }
  }
}

// An observed-data naming one SCO: the SCO read before it, right after it, after another
// object, or twice (the first copy wins, whichever comes next): as the DOM reader.
TEST_F(OnDemandObservationsTest, ObservedDataNamingOneSco) {
  const std::string od =
      R"({"type":"observed-data","id":"od-1","first_observed":"2020-01-01T00:00:00Z",)"
      R"("last_observed":"2020-01-01T00:00:00Z","number_observed":1,"object_refs":["ipv4-addr--1"]})";
  const std::string copy = R"({"type":"ipv4-addr","id":"ipv4-addr--1","value":"10.9.9.9"})";
  const std::string orders[] = {
      StrCat(kIp, ",", od, ",", copy),  StrCat(od, ",", kIp, ",", copy),
      StrCat(kIp, ",", od, ",", kFile), StrCat(od, ",", kFile, ",", kIp),
      StrCat(kIp, ",", od, ",", od),    StrCat(od, ",", od, ",", kIp, ",", copy),
      StrCat(od, ",", kObserved, ",", kIp),
  };
  for (const std::string& objects : orders) {
    for (const std::string& input :
         {StrCat(R"({"type":"bundle","id":"b","objects":[)", objects, "]}"),
          StrCat("[", objects, "]")}) {
      auto obs = Both(input);
      ASSERT_TRUE(obs.ok()) << input << "\n" << obs.status();
      ASSERT_FALSE(obs->empty());
      ASSERT_EQ((*obs)[0].sco_count(), 1u) << input;
      EXPECT_EQ((*obs)[0].string_value((*obs)[0].FindMember((*obs)[0].sco_root(0), "value")),
                "10.0.0.1")
          << input;
    }
  }
}

TEST_F(OnDemandObservationsTest, SameObservationsForStix20) {
  const std::string od =
      R"({"type":"observed-data","id":"od-20","first_observed":"2016-01-01T00:00:00Z",)"
      R"("last_observed":"2016-01-01T00:00:00Z","number_observed":1,"objects":{)"
      R"("0":{"type":"file","name":"a","parent_directory_ref":"1","x":{"deep":[1,2.5,true,null]}},)"
      R"("1":{"type":"directory","path":"/tmp"}}})";
  EXPECT_TRUE(Both(od, StixVersion::k20).ok());
  EXPECT_TRUE(Both(od, StixVersion::k21).ok());
  EXPECT_TRUE(Both(StrCat("[", kIp, ",", od, "]"), StixVersion::k20).ok());
  EXPECT_FALSE(Both(kObserved, StixVersion::k20).ok());
}

TEST_F(OnDemandObservationsTest, SameInputsRejected) {
  const std::string head = R"({"type":"observed-data","id":"od-x",)";
  const std::string times =
      R"("first_observed":"2020-01-01T00:00:00Z","last_observed":"2020-01-01T00:00:00Z",)";
  const std::string inputs[] = {
      head + R"("last_observed":"2020-01-01T00:00:00Z","number_observed":1,"object_refs":[]})",
      head +
          R"("first_observed":5,"last_observed":"2020-01-01T00:00:00Z","number_observed":1,"object_refs":[]})",
      head +
          R"("first_observed":"2020-02-30T00:00:00Z","last_observed":"2020-01-01T00:00:00Z","number_observed":1,"object_refs":[]})",
      head +
          R"("first_observed":"2020-01-02T00:00:00Z","last_observed":"2020-01-01T00:00:00Z","number_observed":1,"object_refs":[]})",
      head + times + R"("number_observed":0,"object_refs":[]})",
      head + times + R"("number_observed":1.5,"object_refs":[]})",
      head + times + R"("number_observed":1000000000,"object_refs":[]})",
      head + times + R"("number_observed":1})",
      head + times + R"("number_observed":1,"object_refs":"x"})",
      head + times + R"("number_observed":1,"object_refs":[5]})",
      head + times + R"("number_observed":1,"objects":{"0":{"name":"x"}}})",
      head + times + R"("number_observed":1,"objects":{"0":7}})",
      head + times + R"("number_observed":1,"object_refs":[],"created":tru})",
      R"({"id":"x"})",
      R"({"type":"bundle","id":"b"})",
      R"({"type":"bundle","id":"b","objects":{}})",
      R"({"type":"bundle","id":"b","objects":[5]})",
      R"({"type":"bundle","id":"b","objects":[{"type":"indicator","x":[1,]}]})",
      R"({"type":"bundle","id":"b","objects":[]} x)",
      "42",
      "{\"type\": ",
      "[1, 2",
      "[]]",
      StrCat(kIp, "\n{\"type\": 5}\n"),
      StrCat(kIp, "\n{\"type\":\"x\",\"id\":\"x--1\",\"v\":\"\xff\"}\n"),
      StrCat(kObserved, "\n", kIp, "\n{\"type\":\"ipv4-addr\""),
      // Bundles and lists the splitter reads, each broken once.
      StrCat(R"({"type":"bundle","id":"b","objects":[)", kIp, ",]}"),
      StrCat(R"({"type":"bundle","id":"b","objects":[)", kIp, " ", kObserved, "]}"),
      StrCat(R"({"type":"bundle","id":"b","objects":[)", kIp, ",,", kObserved, "]}"),
      StrCat(R"({"type":"bundle","id":"b","x":tru,"objects":[)", kIp, "]}"),
      StrCat(R"({"type":"bundle","id":"b","objects":[)", kIp, "],}"),
      StrCat(R"({"type":"bundle","id":"b","objects":[)", kIp, "]} {}"),
      StrCat(R"({"type":"bundle","id":"b","objects":[)", kIp, ",7]}"),
      StrCat(R"({"type":"bundle","id":"b","objects":[{"type":"x","v":[}]]}"),
      StrCat(R"({"type":"bundle","id":"b","objects":[{"type":"x","v":"a\"}]})"),
      StrCat(R"({"type":"bundle","id":"b","objects":[{"type":"x","v":"\u12"}]})"),
      StrCat(R"({"type":"bundle","id":"b","objects":[{"type":"x","v":"\xff"}]})"),
      StrCat(R"({"type":"bundle","id":"b","objects":[{"type":"x","v":1 2}]})"),
      StrCat("[", kIp, ",", kObserved, ",", R"({"type":"observed-data","id":"od-y"})", "]"),
      StrCat("[", kIp, "] ]"),
  };
  for (const std::string& input : inputs) {
    auto obs = Both(input);
    EXPECT_FALSE(obs.ok()) << input;
  }
}

TEST_F(OnDemandObservationsTest, DepthLimitOfScoValues) {
  std::string deep = R"({"type":"x-deep","id":"x-deep--1","v":)";
  for (int i = 0; i < 100; ++i) deep += "[";
  for (int i = 0; i < 100; ++i) deep += "]";
  deep += "}";
  auto obs = Both(StrCat(kObserved, "\n", deep));
  ASSERT_FALSE(obs.ok());
  EXPECT_EQ(obs.status().code(), absl::StatusCode::kResourceExhausted);
}

TEST_F(OnDemandObservationsTest, DepthLimitInsideABundle) {
  // Deeper than the splitter follows: the whole-document reader applies its limit.
  for (int levels : {100, 1100}) {
    std::string deep = R"({"type":"indicator","id":"indicator--1","v":)";
    for (int i = 0; i < levels; ++i) deep += "[";
    for (int i = 0; i < levels; ++i) deep += "]";
    deep += "}";
    auto obs = Both(StrCat(R"({"type":"bundle","id":"b","objects":[)", kObserved, ",", deep,
                           ",", kIp, "]}"));
    EXPECT_EQ(obs.ok(), levels < 1000) << levels << " " << obs.status();
  }
}

TEST_F(OnDemandObservationsTest, ErrorsNameLineColumnAndByte) {
  const std::string text =
      StrCat(R"({"type":"bundle","id":"b","objects":[)", "\n", kIp, ",\n  ",
             R"({"type":"observed-data","id":"od-bad","number_observed":1}]})");
  auto obs = Both(text);
  ASSERT_FALSE(obs.ok());
  const std::string message(obs.status().message());
  const size_t byte = text.find(R"({"type":"observed-data")");
  EXPECT_NE(message.find(StrCat("document 1, line 3, column 3 (byte ", byte,
                                "), object od-bad: 'first_observed' is missing")),
            std::string::npos)
      << message;
}

}  // namespace
}  // namespace kizuna::pattern_internal
