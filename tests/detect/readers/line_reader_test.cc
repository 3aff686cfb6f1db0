// Kizuna. Bad input: every kind is reported and skipped, and reading goes on.
#include "kizuna/detect/readers/line_reader.h"

#include <gtest/gtest.h>
#include <unistd.h>
#include <zlib.h>

#include <atomic>
#include <cstdio>

#include "kizuna/base/file.h"
#include "kizuna/base/strings.h"
#include "readers/read_all.h"

namespace kizuna::detect {
namespace {

std::string Gzip(std::string_view text) {
  z_stream z{};
  EXPECT_EQ(deflateInit2(&z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY), Z_OK);
  std::string out(deflateBound(&z, text.size()) + 64, '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(text.data()));
  z.avail_in = static_cast<uInt>(text.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  EXPECT_EQ(deflate(&z, Z_FINISH), Z_STREAM_END);
  out.resize(z.total_out);
  deflateEnd(&z);
  return out;
}

std::string EveLines(int n) {
  std::string text;
  for (int i = 0; i < n; ++i) {
    text += StrCat(R"({"event_type":"dns","timestamp":"2024-01-01T00:00:00Z","dns":{"rrname":"h)",
                   i, R"(.example"}})", "\n");
  }
  return text;
}

TEST(BadInputTest, GzipIsReadTransparently) {
  ReadResult r = ReadAll(Temp("ok.json.gz", Gzip(EveLines(1000))), TelemetryFormat::kAuto);
  EXPECT_EQ(r.records.size(), 1000u);
  EXPECT_TRUE(r.error.empty());
}

TEST(BadInputTest, TruncatedGzipKeepsWhatWasReadAndSaysWhy) {
  std::string gz = Gzip(EveLines(20000));
  gz.resize(gz.size() / 2);
  ReadResult r = ReadAll(Temp("cut.json.gz", gz), TelemetryFormat::kAuto);
  EXPECT_GT(r.records.size(), 1000u);
  EXPECT_LT(r.records.size(), 20000u);
  EXPECT_FALSE(r.error.empty());
}

TEST(BadInputTest, BinaryGarbageIsMalformedNotFatal) {
  std::string garbage;
  uint32_t x = 12345;
  for (int i = 0; i < 100000; ++i) {
    x = x * 1103515245 + 12345;
    garbage.push_back(static_cast<char>(x >> 16));
  }
  ReadResult r = ReadAll(Temp("garbage.bin", garbage + "\n" + EveLines(3)), TelemetryFormat::kAuto);
  EXPECT_EQ(r.records.size(), 3u);
  EXPECT_GT(r.malformed, 0u);
  r = ReadAll(Temp("garbage.log", "#fields\ta\n" + garbage), TelemetryFormat::kAuto);
  EXPECT_GT(r.malformed, 0u);
}

TEST(BadInputTest, OneMegabyteLinesAreSkipped) {
  const std::string big = StrCat(R"({"event_type":"dns","dns":{"rrname":")",
                                 std::string(1 << 20, 'a'), R"("}})", "\n");
  ReadResult r = ReadAll(Temp("big.json", EveLines(2) + big + EveLines(2) + big),
                         TelemetryFormat::kAuto);
  EXPECT_EQ(r.records.size(), 4u);
  EXPECT_EQ(r.malformed, 2u);
  ASSERT_EQ(r.kept.size(), 2u);
  EXPECT_EQ(r.kept[0].line, 3u);
  EXPECT_EQ(r.kept[0].reason, StrCat("line longer than ", kDefaultMaxLineBytes, " bytes"));
  EXPECT_EQ(r.kept[1].line, 6u);
  EXPECT_EQ(r.records[2].line, 4u);
}

TEST(BadInputTest, InvalidUtf8IsMalformedInJsonAndKeptAsBytesInTsv) {
  ReadResult r = ReadAll(
      Temp("utf8.json", "{\"event_type\":\"dns\",\"dns\":{\"rrname\":\"a\xff\xfe.example\"}}\n" +
                            EveLines(1)),
      TelemetryFormat::kAuto);
  EXPECT_EQ(r.records.size(), 1u);
  EXPECT_EQ(r.malformed, 1u);
  r = ReadAll(Temp("utf8.log", "#path\tdns\n#fields\tts\tquery\n1\ta\xff.example\n"), TelemetryFormat::kZeek);
  ASSERT_EQ(r.records.size(), 1u);
  EXPECT_EQ(r.records[0].Of(Role::kDomain), std::vector<std::string>{"a\xff.example"});
}

