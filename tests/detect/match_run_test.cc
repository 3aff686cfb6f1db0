// Kizuna.
#include "kizuna/detect/match_run.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>

#include "kizuna/base/strings.h"
#include "kizuna/detect/compiler.h"
#include "kizuna/detect/correlation_state.h"

namespace kizuna::detect {
namespace {

std::string Id(size_t n) {
  return StrCat("indicator--00000000-0000-4000-8000-", fmt::format("{:012}", n));
}

std::string Write(const std::string& name, const std::string& text) {
  const std::string path = StrCat(testing::TempDir(), "/", name);
  FILE* f = std::fopen(path.c_str(), "wb");
  std::fwrite(text.data(), 1, text.size(), f);
  std::fclose(f);
  return path;
}

const char kHeader[] =
    "#separator \\x09\n#set_separator\t,\n#empty_field\t(empty)\n#unset_field\t-\n#path\tdns\n";

// Zeek dns records with headers changing mid-file, malformed lines among them.
std::string ZeekLog(int n) {
  std::string out = kHeader;
  out += "#fields\tts\tuid\tid.orig_h\tid.resp_h\tquery\tanswers\n";
  out += "#types\ttime\tstring\taddr\taddr\tstring\tvector[string]\n";
  for (int i = 0; i < n; ++i) {
    const int64_t ts = 1700000000 + i;
    if (i % 97 == 13) StrAppend(out, ts, "\tonly three\tfields\n");
    if (i == n / 3) {
      // The same log with the fields in another order, and a #path of its own.
      out += "#path\tdns2\n#fields\tquery\tts\tanswers\tuid\tid.orig_h\tid.resp_h\n";
      out += "#types\tstring\ttime\tvector[string]\tstring\taddr\taddr\n";
    }
    if (i == 2 * n / 3) out += "#types\ttime\tstring\n";  // wrong count: data is malformed
    if (i == 2 * n / 3 + 40) {
      out += "#fields\tts\tuid\tid.orig_h\tid.resp_h\tquery\tanswers\n";
    }
    const std::string query = i % 10 == 0 ? "evil.example" : StrCat("host", i % 50, ".example");
    const std::string answers = i % 7 == 0 ? "203.0.113.9,a.example" : "192.0.2.1";
    if (i >= n / 3 && i < 2 * n / 3) {
      StrAppend(out, query, "\t", ts, ".5\t", answers, "\tC", i, "\t10.0.0.", i % 250,
                "\t10.0.0.53\n");
    } else {
      StrAppend(out, ts, ".5\tC", i, "\t10.0.0.", i % 250, "\t10.0.0.53\t", query, "\t", answers,
                "\n");
    }
  }
  return out;
}

// EVE dns events; "rep.example" every 5th, "and-a"/"and-b" now and then.
std::string EveLog(int n) {
  std::string out;
  for (int i = 0; i < n; ++i) {
    std::string name = StrCat("n", i % 300, ".example");
    if (i % 5 == 0) name = "rep.example";
    if (i % 61 == 0) name = "and-a.example";
    if (i % 89 == 0) name = "and-b.example";
    if (i % 401 == 0) name = "evil.example";
    StrAppend(out, R"({"timestamp":"2023-11-14T22:)",
              fmt::format("{:02}:{:02}", (i / 60) % 60, i % 60),
              R"(.000000+0000","event_type":"dns","src_ip":"10.1.0.)", i % 200,
              R"(","dest_ip":"10.0.0.53","dns":{"type":"query","rrname":")", name, R"("}})", "\n");
    if (i % 113 == 0) out += "{\"broken\n";
  }
  return out;
}

