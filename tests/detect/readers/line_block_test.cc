// Kizuna. The blocks TelemetryReader cuts: the line ends it keeps (LineBlock::ends), which
// the parser uses instead of searching for each '\n' again, against a plain split of the
// input, at the reader's buffer boundaries and with every kind of line the cutting treats
// apart ("\r\n", over-long, headers, empty, a last line without newline).
#include "kizuna/detect/readers/line_block.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <string>
#include <vector>

#include "kizuna/base/strings.h"
#include "kizuna/detect/readers/reader.h"
#include "readers/read_all.h"

namespace kizuna::detect {
namespace {

constexpr std::string_view kHeader =
    "#separator \\x09\n#set_separator\t,\n#empty_field\t(empty)\n#unset_field\t-\n#path\tdns\n"
    "#fields\tts\tid.orig_h\tquery\n#types\ttime\taddr\tstring\n";

// What the reader must give for `text`, by a plain split: each line's number and text (the
// record's raw text), and the numbers of the malformed lines (over-long, wrong field count).
struct Expected {
  std::vector<std::pair<uint64_t, std::string>> records;
  std::vector<uint64_t> malformed;  // a batch keeps the first 16 of its malformed lines
  uint64_t malformed_count = 0;
};

Expected PlainSplit(std::string_view text, size_t max_line_bytes) {
  Expected out;
  uint64_t number = 0;
  size_t start = 0;
  while (start < text.size()) {
    size_t nl = text.find('\n', start);
    if (nl == std::string_view::npos) nl = text.size();
    std::string_view line = text.substr(start, nl - start);
    start = nl + 1;
    ++number;
    if (line.size() > max_line_bytes) {
      out.malformed.push_back(number);
      ++out.malformed_count;
      continue;
    }
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty() || line[0] == '#') continue;
    size_t tabs = 0;
    for (char c : line) tabs += c == '\t';
    if (tabs != 2) {
      out.malformed.push_back(number);
      ++out.malformed_count;
      continue;
    }
    out.records.emplace_back(number, std::string(line));
  }
  return out;
}

// Reads `path` block by block, through NextBlock and a parser as `kizuna match` does, and
// checks each block's ends against its text.
Expected ReadBlocks(const std::string& path, const ReaderOptions& options) {
  Expected out;
  absl::StatusOr<std::unique_ptr<TelemetryReader>> reader =
      OpenTelemetry(path, TelemetryFormat::kAuto, options);
  EXPECT_TRUE(reader.ok()) << reader.status();
  if (!reader.ok()) return out;
  std::unique_ptr<LineParser> parser = (*reader)->NewParser();
  LineBlock block;
  RecordBatch batch;
  while ((*reader)->NextBlock(block)) {
    EXPECT_EQ(block.ends.size(), block.lines);
    size_t begin = 0;
    for (const size_t end : block.ends) {
      EXPECT_GT(end, begin);
      EXPECT_LE(end, block.size);
      if (end <= begin || end > block.size) break;
      EXPECT_EQ(block.text[end - 1], '\n');
      // No line holds a '\n' before its end.
      EXPECT_EQ(std::string_view(block.text).substr(begin, end - 1 - begin).find('\n'),
                std::string_view::npos);
      begin = end;
    }
    EXPECT_EQ(begin, block.size);
    parser->Parse(block, batch);
    for (const Record& r : batch.records) out.records.emplace_back(r.line, std::string(r.raw));
    for (const Malformed& m : batch.malformed_kept) out.malformed.push_back(m.line);
    out.malformed_count += batch.malformed;
  }
  std::sort(out.malformed.begin(), out.malformed.end());
  return out;
}

// Random Zeek lines (including "\r\n", over-long, empty, header and short lines) over a
// few megabytes, so that many lines cross the reader's 1 MiB buffer.
std::string RandomLog(std::mt19937& rng, size_t bytes, size_t max_line_bytes) {
  std::string text(kHeader);
  uint64_t n = 0;
  while (text.size() < bytes) {
    const unsigned kind = rng() % 100;
    if (kind == 0) {
      text += "#fields\tts\tid.orig_h\tquery\n";
      continue;
    }
    if (kind == 1) {
      text += "\n";
      continue;
    }
    const size_t length = kind < 4 ? max_line_bytes + 1 + rng() % 3 * (max_line_bytes / 2)
                                   : rng() % (max_line_bytes / 2);
    ++n;
    std::string line = StrCat("1521911720.", n, "\t10.0.0.", n % 256, "\t");
    const std::string_view letters = "abcdefghijklmnopqrstuvwxyz.-";
    while (line.size() < length) line.push_back(letters[rng() % letters.size()]);
    if (kind == 4) line += "\textra";  // one field too many
    text += line;
    text += kind < 20 ? "\r\n" : "\n";
  }
  return text;
}

TEST(LineBlockTest, LineEndsEqualAPlainSplitAcrossBufferBoundaries) {
  std::mt19937 rng(26);
  for (const size_t max_line : {size_t{4000}, size_t{300}}) {
    const std::string text = RandomLog(rng, 3'500'000, max_line);
    for (const bool last_newline : {true, false}) {
      const std::string input = last_newline ? text : text.substr(0, text.size() - 1);
      const std::string path = Temp("blocks.log", input);
      const Expected want = PlainSplit(input, max_line);
      ASSERT_GT(want.records.size(), 1000u);
      ASSERT_GT(want.malformed.size(), 10u);
      for (const size_t batch_records : {size_t{1}, size_t{7}, size_t{512}}) {
        ReaderOptions options;
        options.max_line_bytes = max_line;
        options.batch_records = batch_records;
        const Expected got = ReadBlocks(path, options);
        ASSERT_EQ(got.records.size(), want.records.size())
            << "max_line " << max_line << " batch " << batch_records;
        for (size_t i = 0; i < want.records.size(); ++i) {
          ASSERT_EQ(got.records[i], want.records[i])
              << "record " << i << " batch " << batch_records;
        }
        EXPECT_EQ(got.malformed_count, want.malformed_count);
        if (batch_records <= 16) {
          EXPECT_EQ(got.malformed, want.malformed);
        } else {
          EXPECT_TRUE(std::includes(want.malformed.begin(), want.malformed.end(),
                                    got.malformed.begin(), got.malformed.end()));
        }
      }
    }
  }
}

TEST(LineBlockTest, ResumedReadsKeepTheirLineEnds) {
  std::mt19937 rng(4);
  const std::string text = RandomLog(rng, 1'500'000, 2000);
  const std::string path = Temp("resume.log", text);
  const Expected all = PlainSplit(text, 2000);
  ASSERT_GT(all.records.size(), 100u);
  const uint64_t skip = all.records[all.records.size() / 2].first;
  ReaderOptions options;
  options.max_line_bytes = 2000;
  absl::StatusOr<std::unique_ptr<TelemetryReader>> reader =
      OpenTelemetry(path, TelemetryFormat::kAuto, options);
  ASSERT_TRUE(reader.ok()) << reader.status();
  (*reader)->SkipThrough(skip);
  RecordBatch batch;
  std::vector<std::pair<uint64_t, std::string>> got;
  while ((*reader)->Next(batch)) {
    for (const Record& r : batch.records) got.emplace_back(r.line, std::string(r.raw));
  }
  std::vector<std::pair<uint64_t, std::string>> want;
  for (const auto& r : all.records) {
    if (r.first > skip) want.push_back(r);
  }
  EXPECT_EQ(got, want);
}

TEST(LineBlockTest, EmptyFilesAndSingleLines) {
  EXPECT_TRUE(ReadBlocks(Temp("empty.log", ""), {}).records.empty());
  const std::string one = StrCat(kHeader, "1521911720.5\t10.0.0.1\ta.example");
  for (const std::string& input : {one, one + "\n", one + "\r\n"}) {
    const Expected got = ReadBlocks(Temp("one.log", input), {});
    ASSERT_EQ(got.records.size(), 1u);
    EXPECT_EQ(got.records[0].first, 8u);
    EXPECT_EQ(got.records[0].second, "1521911720.5\t10.0.0.1\ta.example");
  }
  // Only an over-long last line, without newline: malformed, with its number.
  ReaderOptions options;
  options.max_line_bytes = 100;
  const Expected got =
      ReadBlocks(Temp("long.log", StrCat(kHeader, std::string(500, 'x'))), options);
  EXPECT_TRUE(got.records.empty());
  EXPECT_EQ(got.malformed, std::vector<uint64_t>{8});
}

}  // namespace
}  // namespace kizuna::detect
