// Kizuna.
#include "kizuna/pattern/validator.h"

#include <algorithm>
#include <array>
#include <string>
#include <vector>

#include "kizuna/base/status.h"
#include "kizuna/base/strings.h"
#include "kizuna/pattern/errors.h"
#include "kizuna/pattern/cidr.h"
#include "kizuna/pattern/internal/compare.h"
#include "kizuna/pattern/internal/regex.h"
#include "kizuna/pattern/text.h"

namespace kizuna::pattern {

// Hash names compare upper-case without '-' and '_'.
std::optional<size_t> HashDigits(std::string_view name) {
  std::string key;
  for (char c : name) {
    if (c == '-' || c == '_') continue;
    key += static_cast<char>(c >= 'a' && c <= 'z' ? c - 'a' + 'A' : c);
  }
  static constexpr std::array<std::pair<std::string_view, size_t>, 10> kHashes = {{
      {"MD5", 32}, {"SHA1", 40}, {"SHA224", 56}, {"SHA256", 64}, {"SHA384", 96},
      {"SHA512", 128}, {"SHA3224", 56}, {"SHA3256", 64}, {"SHA3384", 96}, {"SHA3512", 128}}};
  for (const auto& [hash, digits] : kHashes) {
    if (hash == key) return digits;
  }
  return std::nullopt;
}

namespace {

using pattern_internal::Constant;

std::string_view QualifierName(ObsExpr::Kind kind) {
  return kind == ObsExpr::Kind::kWithin ? "WITHIN" : kind == ObsExpr::Kind::kRepeats
                                                         ? "REPEATS"
                                                         : "START/STOP";
}

bool IsQualifier(ObsExpr::Kind kind) {
  return kind == ObsExpr::Kind::kWithin || kind == ObsExpr::Kind::kRepeats ||
         kind == ObsExpr::Kind::kStartStop;
}

class Validator {
 public:
  Validator(const Ast& ast, const PatternLimits& limits) : ast_(ast), limits_(limits) {}

  absl::Status Run() {
    KZ_RETURN_IF_ERROR(Check(ast_.root()));
    const uint64_t bound = BoundObservations(ast_.root());
    if (bound > limits_.max_bound_observations) {
      return PatternError(ast_.root().offset, "too-many-observations",
                          StrCat("a match would bind ", bound, " observations, over the limit of ",
                                 limits_.max_bound_observations));
    }
    return absl::OkStatus();
  }

 private:
  absl::Status Check(const ObsExpr& e) {
    switch (e.kind) {
      case ObsExpr::Kind::kObservation: {
        std::vector<std::string_view> types;
        return CheckCmp(*e.comparison, types);
      }
      case ObsExpr::Kind::kWithin: KZ_RETURN_IF_ERROR(CheckWithin(e)); break;
      case ObsExpr::Kind::kRepeats: KZ_RETURN_IF_ERROR(CheckRepeats(e)); break;
      case ObsExpr::Kind::kStartStop:
        KZ_RETURN_IF_ERROR(CheckTime(e.first));
        KZ_RETURN_IF_ERROR(CheckTime(e.second));
        break;
      default: break;
    }
    if (IsQualifier(e.kind)) {
      for (const ObsExpr* inner = e.operands[0]; IsQualifier(inner->kind);
           inner = inner->operands[0]) {
        if (inner->kind == e.kind) {
          return PatternError(
              e.offset, "duplicate-qualifier",
              StrCat(QualifierName(e.kind),
                     " is applied twice to one observation expression (parenthesise the "
                     "inner part to qualify it again)"));
        }
      }
    }
    for (const ObsExpr* op : e.operands) KZ_RETURN_IF_ERROR(Check(*op));
    return absl::OkStatus();
  }

  absl::Status CheckWithin(const ObsExpr& e) {
    const double seconds = e.first.kind == LiteralKind::kInt
                               ? static_cast<double>(e.first.int_value)
                               : e.first.float_value;
    if (!(seconds > 0)) {
      return PatternError(e.first.offset, "within-not-positive",
                          "WITHIN needs a positive number of seconds");
    }
    if (seconds > limits_.max_within_seconds) {
      return PatternError(e.first.offset, "within-too-large",
                          StrCat("WITHIN is over the limit of ", limits_.max_within_seconds,
                                 " seconds"));
    }
    return absl::OkStatus();
  }

