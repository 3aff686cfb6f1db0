// Kizuna.
#include "kizuna/pattern/parser.h"

#include <charconv>
#include <cmath>
#include <string>
#include <vector>

#include "kizuna/base/status.h"
#include "kizuna/base/strings.h"
#include "kizuna/pattern/errors.h"
#include "kizuna/pattern/lexer.h"

namespace kizuna::pattern {
namespace {

constexpr size_t kMaxShownTokenChars = 40;

class Parser {
 public:
  Parser(Ast& ast, std::vector<Token> tokens, const ParseOptions& options)
      : arena_(ast.arena()), tokens_(std::move(tokens)), options_(options) {}

  absl::StatusOr<const ObsExpr*> Run() {
    KZ_ASSIGN_OR_RETURN(const ObsExpr* root, ParseFollowedBy());
    if (Peek().kind != TokenKind::kEnd) {
      return Expected("AND, OR, FOLLOWEDBY, a qualifier or the end of the pattern");
    }
    return root;
  }

 private:
  // ---- tokens ----
  const Token& Peek(size_t ahead = 0) const {
    const size_t i = pos_ + ahead;
    return i < tokens_.size() ? tokens_[i] : tokens_.back();
  }
  const Token& Take() { return tokens_[pos_ < tokens_.size() - 1 ? pos_++ : pos_]; }
  bool IsKeyword(std::string_view word, size_t ahead = 0) const {
    const Token& t = Peek(ahead);
    return t.kind == TokenKind::kWord && t.text == word;
  }
  bool TakeKeyword(std::string_view word) {
    if (!IsKeyword(word)) return false;
    ++pos_;
    return true;
  }

  std::string Describe(const Token& t) const {
    switch (t.kind) {
      case TokenKind::kEnd: return "the end of the pattern";
      case TokenKind::kWord:
      case TokenKind::kString:
      case TokenKind::kInt:
      case TokenKind::kFloat:
      case TokenKind::kHex:
      case TokenKind::kBinary:
      case TokenKind::kTimestamp: {
        std::string_view shown = t.text.substr(0, kMaxShownTokenChars);
        std::string_view more = shown.size() < t.text.size() ? "..." : "";
        if (t.kind == TokenKind::kWord) return StrCat("'", shown, more, "'");
        return StrCat(TokenKindName(t.kind), " ", shown, more);
      }
      default: return std::string(TokenKindName(t.kind));
    }
  }

  absl::Status Expected(std::string_view what) const {
    return PatternError(Peek().offset, "syntax",
                        StrCat("expected ", what, ", found ", Describe(Peek())));
  }
  absl::Status Expect(TokenKind kind, std::string_view what) {
    if (Peek().kind != kind) return Expected(what);
    ++pos_;
    return absl::OkStatus();
  }
  absl::Status ExpectKeyword(std::string_view word) {
    if (TakeKeyword(word)) return absl::OkStatus();
    return Expected(StrCat("'", word, "'"));
  }

  // ---- depth ----
  absl::Status Enter(uint32_t offset) {
    if (++depth_ > options_.limits.max_nesting_depth) {
      return PatternError(offset, "too-deep",
                          StrCat("pattern nests deeper than the limit of ",
                                 options_.limits.max_nesting_depth));
    }
    return absl::OkStatus();
  }
  template <typename Node>
  absl::Status CheckDepth(const Node& node) const {
    if (node.depth > options_.limits.max_nesting_depth) {
      return PatternError(node.offset, "too-deep",
                          StrCat("pattern nests deeper than the limit of ",
                                 options_.limits.max_nesting_depth));
    }
    return absl::OkStatus();
  }

  // ---- observation expressions ----
  absl::StatusOr<const ObsExpr*> ParseFollowedBy() {
    return ParseObsChain(ObsExpr::Kind::kFollowedBy, "FOLLOWEDBY",
                         [this] { return ParseObsOr(); });
  }
  absl::StatusOr<const ObsExpr*> ParseObsOr() {
    return ParseObsChain(ObsExpr::Kind::kOr, "OR", [this] { return ParseObsAnd(); });
  }
  absl::StatusOr<const ObsExpr*> ParseObsAnd() {
    return ParseObsChain(ObsExpr::Kind::kAnd, "AND", [this] { return ParseQualified(); });
  }