std::shared_ptr<const Snapshot> Indicators(bool followed_by = false) {
  CompileOptions options;
  options.now_us = 1;
  IndicatorCompiler c(options);
  c.AddPattern(Id(1), "[domain-name:value = 'evil.example']");
  c.AddPattern(Id(2), "[ipv4-addr:value ISSUBSET '203.0.113.0/24']");
  c.AddPattern(Id(3), "[domain-name:value MATCHES '^host4[0-9]\\\\.example$']");
  c.AddPattern(Id(4), "[domain-name:value = 'rep.example'] REPEATS 4 TIMES");
  c.AddPattern(Id(5),
               "([domain-name:value = 'and-a.example'] AND "
               "[domain-name:value = 'and-b.example']) WITHIN 300 SECONDS");
  if (followed_by) {
    c.AddPattern(Id(6),
                 "[domain-name:value = 'and-b.example'] FOLLOWEDBY "
                 "[domain-name:value = 'evil.example']");
    c.AddPattern(Id(7),
                 "([domain-name:value = 'rep.example'] REPEATS 3 TIMES AND "
                 "[domain-name:value = 'and-a.example']) WITHIN 120 SECONDS");
  }
  auto s = std::move(c).Finish();
  EXPECT_TRUE(s.ok());
  return *s;
}

struct Result {
  std::vector<std::string> alerts;  // sorted
  MatchSummary summary;
  std::vector<SightingAggregator::Entry> sightings;
};

// Matches `inputs` (paths), or with `texts` the files' contents in memory under their paths.
Result MatchAll(const std::vector<std::string>& inputs, int threads, size_t batch_records,
                const std::vector<std::string>* texts = nullptr) {
  LiveSnapshot live(Indicators());
  MatchOptions options;
  options.threads = threads;
  options.reader.batch_records = batch_records;
  Result r;
  std::string text;
  MatchRun run(live, options, [&](std::string_view lines) { text += lines; });
  if (texts != nullptr) {
    std::vector<TextInput> in;
    for (size_t i = 0; i < inputs.size(); ++i) in.push_back({inputs[i], (*texts)[i]});
    run.RunTexts(in);
  } else {
    run.Run(inputs);
  }
  for (size_t at = 0; at < text.size();) {
    const size_t nl = text.find('\n', at);
    r.alerts.push_back(text.substr(at, nl - at));
    at = nl + 1;
  }
  std::sort(r.alerts.begin(), r.alerts.end());
  r.summary = run.summary();
  std::sort(r.summary.problems.begin(), r.summary.problems.end());
  r.sightings = run.sightings().Entries();
  return r;
}

// Problems are listed with their reasons up to a number per block (record.h), so the lists
// compare only when the blocks are the same (`same_blocks`); the counts always do.
void ExpectSame(const Result& a, const Result& b, bool same_blocks) {
  EXPECT_EQ(a.alerts, b.alerts);
  EXPECT_EQ(a.summary.inputs, b.summary.inputs);
  EXPECT_EQ(a.summary.records, b.summary.records);
  EXPECT_EQ(a.summary.bytes, b.summary.bytes);
  EXPECT_EQ(a.summary.malformed, b.summary.malformed);
  EXPECT_EQ(a.summary.alerts, b.summary.alerts);
  EXPECT_EQ(a.summary.matches, b.summary.matches);
  EXPECT_EQ(a.summary.correlations, b.summary.correlations);
  EXPECT_EQ(a.summary.indicators_hit, b.summary.indicators_hit);
  EXPECT_EQ(a.summary.input_errors, b.summary.input_errors);
  EXPECT_EQ(a.summary.evaluator_errors, b.summary.evaluator_errors);
  if (same_blocks) {
    EXPECT_EQ(a.summary.problems, b.summary.problems);
  }
  ASSERT_EQ(a.sightings.size(), b.sightings.size());
  for (size_t i = 0; i < a.sightings.size(); ++i) {
    EXPECT_EQ(a.sightings[i].indicator, b.sightings[i].indicator);
    EXPECT_EQ(a.sightings[i].window_start_us, b.sightings[i].window_start_us);
    EXPECT_EQ(a.sightings[i].first_us, b.sightings[i].first_us);
    EXPECT_EQ(a.sightings[i].last_us, b.sightings[i].last_us);
    EXPECT_EQ(a.sightings[i].count, b.sightings[i].count);
  }
}

