// Kizuna. StreamMatch against Pattern::Match over the observations read at once.
#include "kizuna/pattern/stream_match.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "kizuna/base/strings.h"
#include "kizuna/pattern/observation_json.h"
#include "kizuna/pattern/pattern.h"
#include "simdjson.h"

namespace kizuna::pattern {
namespace {

std::string ObservedData(int i, std::string_view ref, std::string_view time) {
  return StrCat(R"({"type":"observed-data","id":"observed-data--)", i,
                R"(","first_observed":")", time, R"(","last_observed":")", time,
                R"(","number_observed":1,"object_refs":[")", ref, R"("]})");
}

std::string Ip(std::string_view id, std::string_view value) {
  return StrCat(R"({"type":"ipv4-addr","id":")", id, R"(","value":")", value, R"("})");
}

// Two inputs: a bundle whose SCOs follow their observed-data (and one before), JSON lines.
std::vector<std::string> Inputs() {
  std::string bundle = R"({"type":"bundle","id":"bundle--1","objects":[)";
  bundle += Ip("ipv4-addr--0", "10.0.0.9");
  for (int i = 1; i <= 6; ++i) {
    StrAppend(bundle, ",", ObservedData(i, StrCat("ipv4-addr--", i % 4), StrCat("2020-01-01T00:00:0", i, "Z")));
    if (i < 4) StrAppend(bundle, ",", Ip(StrCat("ipv4-addr--", i), StrCat("10.0.0.", i)));
  }
  bundle += "]}";
  std::string lines = StrCat(ObservedData(7, "ipv4-addr--9", "2020-01-01T00:00:20Z"), "\n",
                             Ip("ipv4-addr--9", "10.0.0.2"), "\n");
  return {bundle, lines};
}

std::vector<std::string> Expected(const Pattern& p, const std::vector<std::string>& inputs) {
  std::vector<Observation> all;
  for (const std::string& input : inputs) {
    auto read = ReadObservationsDom(simdjson::padded_string(input), p.version());
    EXPECT_TRUE(read.ok()) << read.status();
    for (Observation& o : *read) all.push_back(std::move(o));
  }
  auto result = p.Match(std::span<const Observation>(all));
  EXPECT_TRUE(result.ok()) << result.status();
  std::vector<std::string> ids;
  if (!result->matched) return ids;
  for (size_t i : result->bound) ids.emplace_back(all[i].id());
  return ids;
}

// Reads `inputs` in turn through a StreamMatch of `p`; `count` gets the observations seen.
absl::StatusOr<StreamMatchResult> StreamAll(const Pattern& p,
                                            const std::vector<std::string>& inputs,
                                            size_t& count) {
  StreamMatch match(p);
  for (const std::string& input : inputs) {
    const simdjson::padded_string padded(input);
    absl::Status read = StreamPaddedObservations(std::string_view(padded.data(), padded.size()),
                                                 p.version(), match);
    if (!read.ok()) return read;
    match.EndInput();
  }
  count = match.observation_count();
  return match.Finish();
}

TEST(StreamMatchTest, SameResultAsMatchOverAllObservations) {
  const std::vector<std::string> inputs = Inputs();
  const char* patterns[] = {
      "[ipv4-addr:value = '10.0.0.2']",                     // in the first input, waited for
      "[ipv4-addr:value = '10.0.0.9']",                     // an SCO read before its user
      "[ipv4-addr:value = '10.0.0.1'] OR [ipv4-addr:value = '10.0.0.3']",
      "[ipv4-addr:value = '10.9.9.9']",                     // no match
      "[ipv4-addr:value = '10.0.0.1'] FOLLOWEDBY [ipv4-addr:value = '10.0.0.2']",
      "[ipv4-addr:value = '10.0.0.2'] AND [ipv4-addr:value = '10.0.0.3']",
      "[ipv4-addr:value = '10.0.0.2'] REPEATS 3 TIMES",     // needs the second input
  };
  for (const char* text : patterns) {
    auto p = Pattern::Compile(text);
    ASSERT_TRUE(p.ok()) << p.status();
    size_t count = 0;
    auto result = StreamAll(**p, inputs, count);
    ASSERT_TRUE(result.ok()) << result.status();
    EXPECT_EQ(count, 7u);
    const std::vector<std::string> expected = Expected(**p, inputs);
    EXPECT_EQ(result->matched, !expected.empty()) << text;
    EXPECT_EQ(result->bound_ids, expected) << text;
  }
}

// A bundle followed by a JSON line: the splitter hands over the bundle's observations, then
// the reader starts the input again (Restart) and hands them over anew.
TEST(StreamMatchTest, InputReadAgainCountsOnce) {
  const std::string input =
      StrCat(R"({"type":"bundle","id":"b","objects":[)",
             ObservedData(1, "ipv4-addr--1", "2020-01-01T00:00:01Z"), ",",
             Ip("ipv4-addr--1", "10.0.0.1"), "]}\n",
             ObservedData(2, "ipv4-addr--1", "2020-01-01T00:00:02Z"), "\n");
  for (const char* text : {"[ipv4-addr:value = '10.0.0.1'] REPEATS 2 TIMES",
                           "[ipv4-addr:value = '10.0.0.1'] REPEATS 3 TIMES",
                           "[ipv4-addr:value = '10.0.0.1'] AND [ipv4-addr:value = '10.0.0.1']"}) {
    auto p = Pattern::Compile(text);
    ASSERT_TRUE(p.ok()) << p.status();
    size_t count = 0;
    auto result = StreamAll(**p, {input}, count);
    ASSERT_TRUE(result.ok()) << result.status();
    EXPECT_EQ(count, 2u);
    EXPECT_EQ(result->bound_ids, Expected(**p, {input})) << text;
  }
}

TEST(StreamMatchTest, RestartForgetsTheInputBeingRead) {
  auto p = Pattern::Compile("[ipv4-addr:value = '10.0.0.1']");
  ASSERT_TRUE(p.ok());
  StreamMatch match(**p);
  Observation o;
  o.SetId("observed-data--x");
  o.SetTimes(stix::Timestamp{}, stix::Timestamp{});
  o.AddString(o.AddSco("ipv4-addr", "k"), "value", "10.0.0.1");
  ASSERT_TRUE(match.Add(0, o).ok());
  match.Restart();
  auto result = match.Finish();
  ASSERT_TRUE(result.ok());
  EXPECT_FALSE(result->matched);
}

}  // namespace
}  // namespace kizuna::pattern