  template <typename Next>
  absl::StatusOr<const ObsExpr*> ParseObsChain(ObsExpr::Kind kind, std::string_view keyword,
                                               Next next) {
    KZ_ASSIGN_OR_RETURN(const ObsExpr* first, next());
    if (!IsKeyword(keyword)) return first;
    std::vector<const ObsExpr*> operands = {first};
    while (TakeKeyword(keyword)) {
      KZ_ASSIGN_OR_RETURN(const ObsExpr* operand, next());
      operands.push_back(operand);
    }
    ObsExpr node;
    node.kind = kind;
    node.offset = first->offset;
    for (const ObsExpr* op : operands) node.depth = std::max(node.depth, op->depth + 1);
    node.operands = arena_.CopyArray<const ObsExpr*>(operands);
    KZ_RETURN_IF_ERROR(CheckDepth(node));
    return arena_.New<ObsExpr>(node);
  }

  absl::StatusOr<const ObsExpr*> ParseQualified() {
    KZ_ASSIGN_OR_RETURN(const ObsExpr* expr, ParsePrimary());
    while (true) {
      ObsExpr node;
      node.offset = Peek().offset;
      if (TakeKeyword("WITHIN")) {
        node.kind = ObsExpr::Kind::kWithin;
        if (Peek().kind != TokenKind::kInt && Peek().kind != TokenKind::kFloat) {
          return Expected("a number of seconds after WITHIN");
        }
        KZ_ASSIGN_OR_RETURN(node.first, ParseLiteral());
        KZ_RETURN_IF_ERROR(ExpectKeyword("SECONDS"));
      } else if (TakeKeyword("REPEATS")) {
        node.kind = ObsExpr::Kind::kRepeats;
        if (Peek().kind != TokenKind::kInt) return Expected("an integer after REPEATS");
        KZ_ASSIGN_OR_RETURN(node.first, ParseLiteral());
        KZ_RETURN_IF_ERROR(ExpectKeyword("TIMES"));
      } else if (TakeKeyword("START")) {
        node.kind = ObsExpr::Kind::kStartStop;
        KZ_ASSIGN_OR_RETURN(node.first, ParseQualifierTime("START"));
        KZ_RETURN_IF_ERROR(ExpectKeyword("STOP"));
        KZ_ASSIGN_OR_RETURN(node.second, ParseQualifierTime("STOP"));
      } else {
        return expr;
      }
      node.depth = expr->depth + 1;
      node.operands = arena_.CopyArray<const ObsExpr*>(std::span<const ObsExpr* const>(&expr, 1));
      KZ_RETURN_IF_ERROR(CheckDepth(node));
      expr = arena_.New<ObsExpr>(node);
    }
  }

  absl::StatusOr<Literal> ParseQualifierTime(std::string_view keyword) {
    const TokenKind kind = Peek().kind;
    if (kind == TokenKind::kTimestamp) return ParseLiteral();
    if (kind == TokenKind::kString && options_.version == StixVersion::k20) return ParseLiteral();
    return Expected(StrCat("a timestamp t'...' after ", keyword,
                           options_.version == StixVersion::k20 ? " (or a string in STIX 2.0)"
                                                                : ""));
  }

  absl::StatusOr<const ObsExpr*> ParsePrimary() {
    const Token& t = Peek();
    if (t.kind == TokenKind::kLBracket) {
      KZ_RETURN_IF_ERROR(Enter(t.offset));
      ++pos_;
      KZ_ASSIGN_OR_RETURN(const CmpExpr* cmp, ParseCmpOr());
      KZ_RETURN_IF_ERROR(Expect(TokenKind::kRBracket, "AND, OR or ']'"));
      --depth_;
      ObsExpr node;
      node.kind = ObsExpr::Kind::kObservation;
      node.offset = t.offset;
      node.comparison = cmp;
      node.depth = cmp->depth + 1;
      KZ_RETURN_IF_ERROR(CheckDepth(node));
      return arena_.New<ObsExpr>(node);
    }
    if (t.kind == TokenKind::kLParen) {
      KZ_RETURN_IF_ERROR(Enter(t.offset));
      ++pos_;
      KZ_ASSIGN_OR_RETURN(const ObsExpr* inner, ParseFollowedBy());
      KZ_RETURN_IF_ERROR(Expect(TokenKind::kRParen, "AND, OR, FOLLOWEDBY, a qualifier or ')'"));
      --depth_;
      ObsExpr node;
      node.kind = ObsExpr::Kind::kGroup;
      node.offset = t.offset;
      node.depth = inner->depth + 1;
      node.operands = arena_.CopyArray<const ObsExpr*>(std::span<const ObsExpr* const>(&inner, 1));
      KZ_RETURN_IF_ERROR(CheckDepth(node));
      return arena_.New<ObsExpr>(node);
    }
    return Expected("'[' or '(' to start an observation expression");
  }