TEST(MatchRunTest, OneZeekFileOnTwoThreadsGivesWhatOneThreadGives) {
  const std::string zeek = Write("dns.log", ZeekLog(3000));
  const Result one = MatchAll({zeek}, 1, 512);
  EXPECT_EQ(one.summary.records, 3000u - 40);  // 40 lines after the bad #types
  EXPECT_GT(one.summary.malformed, 40u);
  EXPECT_GT(one.summary.alerts, 300u);
  EXPECT_NE(std::find_if(one.summary.problems.begin(), one.summary.problems.end(),
                         [](const std::string& p) { return p.find("#types names 2") != p.npos; }),
            one.summary.problems.end());
  // Blocks of 7 lines cut headers, malformed lines and records into many small pieces.
  for (size_t batch : {7, 512}) {
    SCOPED_TRACE(batch);
    ExpectSame(one, MatchAll({zeek}, 2, batch), batch == 512);
  }
}

TEST(MatchRunTest, CorrelationsDoNotDependOnThreads) {
  const std::string eve = Write("eve.json", EveLog(3600));
  const Result one = MatchAll({eve}, 1, 512);
  // 699 rep.example events make 174 sets of four; and-a/and-b meet 40 times within 300 s.
  EXPECT_EQ(one.summary.correlations, 174u + 40u);
  for (size_t batch : {5, 64, 512}) {
    SCOPED_TRACE(batch);
    ExpectSame(one, MatchAll({eve}, 2, batch), batch == 512);
  }
}

// Issue 18, item 7: a record without a usable event time (unset, masked, unparseable or
// absent) that matches gets its alert but no sighting and no correlation, never the time of
// matching; it is counted as malformed and listed with why.
TEST(MatchRunTest, RecordsWithoutAnEventTimeMakeNoSighting) {
  std::string zeek = kHeader;
  zeek += "#fields\tts\tuid\tid.orig_h\tid.resp_h\tquery\tanswers\n";
  zeek += "1700000000.5\tC1\t10.0.0.1\t10.0.0.53\tevil.example\t192.0.2.1\n";
  zeek += "-\tC2\t10.0.0.2\t10.0.0.53\tevil.example\t192.0.2.1\n";
  zeek += "XXXXXXXXXX.XXXXXX\tC3\t10.0.0.3\t10.0.0.53\tevil.example\t192.0.2.1\n";
  zeek += "-\tC4\t10.0.0.4\t10.0.0.53\tquiet.example\t192.0.2.1\n";  // no match: not counted
  zeek += "yesterday\tC5\t10.0.0.5\t10.0.0.53\tand-a.example\t192.0.2.1\n";
  zeek += "1700000001\tC6\t10.0.0.6\t10.0.0.53\tand-b.example\t192.0.2.1\n";
  const std::string eve =
      R"({"event_type":"dns","src_ip":"10.1.0.1","dns":{"type":"query","rrname":"evil.example"}})"
      "\n"
      R"({"timestamp":"2023-11-14T22:00:00.000000+0000","event_type":"dns","src_ip":"10.1.0.2",)"
      R"("dns":{"type":"query","rrname":"evil.example"}})"
      "\n";
  const Result r =
      MatchAll({Write("untimed.log", zeek), Write("untimed.json", eve)}, 1, 512);
  EXPECT_EQ(r.summary.records, 8u);
  EXPECT_EQ(r.summary.alerts, 5u);  // every evil.example record, timed or not
  EXPECT_EQ(r.summary.correlations, 0u);  // and-a has no time, so the pair never forms
  EXPECT_EQ(r.summary.malformed, 4u);  // C2, C3, C5 (a correlation candidate), the EVE line 1
  const std::string log = StrCat(testing::TempDir(), "/untimed.log:");
  const std::vector<std::string> problems = {  // sorted
      StrCat(testing::TempDir(), "/untimed.json:1: no event time: no sighting made"),
      StrCat(log, "11: event time \"yesterday\" is not a time: no sighting made"),
      StrCat(log, "8: event time \"-\" is not a time: no sighting made"),
      StrCat(log, "9: event time \"XXXXXXXXXX.XXXXXX\" is not a time: no sighting made"),
  };
  EXPECT_EQ(r.summary.problems, problems);
  // One sighting of evil.example (22:00-23:00), from the two records with a time, at their
  // times; the untimed ones add nothing to it.
  ASSERT_EQ(r.sightings.size(), 1u);
  EXPECT_EQ(r.sightings[0].count, 2);
  EXPECT_EQ(r.sightings[0].first_us, 1699999200000000);  // 2023-11-14T22:00:00Z, EVE
  EXPECT_EQ(r.sightings[0].last_us, 1700000000500000);   // 22:13:20.5, Zeek
}

