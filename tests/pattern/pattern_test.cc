// Kizuna. Runs the data-driven pattern cases in tests/pattern/cases/*.case (format in
// cases/README.md) through Pattern::Compile, Pattern::Match and ReferenceMatch.
#include "kizuna/pattern/pattern.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "kizuna/base/file.h"
#include "kizuna/base/strings.h"
#include "kizuna/pattern/observation_json.h"
#include "kizuna/pattern/parser.h"
#include "kizuna/pattern/reference_evaluator.h"

namespace kizuna::pattern {
namespace {

constexpr int64_t kBaseSeconds = 1577836800;  // 2020-01-01T00:00:00Z

std::vector<std::string> CaseFiles() {
  std::vector<std::string> files;
  for (const auto& e : std::filesystem::directory_iterator(KIZUNA_PATTERN_CASES)) {
    if (e.path().extension() == ".case") files.push_back(e.path().filename().string());
  }
  std::sort(files.begin(), files.end());
  return files;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

std::vector<std::string> Words(std::string_view s) {
  std::vector<std::string> words;
  size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && s[i] == ' ') ++i;
    size_t j = i;
    while (j < s.size() && s[j] != ' ') ++j;
    if (j > i) words.emplace_back(s.substr(i, j - i));
    i = j;
  }
  return words;
}

// "12" or "1.5" seconds after the base, or a timestamp as is.
std::string Time(const std::string& word) {
  if (word.find('T') != std::string::npos) return word;
  const double seconds = std::stod(word);
  stix::Timestamp t;
  t.seconds = kBaseSeconds + static_cast<int64_t>(std::floor(seconds));
  t.nanos = static_cast<int32_t>(std::llround((seconds - std::floor(seconds)) * 1e9));
  return stix::FormatTimestamp(t, t.nanos == 0 ? 0 : 9);
}

class CaseFileTest : public testing::TestWithParam<std::string> {
 protected:
  void Run(const std::string& name) {
    const std::string path = StrCat(KIZUNA_PATTERN_CASES, "/", name);
    auto text = ReadFile(path, 16 << 20);
    ASSERT_TRUE(text.ok()) << text.status();
    std::string_view all(text->data(), text->size());
    size_t line_no = 0;
    std::string block_name, block;
    bool in_block = false;
    while (!all.empty()) {
      const size_t nl = all.find('\n');
      std::string_view raw = all.substr(0, nl);
      all = nl == std::string_view::npos ? std::string_view() : all.substr(nl + 1);
      ++line_no;
      std::string_view line = Trim(raw);
      if (line.empty() || line[0] == '#') continue;
      where_ = StrCat(name, ":", line_no);
      SCOPED_TRACE(where_);
      if (in_block) {
        if (line == "end") {
          auto obs = ParseObservations(block, version_);
          ASSERT_TRUE(obs.ok()) << obs.status();
          sets_[block_name] = std::move(*obs);
          in_block = false;
        } else if (line.substr(0, 3) == "od ") {
          block += ObservedData(line.substr(3));
        } else if (line.substr(0, 5) == "json ") {
          StrAppend(block, line.substr(5), "\n");
        } else {
          FAIL() << "unknown line in an observations block: " << line;
        }
        continue;
      }
      if (line.substr(0, 2) == "=>") {
        ASSERT_FALSE(last_canonical_.empty()) << "'=>' without a canonical case before it";
        EXPECT_EQ(last_canonical_, Trim(line.substr(2)));
        last_canonical_.clear();
        continue;
      }
      if (!last_canonical_.empty()) {
        EXPECT_EQ(last_canonical_, last_pattern_) << "canonical form differs from the pattern";
        last_canonical_.clear();
      }
      const std::vector<std::string> words = Words(line);
      if (words[0] == "version") {
        version_ = words.at(1) == "2.0" ? StixVersion::k20 : StixVersion::k21;
        continue;
      }
      if (words[0] == "observations") {
        block_name = words.at(1);
        block.clear();
        in_block = true;
        continue;
      }
      const size_t bar = line.find(" | ");
      ASSERT_NE(bar, std::string_view::npos) << "expected 'directive | pattern'";
      ++cases_;
      RunCase(line.substr(0, bar), std::string(line.substr(bar + 3)));
    }
    if (!last_canonical_.empty()) {
      EXPECT_EQ(last_canonical_, last_pattern_);
    }
    EXPECT_FALSE(in_block) << "observations block without 'end'";
    std::printf("[ cases    ] %s: %d cases\n", name.c_str(), cases_);
    RecordProperty("cases", cases_);
  }