  // ---- comparison expressions ----
  absl::StatusOr<const CmpExpr*> ParseCmpOr() {
    return ParseCmpChain(CmpExpr::Kind::kOr, "OR", [this] { return ParseCmpAnd(); });
  }
  absl::StatusOr<const CmpExpr*> ParseCmpAnd() {
    return ParseCmpChain(CmpExpr::Kind::kAnd, "AND", [this] { return ParseCmpPrimary(); });
  }

  template <typename Next>
  absl::StatusOr<const CmpExpr*> ParseCmpChain(CmpExpr::Kind kind, std::string_view keyword,
                                               Next next) {
    KZ_ASSIGN_OR_RETURN(const CmpExpr* first, next());
    if (!IsKeyword(keyword)) return first;
    std::vector<const CmpExpr*> operands = {first};
    while (TakeKeyword(keyword)) {
      KZ_ASSIGN_OR_RETURN(const CmpExpr* operand, next());
      operands.push_back(operand);
    }
    CmpExpr node;
    node.kind = kind;
    node.offset = first->offset;
    for (const CmpExpr* op : operands) node.depth = std::max(node.depth, op->depth + 1);
    node.operands = arena_.CopyArray<const CmpExpr*>(operands);
    KZ_RETURN_IF_ERROR(CheckDepth(node));
    return arena_.New<CmpExpr>(node);
  }

  absl::StatusOr<const CmpExpr*> ParseCmpPrimary() {
    const Token& t = Peek();
    if (t.kind == TokenKind::kLParen) {
      KZ_RETURN_IF_ERROR(Enter(t.offset));
      ++pos_;
      KZ_ASSIGN_OR_RETURN(const CmpExpr* inner, ParseCmpOr());
      KZ_RETURN_IF_ERROR(Expect(TokenKind::kRParen, "AND, OR or ')'"));
      --depth_;
      CmpExpr node;
      node.kind = CmpExpr::Kind::kGroup;
      node.offset = t.offset;
      node.depth = inner->depth + 1;
      node.operands = arena_.CopyArray<const CmpExpr*>(std::span<const CmpExpr* const>(&inner, 1));
      KZ_RETURN_IF_ERROR(CheckDepth(node));
      return arena_.New<CmpExpr>(node);
    }
    CmpExpr node;
    node.kind = CmpExpr::Kind::kCompare;
    node.offset = t.offset;
    // [NOT] EXISTS path. A word followed by ':' is an object type, even one named EXISTS.
    const bool not_exists = IsKeyword("NOT") && IsKeyword("EXISTS", 1) &&
                            Peek(2).kind == TokenKind::kWord && Peek(3).kind == TokenKind::kColon;
    if (not_exists || (IsKeyword("EXISTS") && Peek(1).kind == TokenKind::kWord &&
                       Peek(2).kind == TokenKind::kColon)) {
      if (options_.version == StixVersion::k20) {
        return PatternError(t.offset, "syntax", "EXISTS needs STIX 2.1");
      }
      node.negated = not_exists;
      pos_ += not_exists ? 2 : 1;
      node.op = CompareOp::kExists;
      KZ_ASSIGN_OR_RETURN(node.path, ParsePath());
      return arena_.New<CmpExpr>(node);
    }
    if (t.kind != TokenKind::kWord) {
      return Expected("an object path such as file:name, EXISTS or '('");
    }
    if (t.text == "NOT" && Peek(1).kind != TokenKind::kColon) {
      return Expected("an object path (NOT goes between the path and the operator: a:b NOT = 1)");
    }
    KZ_ASSIGN_OR_RETURN(node.path, ParsePath());
    node.negated = TakeKeyword("NOT");
    KZ_RETURN_IF_ERROR(ParseOperatorAndValue(node));
    return arena_.New<CmpExpr>(node);
  }