  absl::Status CheckRepeats(const ObsExpr& e) {
    if (e.first.int_value < 1) {
      return PatternError(e.first.offset, "repeats-not-positive",
                          "REPEATS needs a positive number of times");
    }
    if (e.first.int_value > limits_.max_repeats) {
      return PatternError(e.first.offset, "repeats-too-large",
                          StrCat("REPEATS is over the limit of ", limits_.max_repeats));
    }
    return absl::OkStatus();
  }

  absl::Status CheckTime(const Literal& l) {
    auto time = stix::ParseTimestamp(l.text);
    if (!time.ok()) return PatternError(l.offset, "bad-timestamp", View(time.status().message()));
    return absl::OkStatus();
  }

  absl::Status CheckLiteral(const Literal& l) {
    switch (l.kind) {
      case LiteralKind::kTimestamp: return CheckTime(l);
      case LiteralKind::kHex:
        if (l.text.size() % 2 != 0 ||
            !std::all_of(l.text.begin(), l.text.end(), [](char c) {
              return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
            })) {
          return PatternError(l.offset, "bad-hex",
                              "h'' needs an even number of hex digits (0-9, a-f)");
        }
        return absl::OkStatus();
      case LiteralKind::kBinary:
        if (!pattern_internal::MakeConstant(l).ok()) {
          return PatternError(l.offset, "bad-base64", "b'' needs padded standard base64");
        }
        return absl::OkStatus();
      default: return absl::OkStatus();
    }
  }

  // Checks `e` and sets `types` to the object types its matches may be rooted at.
  absl::Status CheckCmp(const CmpExpr& e, std::vector<std::string_view>& types) {
    types.clear();
    switch (e.kind) {
      case CmpExpr::Kind::kCompare:
        types.push_back(e.path.object_type);
        return CheckComparison(e);
      case CmpExpr::Kind::kGroup: return CheckCmp(*e.operands[0], types);
      case CmpExpr::Kind::kOr: {
        std::vector<std::string_view> sub;
        for (const CmpExpr* op : e.operands) {
          KZ_RETURN_IF_ERROR(CheckCmp(*op, sub));
          for (std::string_view t : sub) {
            if (std::find(types.begin(), types.end(), t) == types.end()) types.push_back(t);
          }
        }
        return absl::OkStatus();
      }
      case CmpExpr::Kind::kAnd: {
        std::vector<std::string_view> sub;
        for (size_t i = 0; i < e.operands.size(); ++i) {
          KZ_RETURN_IF_ERROR(CheckCmp(*e.operands[i], sub));
          if (i == 0) {
            types = sub;
            continue;
          }
          std::vector<std::string_view> both;
          for (std::string_view t : types) {
            if (std::find(sub.begin(), sub.end(), t) != sub.end()) both.push_back(t);
          }
          if (both.empty()) {
            return PatternError(
                e.operands[i]->offset, "and-mixed-types",
                StrCat("AND inside one observation expression joins comparisons on different "
                       "object types (", types.front(), " and ", sub.front(),
                       "); use OR, or separate [ ] joined by AND"));
          }
          types = std::move(both);
        }
        return absl::OkStatus();
      }
    }
    return absl::OkStatus();
  }