TEST(MatchRunTest, SeveralInputsOnTwoThreads) {
  const std::string zeek = Write("dns-a.log", ZeekLog(1000));
  const std::string eve = Write("eve-a.json", EveLog(1000));
  const std::string missing = StrCat(testing::TempDir(), "/absent.log");
  const Result one = MatchAll({zeek, eve, missing}, 1, 512);
  EXPECT_EQ(one.summary.input_errors, 1u);
  ExpectSame(one, MatchAll({zeek, eve, missing}, 2, 9), false);
  ExpectSame(one, MatchAll({zeek, eve, missing}, 3, 512), true);
}

// Batches from a message bus are matched in memory: the same alerts, sightings, counts and
// problems as the same text read from a file of that name.
TEST(MatchRunTest, TextsInMemoryGiveWhatTheirFilesGive) {
  const std::vector<std::string> texts = {ZeekLog(2000), EveLog(2000),
                                          EveLog(10) + R"({"event_type":"dns")"};
  const std::vector<std::string> paths = {Write("mem-dns.log", texts[0]),
                                          Write("mem-eve.json", texts[1]),
                                          Write("mem-cut.json", texts[2])};
  const Result files = MatchAll(paths, 1, 512);
  EXPECT_GT(files.summary.correlations, 0u);
  EXPECT_GT(files.summary.malformed, 0u);
  for (int threads : {1, 2}) {
    SCOPED_TRACE(threads);
    ExpectSame(files, MatchAll(paths, threads, 512, &texts), true);
  }
}

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> out;
  for (size_t at = 0; at < text.size();) {
    const size_t nl = text.find('\n', at);
    out.push_back(text.substr(at, nl - at));
    at = nl + 1;
  }
  return out;
}

// `kizuna match --resume` as k runs over a growing file: each run reads on from where the one
// before stopped, with the pending events it left (through their JSON, as the resume file
// holds them), and adds its sightings to those counted before.
Result MatchInPolls(const std::string& path, const std::string& text, size_t polls,
                    size_t batch_records) {
  const std::shared_ptr<const Snapshot> snapshot = Indicators(true);
  const std::vector<std::string> lines = Lines(text);
  absl::flat_hash_map<std::string, uint64_t> resume_lines;
  absl::flat_hash_map<std::string, std::vector<PendingEvents>> resume_pending;
  SightingAggregator sightings(kDefaultSightingWindowUs);
  Result r;
  std::string written;
  for (size_t poll = 1; poll <= polls; ++poll) {
    // Whole lines up to this poll's share of the file.
    for (size_t i = lines.size() * (poll - 1) / polls; i < lines.size() * poll / polls; ++i) {
      written += lines[i] + "\n";
    }
    Write(path.substr(path.rfind('/') + 1), written);
    LiveSnapshot live(snapshot);
    MatchOptions options;
    options.threads = 2;
    options.reader.batch_records = batch_records;
    options.resume_lines = &resume_lines;
    options.resume_pending = &resume_pending;
    std::string alerts;
    MatchRun run(live, options, [&](std::string_view out) { alerts += out; });
    run.Run({path});
    for (std::string& a : Lines(alerts)) r.alerts.push_back(std::move(a));
    r.summary.records += run.summary().records;
    r.summary.correlations += run.summary().correlations;
    for (const SightingAggregator::Entry& e : run.sightings().Entries()) sightings.AddEntry(e);
    resume_lines[path] = run.progress().at(path).lines;
    resume_pending.clear();
    auto pending = run.pending().find(path);
    if (pending == run.pending().end()) continue;
    const std::string json = boost::json::serialize(PendingToJson(pending->second));
    absl::StatusOr<std::vector<PendingEvents>> read =
        PendingFromJson(boost::json::parse(json), "resume");
    EXPECT_TRUE(read.ok()) << read.status();
    if (read.ok()) resume_pending[path] = std::move(*read);
  }
  std::sort(r.alerts.begin(), r.alerts.end());
  r.sightings = sightings.Entries();
  return r;
}

