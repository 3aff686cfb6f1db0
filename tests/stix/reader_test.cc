// Kizuna.
#include "kizuna/stix/reader.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace kizuna::stix {
namespace {

struct Result {
  std::vector<std::string> spans;
  std::vector<std::string> span_errors;  // "" for good spans
  std::string error;                     // the structural error, if any
  DocumentFormat format = DocumentFormat::kAuto;
};

Result ReadAll(std::string_view text, DocumentFormat format = DocumentFormat::kAuto,
               ReaderOptions options = {}) {
  Result r;
  DocumentReader reader(text, options, format);
  ObjectSpan span;
  for (;;) {
    absl::StatusOr<bool> more = reader.Next(span);
    if (!more.ok()) {
      r.error = std::string(more.status().message());
      break;
    }
    if (!*more) break;
    r.spans.emplace_back(span.json);
    r.span_errors.push_back(span.error);
  }
  r.format = reader.format();
  return r;
}

TEST(ReaderTest, BundleSpansAreExactText) {
  std::string text = "{\"type\": \"bundle\", \"id\": \"bundle--1\", \"objects\": [\n"
                     "  {\"type\": \"x\", \"a\": [1, {\"b\": \"}]\\\"\"}]},\n"
                     "  {\"type\":\"y\"}\n]}\n";
  Result r = ReadAll(text);
  EXPECT_EQ(r.error, "");
  EXPECT_EQ(r.format, DocumentFormat::kBundle);
  ASSERT_EQ(r.spans.size(), 2u);
  EXPECT_EQ(r.spans[0], "{\"type\": \"x\", \"a\": [1, {\"b\": \"}]\\\"\"}]}");
  EXPECT_EQ(r.spans[1], "{\"type\":\"y\"}");
}

TEST(ReaderTest, ObjectsListBeforeTypeStillABundle) {
  Result r = ReadAll(R"({"objects": [{"type":"a"}], "id": "bundle--1", "type": "bundle"})");
  EXPECT_EQ(r.error, "");
  EXPECT_EQ(r.format, DocumentFormat::kBundle);
  EXPECT_EQ(r.spans.size(), 1u);
}

TEST(ReaderTest, EnvelopeListJsonLinesAndSingleObject) {
  EXPECT_EQ(ReadAll(R"({"more": false, "objects": [{"type":"a"}]})").format, DocumentFormat::kEnvelope);
  Result list = ReadAll(R"([{"type":"a"}, {"type":"b"}])");
  EXPECT_EQ(list.format, DocumentFormat::kList);
  EXPECT_EQ(list.spans.size(), 2u);
  Result lines = ReadAll("{\"type\":\"a\"}\n\n{\"type\":\"b\"}\r\n{\"type\":\"c\"}");
  EXPECT_EQ(lines.format, DocumentFormat::kJsonLines);
  ASSERT_EQ(lines.spans.size(), 3u);
  EXPECT_EQ(lines.spans[1], "{\"type\":\"b\"}");
  Result one = ReadAll("  {\"type\": \"indicator\", \"objects\": [1]}  \n");
  EXPECT_EQ(one.format, DocumentFormat::kObject);
  ASSERT_EQ(one.spans.size(), 1u);
  EXPECT_EQ(one.spans[0], "{\"type\": \"indicator\", \"objects\": [1]}");
}

TEST(ReaderTest, ByteOrderMarkAndEmptyBundle) {
  EXPECT_EQ(ReadAll("\xEF\xBB\xBF[{\"type\":\"a\"}]").spans.size(), 1u);
  Result empty = ReadAll(R"({"type": "bundle", "id": "bundle--1"})");
  EXPECT_EQ(empty.error, "");
  EXPECT_TRUE(empty.spans.empty());
  EXPECT_TRUE(ReadAll(R"({"type":"bundle","objects":[]})").spans.empty());
}

TEST(ReaderTest, StructuralErrorsNameLineAndColumnAndKeepEarlierObjects) {
  Result r = ReadAll("{\"type\":\"bundle\",\"objects\":[\n{\"type\":\"a\"}\n{\"type\":\"b\"}]}");
  ASSERT_EQ(r.spans.size(), 1u);
  EXPECT_NE(r.error.find("line 3, column 1"), std::string::npos) << r.error;
  EXPECT_NE(r.error.find("expected ','"), std::string::npos) << r.error;
}

TEST(ReaderTest, TruncatedDocuments) {
  std::string full = "{\"type\":\"bundle\",\"objects\":[{\"type\":\"a\"},{\"type\":\"b\",\"name\":\"xyz\"}]}";
  for (size_t cut = 1; cut < full.size(); ++cut) {
    Result r = ReadAll(full.substr(0, cut));
    EXPECT_NE(r.error, "") << "cut at " << cut;
    EXPECT_LE(r.spans.size(), 2u);
  }
  Result r = ReadAll(full.substr(0, full.size() - 10));
  EXPECT_EQ(r.spans.size(), 1u);
  EXPECT_NE(r.error.find("truncated"), std::string::npos) << r.error;
}

TEST(ReaderTest, EmptyAndNonJsonDocuments) {
  EXPECT_NE(ReadAll("").error.find("empty"), std::string::npos);
  EXPECT_NE(ReadAll("   \n ").error.find("empty"), std::string::npos);
  EXPECT_NE(ReadAll("hello").error.find("expected a JSON object or list"), std::string::npos);
  EXPECT_NE(ReadAll(R"({"name": "x"})").error.find("no \"type\""), std::string::npos);
  EXPECT_NE(ReadAll(R"([{"type":"a"}] junk)").error.find("unexpected text"), std::string::npos);
  EXPECT_NE(ReadAll(R"({"type":"bundle","objects":[]} junk)").error.find("unexpected text"), std::string::npos);
}

TEST(ReaderTest, BadElementsAreRejectedOneByOne) {
  Result r = ReadAll(R"([{"type":"a"}, 42, "s", {"type":"b"}])");
  EXPECT_EQ(r.error, "");
  ASSERT_EQ(r.spans.size(), 4u);
  EXPECT_EQ(r.span_errors[0], "");
  EXPECT_EQ(r.span_errors[1], "expected a JSON object");
  EXPECT_EQ(r.span_errors[2], "expected a JSON object");
  EXPECT_EQ(r.span_errors[3], "");
}

TEST(ReaderTest, DeepNestingAndSizeLimitsRejectTheObjectOnly) {
  std::string deep = "[{\"type\":\"a\",\"x\":" + std::string(10000, '[') + std::string(10000, ']') +
                     "}, {\"type\":\"b\"}]";
  Result r = ReadAll(deep);
  EXPECT_EQ(r.error, "");
  ASSERT_EQ(r.spans.size(), 2u);
  EXPECT_NE(r.span_errors[0].find("levels deep"), std::string::npos);
  EXPECT_EQ(r.span_errors[1], "");
  ReaderOptions small;
  small.max_object_bytes = 20;
  Result big = ReadAll(R"([{"type":"a","name":"0123456789012345"}, {"type":"b"}])", DocumentFormat::kAuto, small);
  EXPECT_NE(big.span_errors[0].find("more than the limit of 20"), std::string::npos);
  EXPECT_EQ(big.span_errors[1], "");
}

TEST(ReaderTest, BrokenJsonLineDoesNotSwallowTheNext) {
  Result r = ReadAll("{\"type\":\"a\"}\n{\"type\":\"b\", \"x\": [\n{\"type\":\"c\"}\nnot json\n");
  EXPECT_EQ(r.error, "");
  ASSERT_EQ(r.spans.size(), 4u);
  EXPECT_EQ(r.span_errors[0], "");
  EXPECT_NE(r.span_errors[1], "");
  EXPECT_EQ(r.span_errors[2], "");
  EXPECT_EQ(r.span_errors[3], "expected a JSON object");
}

TEST(ReaderTest, ExplicitFormatMustMatch) {
  EXPECT_NE(ReadAll(R"([{"type":"a"}])", DocumentFormat::kBundle).error.find("expected a bundle"),
            std::string::npos);
  EXPECT_EQ(ReadAll(R"({"objects":[{"type":"a"}]})", DocumentFormat::kBundle).error, "");
  Result lines = ReadAll(R"({"type":"a"})", DocumentFormat::kJsonLines);
  EXPECT_EQ(lines.spans.size(), 1u);
}

TEST(ReaderTest, LocateCountsLinesAndColumns) {
  std::string text = "[\n  {\"type\":\"a\"},\n\n    {\"type\":\"b\"}]";
  DocumentReader reader(text);
  ObjectSpan span;
  ASSERT_TRUE(*reader.Next(span));
  EXPECT_EQ(reader.Locate(span.offset), std::make_pair(2u, 3u));
  ASSERT_TRUE(*reader.Next(span));
  EXPECT_EQ(reader.Locate(span.offset), std::make_pair(4u, 5u));
  EXPECT_EQ(reader.Locate(0), std::make_pair(1u, 1u));  // going back works too
  EXPECT_EQ(reader.Where(span.offset), "line 4, column 5");
}

}  // namespace
}  // namespace kizuna::stix