  absl::Status CheckComparison(const CmpExpr& e) {
    for (const PathStep& step : e.path.steps) {
      if (step.kind == PathStep::Kind::kIndex && step.index < 0) {
        return PatternError(step.offset, "negative-index", "list indexes start at 0");
      }
    }
    for (const Literal& l : e.values) KZ_RETURN_IF_ERROR(CheckLiteral(l));
    switch (e.op) {
      case CompareOp::kIn: KZ_RETURN_IF_ERROR(CheckSet(e)); break;
      case CompareOp::kMatches: {
        auto regex = pattern_internal::Regex::Compile(e.values[0].text, limits_.max_regex_memory);
        if (!regex.ok()) {
          return PatternError(e.values[0].offset, "bad-regex",
                              StrCat("MATCHES regex cannot run in linear time: ",
                                     View(regex.status().message()),
                                     "; backreferences, lookaround and possessive "
                                     "quantifiers are not supported"));
        }
        break;
      }
      case CompareOp::kLike:
        if (!LikeMatcher(e.values[0].text, limits_.max_regex_memory).ok()) {
          return PatternError(e.values[0].offset, "bad-like", "LIKE pattern is too large");
        }
        break;
      case CompareOp::kIsSubset:
      case CompareOp::kIsSuperset:
        if (!ParseIpBlock(e.values[0].text).has_value()) {
          return PatternError(e.values[0].offset, "bad-cidr",
                              StrCat(CompareOpName(e.op),
                                     " needs an IPv4 or IPv6 address or CIDR block such as "
                                     "'198.51.100.0/24'"));
        }
        break;
      default: break;
    }
    return CheckHash(e);
  }

  absl::Status CheckSet(const CmpExpr& e) {
    const auto numeric = [](LiteralKind k) {
      return k == LiteralKind::kInt || k == LiteralKind::kFloat;
    };
    for (const Literal& l : e.values) {
      const LiteralKind first = e.values[0].kind;
      if (l.kind != first && !(numeric(l.kind) && numeric(first))) {
        return PatternError(l.offset, "mixed-in-set",
                            "values in an IN list must all have one type (ints and floats may "
                            "mix)");
      }
    }
    return absl::OkStatus();
  }

  absl::Status CheckHash(const CmpExpr& e) {
    if (e.op != CompareOp::kEq && e.op != CompareOp::kNe && e.op != CompareOp::kIn) {
      return absl::OkStatus();
    }
    const auto& steps = e.path.steps;
    if (steps.size() < 2 || steps.back().kind != PathStep::Kind::kKey ||
        steps[steps.size() - 2].kind != PathStep::Kind::kKey ||
        steps[steps.size() - 2].key != "hashes") {
      return absl::OkStatus();
    }
    std::optional<size_t> digits = HashDigits(steps.back().key);
    if (!digits.has_value()) return absl::OkStatus();
    for (const Literal& l : e.values) {
      if (l.kind != LiteralKind::kString) continue;
      const bool hex = std::all_of(l.text.begin(), l.text.end(), [](char c) {
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
      });
      if (!hex || l.text.size() != *digits) {
        return PatternError(l.offset, "bad-hash",
                            StrCat("'", l.text.substr(0, 80), "' is not a valid ",
                                   steps.back().key, " hash (", *digits, " hex digits)"));
      }
    }
    return absl::OkStatus();
  }

  // Observations one binding of `e` needs (saturating far above any limit).
  uint64_t BoundObservations(const ObsExpr& e) const {
    constexpr uint64_t kCap = uint64_t{1} << 40;
    switch (e.kind) {
      case ObsExpr::Kind::kObservation: return 1;
      case ObsExpr::Kind::kAnd:
      case ObsExpr::Kind::kFollowedBy: {
        uint64_t sum = 0;
        for (const ObsExpr* op : e.operands) sum = std::min(kCap, sum + BoundObservations(*op));
        return sum;
      }
      case ObsExpr::Kind::kOr: {
        uint64_t most = 0;
        for (const ObsExpr* op : e.operands) most = std::max(most, BoundObservations(*op));
        return most;
      }
      case ObsExpr::Kind::kRepeats: {
        const uint64_t times = static_cast<uint64_t>(std::max<int64_t>(1, e.first.int_value));
        const uint64_t inner = BoundObservations(*e.operands[0]);
        return inner > kCap / times ? kCap : std::min(kCap, times * inner);
      }
      default: return BoundObservations(*e.operands[0]);
    }
  }

  const Ast& ast_;
  const PatternLimits& limits_;
};

}  // namespace

absl::Status Validate(const Ast& ast, const PatternLimits& limits) {
  return Validator(ast, limits).Run();
}

}  // namespace kizuna::pattern