// A batch received from a message bus: read in memory as a file of its name would be.
TEST(BadInputTest, TextInMemoryIsReadAsItsFileWouldBe) {
  const std::string text = EveLines(3000) + "{\"broken\n" + EveLines(1);
  const ReadResult file = ReadAll(Temp("mem.json", text), TelemetryFormat::kAuto);
  // Plain, gzip, and two gzip members (5 more records).
  const std::pair<std::string, size_t> inputs[] = {
      {text, 0}, {Gzip(text), 0}, {Gzip(EveLines(5)) + Gzip(text), 5}};
  for (const auto& [in, more] : inputs) {
    std::unique_ptr<TelemetryReader> reader =
        OpenTelemetryText("eve.json", in, TelemetryFormat::kAuto, {});
    RecordBatch batch;
    size_t records = 0;
    uint64_t malformed = 0;
    while (reader->Next(batch)) {
      records += batch.records.size();
      malformed += batch.malformed;
    }
    EXPECT_EQ(records, file.records.size() + more);
    EXPECT_EQ(malformed, file.malformed);
    EXPECT_TRUE(reader->error().empty()) << reader->error();
  }
  // Cut gzip: what was inflated counts, and the reader says why it ended.
  const std::string gz = Gzip(EveLines(20000));
  std::unique_ptr<TelemetryReader> cut = OpenTelemetryText(
      "cut.json", std::string_view(gz).substr(0, gz.size() / 2), TelemetryFormat::kAuto, {});
  RecordBatch batch;
  size_t records = 0;
  while (cut->Next(batch)) records += batch.records.size();
  EXPECT_GT(records, 1000u);
  EXPECT_LT(records, 20000u);
  EXPECT_EQ(cut->error(), "unexpected end of file");
}

TEST(BadInputTest, MissingFileIsNotFound) {
  absl::StatusOr<std::unique_ptr<TelemetryReader>> reader =
      OpenTelemetry("/nonexistent/x.log", TelemetryFormat::kAuto, {});
  ASSERT_FALSE(reader.ok());
  EXPECT_EQ(reader.status().code(), absl::StatusCode::kNotFound);
  EXPECT_NE(reader.status().message().find("/nonexistent/x.log"), absl::string_view::npos);
}

TEST(BadInputTest, LastLineWithoutNewlineAndCrlf) {
  ReadResult r = ReadAll(Temp("crlf.json", R"({"event_type":"dns","dns":{"rrname":"a.example"}})"
                                           "\r\n"
                                           R"({"event_type":"dns","dns":{"rrname":"b.example"}})"),
                         TelemetryFormat::kAuto);
  ASSERT_EQ(r.records.size(), 2u);
  EXPECT_EQ(r.records[1].Of(Role::kDomain), std::vector<std::string>{"b.example"});
}

}  // namespace
}  // namespace kizuna::detect

namespace kizuna::detect {
namespace {

// Returns the lines of the next Refill, or "(end)" when it returns false.
std::string NextLines(LineReader& in) {
  if (!in.Refill()) return "(end)";
  std::string out;
  LineReader::Line line;
  while (in.NextLine(line)) StrAppend(out, line.text, ";");
  return out;
}

void Append(const std::string& path, std::string_view text) {
  FILE* f = std::fopen(path.c_str(), "a");
  ASSERT_NE(f, nullptr);
  std::fwrite(text.data(), 1, text.size(), f);
  std::fclose(f);
}

// Issue 19, item 9: a pipe that stays open gives its lines at once (zlib's reader waited to
// fill a 1 MiB block, so a live stream showed nothing).
TEST(LineReaderTest, HandsOnWhatAPipeHasSoFar) {
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  ASSERT_EQ(write(fds[1], "a\nb", 3), 3);
  LineReader in;
  ASSERT_TRUE(in.Open(StrCat("/dev/fd/", fds[0])).ok());
  EXPECT_EQ(NextLines(in), "a;");
  ASSERT_EQ(write(fds[1], "\n", 1), 1);
  EXPECT_EQ(NextLines(in), "b;");
  close(fds[1]);
  EXPECT_EQ(NextLines(in), "(end)");
  close(fds[0]);
}

TEST(LineReaderTest, GzipThroughAPipeIsInflatedAsItComes) {
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  const std::string packed = Gzip("one\ntwo\n");
  ASSERT_EQ(write(fds[1], packed.data(), packed.size()), static_cast<ssize_t>(packed.size()));
  LineReader in;
  ASSERT_TRUE(in.Open(StrCat("/dev/fd/", fds[0])).ok());
  EXPECT_EQ(NextLines(in), "one;two;");
  close(fds[1]);
  EXPECT_EQ(NextLines(in), "(end)");
  EXPECT_TRUE(in.error().empty()) << in.error();
  close(fds[0]);
}

// Following: appended lines, a truncated file, a rotated one, and the stop flag.
TEST(LineReaderTest, FollowReadsAppendedTruncatedAndRotatedFilesUntilStopped) {
  const std::string path = Temp("followed.log", "first\n");
  std::atomic<bool> stop{false};
  LineReader in(kDefaultMaxLineBytes, FollowOptions{.follow = true, .stop = &stop, .poll_ms = 5});
  ASSERT_TRUE(in.Open(path).ok());
  EXPECT_EQ(NextLines(in), "first;");
  Append(path, "second\npart");
  EXPECT_EQ(NextLines(in), "second;");
  // Truncated (shorter than what was read): read again from the start; the partial line
  // ends there.
  ASSERT_TRUE(WriteFileAtomically(path + ".tmp", "x\n").ok());
  ASSERT_EQ(truncate(path.c_str(), 0), 0);
  Append(path, "t\n");
  EXPECT_EQ(NextLines(in), "part;");
  EXPECT_EQ(NextLines(in), "t;");
  // Rotated: another file at the path.
  ASSERT_EQ(rename(path.c_str(), (path + ".1").c_str()), 0);
  ASSERT_EQ(rename((path + ".tmp").c_str(), path.c_str()), 0);
  EXPECT_EQ(NextLines(in), "x;");
  Append(path, "no end yet");
  stop = true;
  EXPECT_EQ(NextLines(in), "(end)");
}

}  // namespace
}  // namespace kizuna::detect
