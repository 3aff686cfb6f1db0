// Kizuna.
#include "kizuna/detect/fast_classify.h"

#include <array>

#include "kizuna/detect/lookup/ip.h"
#include "kizuna/pattern/validator.h"

namespace kizuna::detect {
namespace {

using pattern::CmpExpr;
using pattern::CompareOp;

// Longer paths and IN lists are rare: the full path takes them.
constexpr size_t kMaxSteps = 8;
constexpr size_t kMaxValues = 64;
// A LIKE '%.suffix' of a domain name (253 bytes at most) is a small RE2 program: the
// validator accepts such a constant under any memory limit of at least kLikeMemoryFloor.
// Others take the full path, which builds the program.
constexpr size_t kMaxFastLikeBytes = 256;
constexpr int64_t kLikeMemoryFloor = 1 << 20;
// Nesting of the shapes read here ([a OR b] OR [c]): far below any sensible limit.
constexpr size_t kShapeDepth = 8;  // a margin over the 4 levels they have

bool IsWordStart(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsWordChar(char c) { return IsWordStart(c) || IsDigit(c) || c == '-'; }
bool IsHex(char c) { return IsDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }

class Scanner {
 public:
  Scanner(std::string_view text, const pattern::PatternLimits& limits)
      : s_(text), limits_(limits) {}

  // pattern := obs (OR obs)* ; obs := '[' cmp (OR cmp)* ']'
  bool Pattern(std::vector<SimpleKey>& out) {
    do {
      Spaces();
      if (!Take('[')) return false;
      do {
        Spaces();
        if (!Comparison(out)) return false;
        Spaces();
      } while (Keyword("OR"));
      if (!Take(']')) return false;
      Spaces();
    } while (Keyword("OR"));
    return at_ == s_.size();
  }

 private:
  void Spaces() {
    while (at_ < s_.size() && s_[at_] == ' ') ++at_;
  }
  bool Take(char c) {
    if (at_ >= s_.size() || s_[at_] != c) return false;
    ++at_;
    return true;
  }
  // A whole word equal to `w` (as the lexer splits words).
  bool Keyword(std::string_view w) {
    if (s_.substr(at_, w.size()) != w) return false;
    if (at_ + w.size() < s_.size() && IsWordChar(s_[at_ + w.size()])) return false;
    at_ += w.size();
    return true;
  }
  bool Word(std::string_view& w) {
    if (at_ >= s_.size() || !IsWordStart(s_[at_])) return false;
    const size_t start = at_;
    while (at_ < s_.size() && IsWordChar(s_[at_])) ++at_;
    w = s_.substr(start, at_ - start);
    return true;
  }
  // A '...' string of printable ASCII with no escapes: its text is its value.
  bool String(std::string_view& v) {
    if (!Take('\'')) return false;
    const size_t start = at_;
    while (at_ < s_.size() && s_[at_] != '\'') {
      const char c = s_[at_];
      if (c < 0x20 || c > 0x7E || c == '\\') return false;
      ++at_;
    }
    if (at_ >= s_.size()) return false;
    v = s_.substr(start, at_ - start);
    ++at_;
    return true;
  }
  // A property name: bare (no '-', which STIX 2.1 requires quoted) or quoted.
  bool Key(pattern::PathStep& step) {
    step.kind = pattern::PathStep::Kind::kKey;
    if (at_ < s_.size() && s_[at_] == '\'') return String(step.key);
    return Word(step.key) && step.key.find('-') == std::string_view::npos;
  }

  bool Comparison(std::vector<SimpleKey>& out);
  bool ValidValues(const CmpExpr& c) const;

  std::string_view s_;
  const pattern::PatternLimits& limits_;
  size_t at_ = 0;
  std::array<pattern::PathStep, kMaxSteps> steps_;
  std::array<pattern::Literal, kMaxValues> values_;
};

// type:key(.key)* (= 'v' | IN ('v', ...) | ISSUBSET 'v')
bool Scanner::Comparison(std::vector<SimpleKey>& out) {
  CmpExpr c;
  if (!Word(c.path.object_type) || !Take(':')) return false;
  size_t steps = 0;
  do {
    if (steps == kMaxSteps || !Key(steps_[steps++])) return false;
  } while (Take('.'));
  c.path.steps = std::span<const pattern::PathStep>(steps_.data(), steps);
  Spaces();
  size_t values = 0;
  if (Take('=')) {
    Take('=');  // "==" is "="
    c.op = CompareOp::kEq;
  } else if (Keyword("IN")) {
    c.op = CompareOp::kIn;
  } else if (Keyword("ISSUBSET")) {
    c.op = CompareOp::kIsSubset;
  } else if (Keyword("LIKE")) {
    c.op = CompareOp::kLike;
  } else {
    return false;
  }
  Spaces();
  if (c.op == CompareOp::kIn) {
    if (!Take('(')) return false;
    do {
      Spaces();
      if (values == kMaxValues || !String(values_[values++].text)) return false;
      Spaces();
    } while (Take(','));
    if (!Take(')')) return false;
  } else if (!String(values_[values++].text)) {
    return false;
  }
  c.values = std::span<const pattern::Literal>(values_.data(), values);
  return ValidValues(c) && ClassifyComparison(c, out);
}

// What the validator checks of these comparisons: IN-list size, ISSUBSET blocks, LIKE
// sizes, hashes.
bool Scanner::ValidValues(const CmpExpr& c) const {
  if (c.values.size() > limits_.max_in_list_size) return false;
  if (c.op == CompareOp::kLike) {
    return c.values[0].text.size() <= kMaxFastLikeBytes && limits_.max_regex_memory >= kLikeMemoryFloor;
  }
  if (c.op == CompareOp::kIsSubset) {
    // Only the plain IPv4 form "a.b.c.d/n", which every CIDR parser reads alike.
    const std::string_view v = c.values[0].text;
    const size_t slash = v.find('/');
    if (slash == std::string_view::npos || !ParseIpv4(v.substr(0, slash))) return false;
    const std::string_view bits = v.substr(slash + 1);
    return (bits.size() == 1 && IsDigit(bits[0])) ||
           (bits.size() == 2 && bits[0] >= '1' && bits[0] <= '3' && IsDigit(bits[1]) &&
            (bits[0] < '3' || bits[1] <= '2'));
  }
  const auto& steps = c.path.steps;
  if (steps.size() < 2 || steps[steps.size() - 2].key != "hashes") return true;
  const std::optional<size_t> digits = pattern::HashDigits(steps.back().key);
  if (!digits) return true;
  for (const pattern::Literal& l : c.values) {
    if (l.text.size() != *digits) return false;
    for (char ch : l.text) {
      if (!IsHex(ch)) return false;
    }
  }
  return true;
}

}  // namespace

std::optional<std::vector<SimpleKey>> FastClassify(std::string_view text,
                                                   const pattern::PatternLimits& limits) {
  if (text.size() > limits.max_pattern_bytes || limits.max_nesting_depth < kShapeDepth ||
      limits.max_bound_observations < 1) {
    return std::nullopt;
  }
  std::vector<SimpleKey> keys;
  Scanner scanner(text, limits);
  if (!scanner.Pattern(keys) || keys.size() > kMaxKeysPerIndicator) return std::nullopt;
  return keys;
}

}  // namespace kizuna::detect
