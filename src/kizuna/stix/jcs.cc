// Kizuna.
#include "kizuna/stix/jcs.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <utility>
#include <vector>

#include "kizuna/base/json_string.h"

namespace kizuna::stix {
namespace {

// Appends the UTF-16 code units of UTF-8 `s`, so names compare as RFC 8785 §3.2.3 asks.
std::u16string Utf16(std::string_view s) {
  std::u16string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size();) {
    unsigned char c = s[i];
    uint32_t cp;
    size_t len;
    if (c < 0x80) { cp = c; len = 1; }
    else if ((c >> 5) == 6) { cp = c & 0x1f; len = 2; }
    else if ((c >> 4) == 14) { cp = c & 0x0f; len = 3; }
    else { cp = c & 0x07; len = 4; }
    for (size_t k = 1; k < len && i + k < s.size(); ++k) cp = cp << 6 | (s[i + k] & 0x3f);
    i += len;
    if (cp >= 0x10000) {
      cp -= 0x10000;
      out += static_cast<char16_t>(0xd800 + (cp >> 10));
      out += static_cast<char16_t>(0xdc00 + (cp & 0x3ff));
    } else {
      out += static_cast<char16_t>(cp);
    }
  }
  return out;
}

}  // namespace

void AppendEcmaNumber(double value, std::string& out) {
  if (value == 0) {  // also -0
    out += '0';
    return;
  }
  if (!std::isfinite(value)) {  // not representable in JSON; cannot come from a parser
    out += "null";
    return;
  }
  if (value < 0) {
    out += '-';
    value = -value;
  }
  // Shortest round-trip digits and exponent, from scientific to_chars: d.dddde±x.
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, value, std::chars_format::scientific);
  std::string_view sci(buf, end - buf);
  size_t e = sci.find('e');
  std::string digits;
  for (char c : sci.substr(0, e)) {
    if (c != '.') digits += c;
  }
  int exp10 = std::stoi(std::string(sci.substr(e + 1)));
  int k = static_cast<int>(digits.size());
  int n = exp10 + 1;  // value = 0.digits × 10^n
  if (k <= n && n <= 21) {
    out += digits;
    out.append(n - k, '0');
  } else if (0 < n && n <= 21) {
    out.append(digits, 0, n);
    out += '.';
    out.append(digits, n);
  } else if (-6 < n && n <= 0) {
    out += "0.";
    out.append(-n, '0');
    out += digits;
  } else {
    out += digits[0];
    if (k > 1) {
      out += '.';
      out.append(digits, 1);
    }
    out += 'e';
    out += n - 1 >= 0 ? '+' : '-';
    out += std::to_string(std::abs(n - 1));
  }
}

void AppendCanonicalJson(simdjson::dom::element value, std::string& out) {
  using simdjson::dom::element_type;
  switch (value.type()) {
    case element_type::OBJECT: {
      std::vector<std::pair<std::u16string, simdjson::dom::key_value_pair>> members;
      // Copy the object out of the temporary simdjson_result first: a range-for over
      // `get_object().value_unsafe()` iterates a dangling reference (GCC 12 warns at -O2).
      const simdjson::dom::object object = value.get_object().value_unsafe();
      for (auto field : object) {
        members.emplace_back(Utf16(field.key), field);
      }
      std::sort(members.begin(), members.end(),
                [](const auto& a, const auto& b) { return a.first < b.first; });
      out += '{';
      for (size_t i = 0; i < members.size(); ++i) {
        if (i) out += ',';
        AppendJsonString(members[i].second.key, out);
        out += ':';
        AppendCanonicalJson(members[i].second.value, out);
      }
      out += '}';
      break;
    }
    case element_type::ARRAY: {
      out += '[';
      bool first = true;
      const simdjson::dom::array array = value.get_array().value_unsafe();
      for (auto item : array) {
        if (!first) out += ',';
        first = false;
        AppendCanonicalJson(item, out);
      }
      out += ']';
      break;
    }
    case element_type::STRING:
      AppendJsonString(value.get_string().value_unsafe(), out);
      break;
    case element_type::INT64:
      AppendEcmaNumber(static_cast<double>(value.get_int64().value_unsafe()), out);
      break;
    case element_type::UINT64:
      AppendEcmaNumber(static_cast<double>(value.get_uint64().value_unsafe()), out);
      break;
    case element_type::DOUBLE:
      AppendEcmaNumber(value.get_double().value_unsafe(), out);
      break;
    case element_type::BOOL:
      out += value.get_bool().value_unsafe() ? "true" : "false";
      break;
    case element_type::NULL_VALUE:
      out += "null";
      break;
  }
}

std::string CanonicalJson(simdjson::dom::element value) {
  std::string out;
  AppendCanonicalJson(value, out);
  return out;
}

}  // namespace kizuna::stix