// Issue 23: patterns needing several observations (AND within a WITHIN, FOLLOWEDBY, REPEATS)
// whose events fall in different runs of a periodic match give exactly the alerts and
// sightings of one run over the whole file.
TEST(MatchRunTest, ResumedRunsCorrelateAsOneRunOverTheWholeFile) {
  const std::string text = EveLog(3600);
  const std::string path = Write("polled-eve.json", text);
  LiveSnapshot live(Indicators(true));
  MatchOptions options;
  std::string alerts;
  MatchRun whole(live, options, [&](std::string_view out) { alerts += out; });
  whole.Run({path});
  std::vector<std::string> expected = Lines(alerts);
  std::sort(expected.begin(), expected.end());
  const std::vector<SightingAggregator::Entry> sightings = whole.sightings().Entries();
  EXPECT_GT(whole.summary().correlations, 174u + 40u);
  for (size_t polls : {2, 3, 7, 50}) {
    SCOPED_TRACE(polls);
    const Result r = MatchInPolls(path, text, polls, polls == 7 ? 5 : 512);
    EXPECT_EQ(r.summary.records, whole.summary().records);
    EXPECT_EQ(r.summary.correlations, whole.summary().correlations);
    EXPECT_EQ(r.alerts, expected);
    ASSERT_EQ(r.sightings.size(), sightings.size());
    for (size_t i = 0; i < sightings.size(); ++i) {
      EXPECT_EQ(r.sightings[i].indicator, sightings[i].indicator);
      EXPECT_EQ(r.sightings[i].window_start_us, sightings[i].window_start_us);
      EXPECT_EQ(r.sightings[i].first_us, sightings[i].first_us);
      EXPECT_EQ(r.sightings[i].last_us, sightings[i].last_us);
      EXPECT_EQ(r.sightings[i].count, sightings[i].count);
    }
  }
}

// The pending events read back from their JSON are the events written: an observation with
// every kind of value, and an event two patterns share, written once.
TEST(MatchRunTest, PendingEventsReadBackAsWritten) {
  auto e = std::make_shared<CorrelationEvent>();
  pattern::Observation& o = e->observation;
  o.SetId("observed-data--1");
  o.SetTimes({1700000000, 500000000, 6}, {1700000001, 0, 0});
  o.SetCount(3);
  pattern::Observation::NodeId nt = o.AddSco("network-traffic", "network-traffic--0");
  o.AddInt(nt, "dst_port", 53);
  o.AddFloat(nt, "ratio", 0.1);
  o.AddBool(nt, "is_active", true);
  o.AddNull(nt, "nothing");
  o.AddString(nt, "payload_hex", "00ff");  // binary
  pattern::Observation::NodeId list = o.AddList(nt, "protocols");
  o.AddString(list, "", "udp");
  o.AddObject(o.AddObject(nt, "extensions"), "x-kizuna");
  e->time_us = 1700000000500000;
  e->line = 12;
  e->log_type = "dns";
  e->raw = "{\"a\":1}";
  e->json = true;
  std::vector<PendingEvents> pending = {{{1}, "[a:b = 1] AND [c:d = 2]", 7, {e}},
                                        {{2}, "[a:b = 1] REPEATS 2 TIMES", 8, {e}}};
  boost::json::object json = PendingToJson(pending);
  EXPECT_EQ(json.at("events").as_array().size(), 1u);
  absl::StatusOr<std::vector<PendingEvents>> read =
      PendingFromJson(boost::json::parse(boost::json::serialize(json)), "f");
  ASSERT_TRUE(read.ok()) << read.status();
  ASSERT_EQ(read->size(), 2u);
  ASSERT_EQ((*read)[1].events.size(), 1u);
  EXPECT_EQ((*read)[0].events[0], (*read)[1].events[0]) << "one event, read once";
  EXPECT_EQ((*read)[0].pattern, pending[0].pattern);
  EXPECT_EQ((*read)[1].newest_us, 8);
  const CorrelationEvent& back = *(*read)[0].events[0];
  EXPECT_EQ(back.time_us, e->time_us);
  EXPECT_EQ(back.raw, e->raw);
  EXPECT_TRUE(back.json);
  // Written again, it gives the same JSON: every node, kind and time came back.
  EXPECT_EQ(boost::json::serialize(PendingToJson(*read)), boost::json::serialize(json));
  EXPECT_EQ(back.observation.kind(
                back.observation.FindMember(back.observation.sco_root(0), "payload_hex")),
            pattern::ValueKind::kBinary);
}

