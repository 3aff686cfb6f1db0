// Kizuna. SHOULD-level warnings (stix/warnings.h): one data-driven case per kind, each citing
// the section of STIX 2.1 that recommends it (tests/data/validate-cases/warnings.json), and the
// shipped examples free of them. Issue 18, item 8.
#include "kizuna/stix/warnings.h"

#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

#include "kizuna/base/file.h"
#include "kizuna/base/strings.h"
#include "kizuna/stix/validate.h"

namespace kizuna::stix {
namespace {

constexpr uint64_t kMaxFixtureBytes = 16 * 1024 * 1024;

// "kind@path" of each warning of `object`, which must be valid.
std::vector<std::string> Warnings(simdjson::dom::object object) {
  absl::StatusOr<ObjectIndex> index = IndexObject(object);
  EXPECT_TRUE(index.ok()) << index.status();
  if (!index.ok()) return {"(no index)"};
  absl::Status valid = ValidateObject(object, *index);
  EXPECT_TRUE(valid.ok()) << valid;
  std::vector<std::string> out;
  for (const Warning& w : FindWarnings(object, *index)) {
    EXPECT_NE(w.message.find("§"), std::string::npos)
        << "a warning cites the standard: " << w.message;
    out.push_back(StrCat(w.kind, "@", w.path));
  }
  return out;
}

TEST(WarningsTest, OneCasePerKind) {
  absl::StatusOr<simdjson::padded_string> text =
      ReadFile(KIZUNA_TEST_DATA "/validate-cases/warnings.json", kMaxFixtureBytes);
  ASSERT_TRUE(text.ok()) << text.status();
  simdjson::dom::parser parser;
  simdjson::dom::array cases;
  ASSERT_EQ(parser.parse(*text).get_array().get(cases), simdjson::SUCCESS);
  std::set<std::string> kinds;
  size_t n = 0;
  for (simdjson::dom::element c : cases) {
    ++n;
    SCOPED_TRACE(StrCat(c["name"].get_string().value_unsafe(), " (STIX 2.1 §",
                        c["section"].get_string().value_unsafe(), ")"));
    std::vector<std::string> expected;
    simdjson::dom::array warnings;
    ASSERT_EQ(c["warnings"].get_array().get(warnings), simdjson::SUCCESS);
    for (simdjson::dom::element w : warnings) {
      std::string_view kind = w["kind"].get_string().value_unsafe();
      kinds.emplace(kind);
      expected.push_back(StrCat(kind, "@", w["path"].get_string().value_unsafe()));
    }
    simdjson::dom::object object;
    ASSERT_EQ(c["object"].get_object().get(object), simdjson::SUCCESS);
    EXPECT_EQ(Warnings(object), expected);
  }
  EXPECT_GE(n, 19u);
  EXPECT_EQ(kinds.size(), 10u) << "every kind of stix/warnings.h has a case";
}

// The examples shipped for users (`scripts/run` imports examples/; docs/extensions/ is a bundle
// ready for `kizuna import`) follow every recommendation checked.
TEST(WarningsTest, ShippedExamplesAreWarningFree) {
  for (const char* file :
       {"/examples/alliance-2026.json", "/docs/extensions/extension-definitions.json"}) {
    SCOPED_TRACE(file);
    absl::StatusOr<simdjson::padded_string> text =
        ReadFile(StrCat(KIZUNA_SOURCE_DIR, file), kMaxFixtureBytes);
    ASSERT_TRUE(text.ok()) << text.status();
    simdjson::dom::parser parser;
    simdjson::dom::array objects;
    ASSERT_EQ(parser.parse(*text)["objects"].get_array().get(objects), simdjson::SUCCESS);
    size_t n = 0;
    for (simdjson::dom::element o : objects) {
      ++n;
      SCOPED_TRACE(o["id"].get_string().value_unsafe());
      simdjson::dom::object object;
      ASSERT_EQ(o.get_object().get(object), simdjson::SUCCESS);
      EXPECT_EQ(Warnings(object), std::vector<std::string>{});
    }
    EXPECT_GT(n, 0u);
  }
}

}  // namespace
}  // namespace kizuna::stix