 private:
  std::string ObservedData(std::string_view rest) {
    const std::vector<std::string> w = Words(rest);
    const size_t objects_at = rest.find('{');
    EXPECT_GE(w.size(), 5u) << "od ID FIRST LAST COUNT OBJECTS";
    EXPECT_NE(objects_at, std::string_view::npos);
    if (w.size() < 5 || objects_at == std::string_view::npos) return "";
    return StrCat("{\"type\":\"observed-data\",\"id\":\"", w[0], "\",\"first_observed\":\"",
                  Time(w[1]), "\",\"last_observed\":\"", Time(w[2]),
                  "\",\"number_observed\":", w[3], ",\"objects\":", rest.substr(objects_at),
                  "}\n");
  }

  void CheckRoundTrip(const Pattern& p) {
    ParseOptions options;
    options.version = version_;
    auto again = Parse(p.ToString(), options);
    ASSERT_TRUE(again.ok()) << "canonical form does not parse: " << p.ToString() << ": "
                            << again.status();
    EXPECT_TRUE(Equals(p.ast().root(), (*again)->root()))
        << "parse -> print -> parse changed the tree: " << p.ToString();
    EXPECT_EQ((*again)->root().kind, p.ast().root().kind);
    EXPECT_EQ(ToString((*again)->root()), p.ToString());
  }

  void RunCase(std::string_view head, const std::string& text) {
    const std::vector<std::string> words = Words(head);
    const std::string& directive = words.at(0);
    CompileOptions options;
    options.version = version_;
    auto compiled = Pattern::Compile(text, options);
    if (directive == "invalid") {
      const std::string expected(Trim(head.substr(directive.size())));
      ASSERT_FALSE(compiled.ok()) << "expected an error containing '" << expected << "'";
      EXPECT_NE(View(compiled.status().message()).find(expected), std::string_view::npos)
          << "error was: " << compiled.status().message();
      return;
    }
    ASSERT_TRUE(compiled.ok()) << compiled.status();
    const Pattern& p = **compiled;
    CheckRoundTrip(p);
    if (directive == "valid") return;
    if (directive == "canonical") {
      last_canonical_ = p.ToString();
      last_pattern_ = text;
      return;
    }
    ASSERT_GE(words.size(), 2u) << "missing observation set name";
    auto set = sets_.find(words[1]);
    ASSERT_NE(set, sets_.end()) << "no observation set '" << words[1] << "'";
    std::vector<const Observation*> obs;
    for (const Observation& o : set->second) obs.push_back(&o);
    auto fast = p.Match(obs);
    if (directive == "error") {
      const std::string expected(Trim(head.substr(head.find(words[1]) + words[1].size())));
      ASSERT_FALSE(fast.ok()) << "expected an evaluation error containing '" << expected << "'";
      EXPECT_NE(View(fast.status().message()).find(expected), std::string_view::npos)
          << "error was: " << fast.status().message();
      return;
    }
    ASSERT_TRUE(fast.ok()) << fast.status();
    const bool big = directive == "bigmatch" || directive == "bignomatch";
    ASSERT_TRUE(big || directive == "match" || directive == "nomatch") << "unknown directive";
    const bool want = directive == "match" || directive == "bigmatch";
    EXPECT_EQ(fast->matched, want) << text;
    if (!big) {
      auto reference = ReferenceMatch(p, obs);
      ASSERT_TRUE(reference.ok()) << reference.status();
      EXPECT_EQ(reference->matched, want) << "reference evaluator disagrees: " << text;
    }
    if (obs.size() == 1) {
      auto one = p.Matches(*obs[0]);
      ASSERT_TRUE(one.ok()) << one.status();
      EXPECT_EQ(*one, want) << "Matches() disagrees with Match()";
    }
    if (want && words.size() > 2) {
      std::vector<std::string> expected(words.begin() + 2, words.end());
      std::vector<std::string> got;
      for (size_t i : fast->bound) got.emplace_back(obs[i]->id());
      std::sort(expected.begin(), expected.end());
      std::sort(got.begin(), got.end());
      EXPECT_EQ(got, expected) << "bound observations";
    }
  }

  StixVersion version_ = StixVersion::k21;
  std::map<std::string, std::vector<Observation>> sets_;
  std::string where_;
  std::string last_canonical_, last_pattern_;
  int cases_ = 0;
};

TEST_P(CaseFileTest, Passes) { Run(GetParam()); }

INSTANTIATE_TEST_SUITE_P(Cases, CaseFileTest, testing::ValuesIn(CaseFiles()),
                         [](const testing::TestParamInfo<std::string>& param_info) {
                           const std::string& file = param_info.param;
                           std::string name = file.substr(0, file.find('.'));
                           for (char& c : name) {
                             if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
                           }
                           return name;
                         });

}  // namespace
}  // namespace kizuna::pattern