  absl::Status ParseOperatorAndValue(CmpExpr& node) {
    const Token& op = Peek();
    const bool ordering = op.kind == TokenKind::kLt || op.kind == TokenKind::kLe ||
                          op.kind == TokenKind::kGt || op.kind == TokenKind::kGe;
    if (op.kind == TokenKind::kEq || op.kind == TokenKind::kNe || ordering) {
      ++pos_;
      node.op = op.kind == TokenKind::kEq   ? CompareOp::kEq
                : op.kind == TokenKind::kNe ? CompareOp::kNe
                : op.kind == TokenKind::kLt ? CompareOp::kLt
                : op.kind == TokenKind::kLe ? CompareOp::kLe
                : op.kind == TokenKind::kGt ? CompareOp::kGt
                                            : CompareOp::kGe;
      if (!IsValueStart()) return Expected("a value (string, number, boolean, h'', b'' or t'')");
      if (ordering && (IsKeyword("true") || IsKeyword("false"))) {
        return Expected("an orderable value (booleans have no order)");
      }
      KZ_ASSIGN_OR_RETURN(Literal value, ParseLiteral());
      node.values = arena_.CopyArray<Literal>(std::span<const Literal>(&value, 1));
      return absl::OkStatus();
    }
    if (TakeKeyword("IN")) {
      node.op = CompareOp::kIn;
      return ParseSet(node);
    }
    struct StringOp { std::string_view word; CompareOp op; };
    static constexpr StringOp kStringOps[] = {{"LIKE", CompareOp::kLike},
                                              {"MATCHES", CompareOp::kMatches},
                                              {"ISSUBSET", CompareOp::kIsSubset},
                                              {"ISSUPERSET", CompareOp::kIsSuperset}};
    for (const StringOp& s : kStringOps) {
      if (!TakeKeyword(s.word)) continue;
      node.op = s.op;
      if (Peek().kind != TokenKind::kString) {
        return Expected(StrCat("a string after ", s.word));
      }
      KZ_ASSIGN_OR_RETURN(Literal value, ParseLiteral());
      node.values = arena_.CopyArray<Literal>(std::span<const Literal>(&value, 1));
      return absl::OkStatus();
    }
    return Expected(
        node.negated ? "a comparison operator after NOT"
                     : "a comparison operator (=, !=, <, <=, >, >=, IN, LIKE, MATCHES, "
                       "ISSUBSET, ISSUPERSET) or NOT");
  }

  absl::Status ParseSet(CmpExpr& node) {
    KZ_RETURN_IF_ERROR(Expect(TokenKind::kLParen, "'(' after IN"));
    std::vector<Literal> values;
    if (Peek().kind != TokenKind::kRParen) {
      while (true) {
        if (values.size() >= options_.limits.max_in_list_size) {
          return PatternError(Peek().offset, "too-many-values",
                              StrCat("IN list longer than the limit of ",
                                     options_.limits.max_in_list_size));
        }
        if (!IsValueStart()) return Expected("a value in the IN list");
        KZ_ASSIGN_OR_RETURN(Literal value, ParseLiteral());
        values.push_back(value);
        if (Peek().kind == TokenKind::kRParen) break;
        KZ_RETURN_IF_ERROR(Expect(TokenKind::kComma, "',' or ')' in the IN list"));
      }
    }
    ++pos_;  // ')'
    node.values = arena_.CopyArray<Literal>(values);
    return absl::OkStatus();
  }

  bool IsValueStart() const {
    switch (Peek().kind) {
      case TokenKind::kString:
      case TokenKind::kInt:
      case TokenKind::kFloat:
      case TokenKind::kHex:
      case TokenKind::kBinary:
      case TokenKind::kTimestamp:
        return true;
      case TokenKind::kWord:
        return IsKeyword("true") || IsKeyword("false");
      default:
        return false;
    }
  }

  absl::StatusOr<Literal> ParseLiteral() {
    const Token& t = Take();
    Literal l;
    l.offset = t.offset;
    switch (t.kind) {
      case TokenKind::kString:
        l.kind = LiteralKind::kString;
        l.text = arena_.CopyString(UnescapeString(t.text));
        return l;
      case TokenKind::kInt: {
        l.kind = LiteralKind::kInt;
        std::string_view digits = t.text[0] == '+' ? t.text.substr(1) : t.text;
        auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(),
                                         l.int_value);
        if (ec != std::errc() || end != digits.data() + digits.size()) {
          return PatternError(t.offset, "int-out-of-range",
                              StrCat("integer ", t.text.substr(0, kMaxShownTokenChars),
                                     " does not fit in 64 bits"));
        }
        return l;
      }
      case TokenKind::kFloat: {
        l.kind = LiteralKind::kFloat;
        std::string_view digits = t.text[0] == '+' ? t.text.substr(1) : t.text;
        auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(),
                                         l.float_value);
        if (ec != std::errc() || end != digits.data() + digits.size() ||
            !std::isfinite(l.float_value)) {
          return PatternError(t.offset, "float-out-of-range",
                              StrCat("float ", t.text.substr(0, kMaxShownTokenChars),
                                     " is out of range"));
        }
        return l;
      }
      case TokenKind::kHex: {
        l.kind = LiteralKind::kHex;
        std::string lower(t.text.substr(2, t.text.size() - 3));
        for (char& c : lower) {
          if (c >= 'A' && c <= 'F') c = static_cast<char>(c - 'A' + 'a');
        }
        l.text = arena_.CopyString(lower);
        return l;
      }
      case TokenKind::kBinary:
      case TokenKind::kTimestamp:
        l.kind = t.kind == TokenKind::kBinary ? LiteralKind::kBinary : LiteralKind::kTimestamp;
        l.text = arena_.CopyString(t.text.substr(2, t.text.size() - 3));
        return l;
      case TokenKind::kWord:
        l.kind = LiteralKind::kBool;
        l.bool_value = t.text == "true";
        return l;
      default:
        return PatternError(t.offset, "syntax", "expected a value");
    }
  }

