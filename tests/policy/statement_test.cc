// Kizuna. The statement cases of tests/policy/cases/statements.case, read and checked one by one.
#include "kizuna/policy/statement.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "absl/strings/str_join.h"
#include "kizuna/base/file.h"
#include "kizuna/base/strings.h"

namespace kizuna::policy {
namespace {

// Returns the meaning as the case file writes it.
std::string Describe(const StatementMeaning& m) {
  switch (m.kind) {
    case StatementKind::kInformational:
      return "informational";
    case StatementKind::kNotUnderstood:
      return "not-understood";
    case StatementKind::kReleasability: {
      std::vector<std::string> all = m.release.nations;
      all.insert(all.end(), m.release.communities.begin(), m.release.communities.end());
      return StrCat("release ", absl::StrJoin(all, " "));
    }
  }
  return "?";
}

TEST(StatementTest, Cases) {
  absl::StatusOr<simdjson::padded_string> file =
      ReadFile(KIZUNA_SOURCE_DIR "/tests/policy/cases/statements.case", 1 << 20);
  ASSERT_TRUE(file.ok()) << file.status();
  std::string_view text(file->data(), file->size());
  int line_no = 0, cases = 0;
  while (!text.empty()) {
    size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
    ++line_no;
    if (line.empty() || line.starts_with('#')) continue;
    size_t arrow = line.rfind(" => ");
    ASSERT_NE(arrow, std::string_view::npos) << "statements.case:" << line_no;
    std::string_view statement = line.substr(0, arrow), expected = line.substr(arrow + 4);
    EXPECT_EQ(Describe(ReadStatement(statement)), expected)
        << "statements.case:" << line_no << ": \"" << statement << "\"";
    ++cases;
  }
  EXPECT_GE(cases, 40);
}

}  // namespace
}  // namespace kizuna::policy
