// Kizuna.
#include "kizuna/detect/readers/zeek_tsv.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "kizuna/base/file.h"
#include "kizuna/base/strings.h"
#include "readers/read_all.h"

namespace kizuna::detect {
namespace {

const std::string kData = KIZUNA_TEST_DATA "/detect";

constexpr std::string_view kHeader =
    "#separator \\x09\n#set_separator\t,\n#empty_field\t(empty)\n#unset_field\t-\n#path\tdns\n"
    "#fields\tts\tid.orig_h\tid.resp_h\tid.resp_p\tquery\tanswers\n"
    "#types\ttime\taddr\taddr\tport\tstring\tvector[string]\n";

TEST(ZeekTsvTest, ReadsTheRealDnsSlice) {
  ReadResult r = ReadAll(kData + "/dns.log", TelemetryFormat::kAuto);
  ASSERT_EQ(r.records.size(), 24u);
  EXPECT_EQ(r.malformed, 0u);
  EXPECT_TRUE(r.error.empty());
  const ReadRecord& first = r.records[0];
  EXPECT_EQ(first.log_type, "dns");
  EXPECT_EQ(first.line, 9u);
  EXPECT_EQ(first.time_us, 1521911720865716);
  EXPECT_EQ(first.Of(Role::kSrcIp), std::vector<std::string>{"10.47.1.100"});
  EXPECT_EQ(first.Of(Role::kDstIp), std::vector<std::string>{"10.0.0.100"});
  EXPECT_EQ(first.Of(Role::kDstPort), std::vector<std::string>{"53"});
  EXPECT_EQ(first.Of(Role::kDomain), std::vector<std::string>{"ise.wrccdc.org"});
  EXPECT_EQ(first.Of(Role::kHost), (std::vector<std::string>{"ise.wrccdc.cpp.edu", "134.71.3.16"}));
  EXPECT_EQ(first.fields[0], "id.orig_h");
  // An unset answers field gives no value.
  EXPECT_TRUE(r.records[1].Of(Role::kHost).empty());
}

TEST(ZeekTsvTest, UnsetEmptyEscapesAndSets) {
  const std::string path = Temp("escapes.log", StrCat(kHeader,
      "1.5\t10.0.0.1\t-\t53\twww\\x2eexample.org\t(empty)\n",
      "2\t10.0.0.2\t10.0.0.3\t53\ta.example\tb.example,,10.1.1.1\n"));
  ReadResult r = ReadAll(path, TelemetryFormat::kZeek);
  ASSERT_EQ(r.records.size(), 2u);
  EXPECT_EQ(r.records[0].time_us, 1500000);
  EXPECT_TRUE(r.records[0].Of(Role::kDstIp).empty());
  EXPECT_EQ(r.records[0].Of(Role::kDomain), std::vector<std::string>{"www.example.org"});
  EXPECT_TRUE(r.records[0].Of(Role::kHost).empty());
  EXPECT_EQ(r.records[1].Of(Role::kHost), (std::vector<std::string>{"b.example", "10.1.1.1"}));
}

// Other #unset_field and #empty_field markers: values equal to them give nothing, values of
// the same length or first byte that differ are values.
TEST(ZeekTsvTest, OtherUnsetAndEmptyMarkers) {
  const std::string path = Temp(
      "markers.log",
      StrCat("#separator "
             "\\x09\n#set_separator\t,\n#empty_field\t(none)\n#unset_field\tNA\n#path\tdns\n"
             "#fields\tts\tid.orig_h\tid.resp_h\tid.resp_p\tquery\tanswers\n"
             "#types\ttime\taddr\taddr\tport\tstring\tvector[string]\n",
             "1\t10.0.0.1\tNA\t53\t(none)\tNA\n", "2\t10.0.0.2\t-\t53\t(nonf)\t(none),NB,Na,-\n"));
  ReadResult r = ReadAll(path, TelemetryFormat::kZeek);
  ASSERT_EQ(r.records.size(), 2u);
  EXPECT_TRUE(r.records[0].Of(Role::kDstIp).empty());
  EXPECT_TRUE(r.records[0].Of(Role::kDomain).empty());
  EXPECT_TRUE(r.records[0].Of(Role::kHost).empty());
  EXPECT_EQ(r.records[1].Of(Role::kDstIp), std::vector<std::string>{"-"});
  EXPECT_EQ(r.records[1].Of(Role::kDomain), std::vector<std::string>{"(nonf)"});
  // In a set, an element equal to a marker gives nothing; the others are values.
  EXPECT_EQ(r.records[1].Of(Role::kHost), (std::vector<std::string>{"NB", "Na", "-"}));
}

// A ts that is no time (unset, masked) is kept as text, for the problem reported when the
// record matches (match_run.h).
TEST(ZeekTsvTest, TimesThatAreNoTimeAreKeptAsText) {
  const std::string path = Temp("times.log", StrCat(kHeader,
      "1.5\t10.0.0.1\t-\t53\ta.example\t-\n",
      "-\t10.0.0.1\t-\t53\ta.example\t-\n",
      "XXXXXXXXXX.XXXXXX\t10.0.0.1\t-\t53\ta.example\t-\n"));
  ReadResult r = ReadAll(path, TelemetryFormat::kZeek);
  ASSERT_EQ(r.records.size(), 3u);
  EXPECT_TRUE(r.records[0].has_time);
  EXPECT_EQ(r.records[0].bad_time, "");
  EXPECT_FALSE(r.records[1].has_time);
  EXPECT_EQ(r.records[1].bad_time, "-");
  EXPECT_FALSE(r.records[2].has_time);
  EXPECT_EQ(r.records[2].bad_time, "XXXXXXXXXX.XXXXXX");
  EXPECT_EQ(r.malformed, 0u);  // the reader keeps them; MatchRun decides
}

TEST(ZeekTsvTest, WrongFieldCountsAreReportedWithTheirLine) {
  const std::string path = Temp("wrong.log", StrCat(
      "#separator \\x09\n1\tdata before header\n", kHeader,
      "1\t10.0.0.1\t10.0.0.2\t53\ta.example\n",                // 5 of 6 fields
      "1\t10.0.0.1\t10.0.0.2\t53\ta.example\t-\textra\n",     // 7
      "1\t10.0.0.1\t10.0.0.2\t53\ta.example\t-", std::string(40, '\t'), "\n",  // 46
      "1\t10.0.0.1\t10.0.0.2\t53\tgood.example\t-\n",
      "#fields\ta\tb\n#types\tstring\n",                      // #types disagrees
      "x\ty\n"));
  ReadResult r = ReadAll(path, TelemetryFormat::kAuto);
  ASSERT_EQ(r.records.size(), 1u);
  EXPECT_EQ(r.records[0].line, 13u);
  EXPECT_EQ(r.records[0].Of(Role::kDomain), std::vector<std::string>{"good.example"});
  EXPECT_EQ(r.malformed, 6u);
  ASSERT_EQ(r.kept.size(), 6u);
  EXPECT_EQ(r.kept[0].line, 2u);
  EXPECT_EQ(r.kept[0].reason, "data before a #fields header");
  EXPECT_EQ(r.kept[1].line, 10u);
  EXPECT_EQ(r.kept[1].reason, "5 fields where #fields names 6");
  EXPECT_EQ(r.kept[2].line, 11u);
  EXPECT_EQ(r.kept[2].reason, "7 fields where #fields names 6");
  EXPECT_EQ(r.kept[3].line, 12u);
  EXPECT_EQ(r.kept[3].reason, "46 fields where #fields names 6");
  EXPECT_EQ(r.kept[4].line, 15u);
  EXPECT_EQ(r.kept[4].reason, "#types names 1 fields, #fields 2");
  EXPECT_EQ(r.kept[5].line, 16u);
}

// The separator scan (16 bytes at a time, the first four offsets of a block written
// unconditionally) against a plain split: random widths, empty fields, runs of separators,
// escapes, and lines one field short or long.
TEST(ZeekTsvTest, FieldsOfRandomLinesEqualAPlainSplit) {
  constexpr size_t kFields = 30;
  std::string text = "#separator \\x09\n#set_separator\t,\n#empty_field\t(empty)\n"
                     "#unset_field\t-\n#path\tdns\n#fields\tts";
  for (size_t i = 1; i < kFields; ++i) text += i == 7 ? "\tquery" : i == 20 ? "\tid.resp_h" : StrCat("\tx", i);
  text += "\n";
  uint64_t seed = 7;
  auto next = [&seed](size_t n) {
    seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
    return static_cast<size_t>((seed >> 33) % n);
  };
  struct Want {
    bool malformed;
    std::string query, resp;
  };
  std::vector<Want> wants;
  for (int line = 0; line < 2000; ++line) {
    const size_t fields = kFields - 1 + next(3);  // 29, 30 or 31
    std::vector<std::string> parts;
    for (size_t i = 0; i < fields; ++i) {
      std::string f;
      const size_t width = next(4) == 0 ? 0 : next(24);
      for (size_t k = 0; k < width; ++k) f += static_cast<char>('a' + next(26));
      if (next(50) == 0) f += "\\x41";  // an escape: "A"
      parts.push_back(f);
    }
    parts[0] = "1";
    std::string joined = parts[0];
    for (size_t i = 1; i < fields; ++i) joined += "\t" + parts[i];
    text += joined + "\n";
    const auto unescape = [](std::string s) {
      for (size_t at; (at = s.find("\\x41")) != std::string::npos;) s.replace(at, 4, "A");
      return s;
    };
    wants.push_back({fields != kFields, unescape(parts[7]), unescape(parts[20])});
  }
  const std::string path = Temp("random.log", text);
  ReadResult r = ReadAll(path, TelemetryFormat::kZeek);
  size_t record = 0, malformed = 0;
  for (const Want& w : wants) {
    if (w.malformed) {
      ++malformed;
      continue;
    }
    ASSERT_LT(record, r.records.size());
    const ReadRecord& got = r.records[record++];
    EXPECT_EQ(got.Of(Role::kDomain),
              w.query.empty() ? std::vector<std::string>{} : std::vector<std::string>{w.query});
    EXPECT_EQ(got.Of(Role::kDstIp),
              w.resp.empty() ? std::vector<std::string>{} : std::vector<std::string>{w.resp});
  }
  EXPECT_EQ(record, r.records.size());
  EXPECT_EQ(r.malformed, malformed);
}

// Fields after the last one read (here: ts and query lead, 28 unread follow) are only
// counted: lines one field short or long are still malformed, whatever the width of the
// unread fields (separators in 16-byte blocks and in the bytes after the last block), and
// the fields read keep `-`, `(empty)` and escapes as before.
TEST(ZeekTsvTest, FieldsAfterTheLastOneReadAreCounted) {
  constexpr size_t kFields = 30;
  std::string text =
      "#separator \\x09\n#set_separator\t,\n#empty_field\t(empty)\n"
      "#unset_field\t-\n#path\tdns\n#fields\tts\tquery";
  for (size_t i = 2; i < kFields; ++i) StrAppend(text, "\tx", i);
  text += "\n";
  uint64_t seed = 11;
  auto next = [&seed](size_t n) {
    seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
    return static_cast<size_t>((seed >> 33) % n);
  };
  const std::string queries[] = {"-", "(empty)", "", "a\\x2eexample", "b.example"};
  const std::string wanted[] = {"", "", "", "a.example", "b.example"};
  std::vector<std::pair<bool, std::string>> wants;  // malformed, query
  for (int line = 0; line < 3000; ++line) {
    const size_t fields = kFields - 1 + next(3);  // 29, 30 or 31
    const size_t q = next(5);
    std::string joined = StrCat(1 + line, "\t", queries[q]);
    for (size_t i = 2; i < fields; ++i) {
      joined += "\t";
      const size_t width = next(4) == 0 ? 0 : next(40);
      for (size_t k = 0; k < width; ++k)
        joined += static_cast<char>(next(3) == 0 ? '\\' : 'a' + next(26));
    }
    text += joined + "\n";
    wants.emplace_back(fields != kFields, wanted[q]);
  }
  ReadResult r = ReadAll(Temp("tail.log", text), TelemetryFormat::kZeek);
  size_t record = 0, malformed = 0;
  for (const auto& [bad, query] : wants) {
    if (bad) {
      ++malformed;
      continue;
    }
    ASSERT_LT(record, r.records.size());
    const ReadRecord& got = r.records[record++];
    EXPECT_TRUE(got.has_time);
    EXPECT_EQ(got.Of(Role::kDomain),
              query.empty() ? std::vector<std::string>{} : std::vector<std::string>{query});
  }
  EXPECT_EQ(record, r.records.size());
  EXPECT_EQ(r.malformed, malformed);
  EXPECT_GT(malformed, 500u);
  EXPECT_GT(record, 500u);
}

TEST(ZeekTsvTest, RealGzipLogsWhenPresent) {
  const std::string path = KIZUNA_SHARED_DATA "/zeek/tsv/ssl.log.gz";
  if (!std::filesystem::exists(path)) GTEST_SKIP() << path << " is absent";
  ReadResult r = ReadAll(path, TelemetryFormat::kAuto);
  EXPECT_EQ(r.records.size(), 49474u);
  EXPECT_EQ(r.malformed, 0u);
  EXPECT_TRUE(r.error.empty());
  size_t names = 0;
  for (const ReadRecord& rec : r.records) names += rec.Of(Role::kDomain).size();
  EXPECT_GT(names, 1000u);
}

}  // namespace
}  // namespace kizuna::detect