TEST(MatchRunTest, BadPendingEventsAreRefusedNamingWhere) {
  const auto error = [](std::string_view json) {
    absl::StatusOr<std::vector<PendingEvents>> r = PendingFromJson(boost::json::parse(json), "f");
    return r.ok() ? std::string("ok") : std::string(r.status().message());
  };
  EXPECT_EQ(error(R"({"patterns":[]})"), "f.events: missing");
  EXPECT_EQ(
      error(
          R"({"events":[],"patterns":[{"indicator":"indicator--00000000-0000-4000-8000-000000000001",)"
          R"("pattern":"[a:b = 1]","newest_us":1,"events":[0]}]})"),
      "f.patterns[0].events[0]: names no event");
  EXPECT_EQ(
      error(
          R"({"events":[],"patterns":[{"indicator":"x","pattern":"p","newest_us":1,"events":[]}]})"),
      "f.patterns[0].indicator: not an indicator id");
  const std::string event = R"({"time_us":1,"line":2,"log_type":"dns","raw":"r","json":false,)"
                            R"("observation":{"id":"o","first":[1,0,0],"last":[1,0,0],"count":1,)"
                            R"("scos":[{"type":"domain-name","key":"k","members":[)";
  EXPECT_EQ(
      error(StrCat(R"({"events":[)", event, R"(["s","value","a.example"]]}]}}],"patterns":[]})")),
      "ok");
  EXPECT_EQ(error(StrCat(R"({"events":[)", event, R"(["q","value",1]]}]}}],"patterns":[]})")),
            "f.events[0].observation.scos[0].members[0]: unknown kind 'q'");
  EXPECT_EQ(error(StrCat(R"({"events":[)", event, R"(["i","port","x"]]}]}}],"patterns":[]})")),
            "f.events[0].observation.scos[0].members[0]: not an integer");
  EXPECT_EQ(error(R"({"events":[{"time_us":1}],"patterns":[]})"), "f.events[0].line: missing");
  const std::string one = StrCat(event, R"(["s","value","a.example"]]}]}})");
  const std::string pattern =
      R"({"indicator":"indicator--00000000-0000-4000-8000-000000000001","pattern":"p","newest_us":1,)";
  EXPECT_EQ(
      error(StrCat(R"({"events":[)", one, R"(],"patterns":[)", pattern, R"("events":[0,0]}]})")),
      "f.patterns[0].events[1]: names an event twice");
  // A JSON event's raw text goes into alert records as it is: one value on one line only.
  std::string forged = one;
  forged.replace(forged.find(R"("raw":"r","json":false)"), 22,
                 R"("raw":"null}]}\n{\"input\":\"FORGED\"}","json":true)");
  EXPECT_EQ(error(StrCat(R"({"events":[)", forged, R"(],"patterns":[]})")),
            "f.events[0].raw: not one JSON value on one line");
}

}  // namespace
}  // namespace kizuna::detect