  // ---- object paths ----
  absl::StatusOr<ObjectPath> ParsePath() {
    ObjectPath path;
    const Token& type = Take();
    path.offset = type.offset;
    path.object_type = arena_.CopyString(type.text);
    KZ_RETURN_IF_ERROR(Expect(TokenKind::kColon, "':' after the object type"));
    std::vector<PathStep> steps;
    KZ_ASSIGN_OR_RETURN(PathStep first, ParseKey("a property name after ':'"));
    steps.push_back(first);
    while (true) {
      if (Peek().kind == TokenKind::kDot) {
        ++pos_;
        KZ_ASSIGN_OR_RETURN(PathStep key, ParseKey("a property name after '.'"));
        steps.push_back(key);
      } else if (Peek().kind == TokenKind::kLBracket) {
        PathStep step;
        step.offset = Peek().offset;
        ++pos_;
        if (Peek().kind == TokenKind::kStar) {
          ++pos_;
          step.kind = PathStep::Kind::kStar;
        } else if (Peek().kind == TokenKind::kInt) {
          KZ_ASSIGN_OR_RETURN(Literal index, ParseLiteral());
          step.kind = PathStep::Kind::kIndex;
          step.index = index.int_value;
        } else {
          return Expected("a list index or '*'");
        }
        KZ_RETURN_IF_ERROR(Expect(TokenKind::kRBracket, "']' after the list index"));
        steps.push_back(step);
      } else {
        break;
      }
    }
    path.steps = arena_.CopyArray<PathStep>(steps);
    return path;
  }

  absl::StatusOr<PathStep> ParseKey(std::string_view what) {
    const Token& t = Peek();
    PathStep step;
    step.kind = PathStep::Kind::kKey;
    step.offset = t.offset;
    if (t.kind == TokenKind::kString) {
      ++pos_;
      step.key = arena_.CopyString(UnescapeString(t.text));
      return step;
    }
    if (t.kind != TokenKind::kWord) return Expected(what);
    // Object types may hold '-', property names only quoted (the 2.0 and 2.1 grammars).
    if (t.text.find('-') != std::string_view::npos) {
      return PatternError(t.offset, "syntax",
                          StrCat("property name '", t.text.substr(0, kMaxShownTokenChars),
                                 "' contains '-' and must be quoted: '",
                                 t.text.substr(0, kMaxShownTokenChars), "'"));
    }
    ++pos_;
    step.key = arena_.CopyString(t.text);
    return step;
  }

  Arena& arena_;
  std::vector<Token> tokens_;
  const ParseOptions& options_;
  size_t pos_ = 0;
  size_t depth_ = 0;
};

}  // namespace

absl::StatusOr<std::unique_ptr<Ast>> Parse(std::string_view text, const ParseOptions& options) {
  if (text.size() > options.limits.max_pattern_bytes) {
    return PatternError(0, "too-long",
                        StrCat("pattern is ", text.size(), " bytes, over the limit of ",
                               options.limits.max_pattern_bytes));
  }
  KZ_ASSIGN_OR_RETURN(std::vector<Token> tokens, Tokenize(text));
  auto ast = std::make_unique<Ast>(text, options.version);
  // Tokens view `text`; re-point them at the Ast's copy so literals outlive the caller's text.
  const char* base = ast->text().data();
  for (Token& t : tokens) t.text = std::string_view(base + t.offset, t.text.size());
  Parser parser(*ast, std::move(tokens), options);
  KZ_ASSIGN_OR_RETURN(const ObsExpr* root, parser.Run());
  ast->set_root(root);
  return ast;
}

}  // namespace kizuna::pattern
