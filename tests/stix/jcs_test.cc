// Kizuna.
#include "kizuna/stix/jcs.h"

#include <gtest/gtest.h>

namespace kizuna::stix {
namespace {

std::string Canon(std::string_view json) {
  simdjson::dom::parser parser;
  simdjson::padded_string padded(json);
  return CanonicalJson(parser.parse(padded).value());
}

TEST(JcsTest, SortsMembersAndDropsWhitespace) {
  EXPECT_EQ(Canon(R"({ "b": [1, 2, {"z": true, "a": null}], "a": "x" })"),
            R"({"a":"x","b":[1,2,{"a":null,"z":true}]})");
}

TEST(JcsTest, SortsByUtf16CodeUnits) {
  // RFC 8785 §3.2.3 example: U+20AC (€) sorts before U+1F600 (surrogates D83D...) in UTF-16
  // although its UTF-8 bytes sort after.
  EXPECT_EQ(Canon("{\"\xF0\x9F\x98\x80\":1,\"\xE2\x82\xAC\":2}"),
            "{\"\xE2\x82\xAC\":2,\"\xF0\x9F\x98\x80\":1}");
}

TEST(JcsTest, NumbersFollowEcmaScript) {
  // Values from RFC 8785 Appendix B.
  struct Case { double value; const char* text; };
  for (auto c : {Case{0.0, "0"}, Case{-0.0, "0"}, Case{1e21, "1e+21"}, Case{1e20, "100000000000000000000"},
                 Case{0.000001, "0.000001"}, Case{0.0000001, "1e-7"}, Case{333333333.3333332, "333333333.3333332"},
                 Case{9007199254740992.0, "9007199254740992"}, Case{-1.5, "-1.5"},
                 Case{1.7976931348623157e308, "1.7976931348623157e+308"}, Case{5e-324, "5e-324"},
                 Case{295147905179352830000.0, "295147905179352830000"}}) {
    std::string out;
    AppendEcmaNumber(c.value, out);
    EXPECT_EQ(out, c.text);
  }
  EXPECT_EQ(Canon("[1, -5, 2.50, 1E3]"), "[1,-5,2.5,1000]");
}

TEST(JcsTest, EscapesStrings) {
  EXPECT_EQ(Canon(R"(["\u0041\u00e9\n\u001f\"\/"])"), "[\"A\xC3\xA9\\n\\u001f\\\"/\"]");
}

}  // namespace
}  // namespace kizuna::stix
