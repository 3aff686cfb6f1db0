// Kizuna.
#include "kizuna/pattern/lexer.h"

#include "kizuna/base/strings.h"
#include "kizuna/pattern/errors.h"
#include "kizuna/pattern/internal/utf8.h"

namespace kizuna::pattern {
namespace {

using pattern_internal::DecodeUtf8;
using pattern_internal::IsValidUtf8;

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsWordStart(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
bool IsWordChar(char c) { return IsWordStart(c) || IsDigit(c) || c == '-'; }

// Unicode White_Space code points the STIX grammar skips, beyond ASCII.
bool IsUnicodeSpace(uint32_t cp) {
  return cp == 0x85 || cp == 0xA0 || cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200A) ||
         cp == 0x2028 || cp == 0x2029 || cp == 0x202F || cp == 0x205F || cp == 0x3000;
}

class Lexer {
 public:
  explicit Lexer(std::string_view text) : text_(text) {}

  absl::StatusOr<std::vector<Token>> Run() {
    std::vector<Token> tokens;
    while (true) {
      auto skipped = SkipSpaceAndComments();
      if (!skipped.ok()) return skipped;
      if (pos_ >= text_.size()) break;
      auto token = Next();
      if (!token.ok()) return token.status();
      tokens.push_back(*token);
    }
    tokens.push_back(Token{TokenKind::kEnd, static_cast<uint32_t>(text_.size()), {}});
    return tokens;
  }

 private:
  absl::Status Error(size_t at, std::string_view what) { return PatternError(at, "syntax", what); }

  Token Make(TokenKind kind, size_t start) {
    return Token{kind, static_cast<uint32_t>(start), text_.substr(start, pos_ - start)};
  }

  absl::Status SkipSpaceAndComments() {
    while (pos_ < text_.size()) {
      const char c = text_[pos_];
      if (c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f') {
        ++pos_;
      } else if (c == '/' && pos_ + 1 < text_.size() && text_[pos_ + 1] == '*') {
        size_t end = text_.find("*/", pos_ + 2);
        if (end == std::string_view::npos) return Error(pos_, "unterminated /* comment");
        pos_ = end + 2;
      } else if (c == '/' && pos_ + 1 < text_.size() && text_[pos_ + 1] == '/') {
        while (pos_ < text_.size() && text_[pos_] != '\n' && text_[pos_] != '\r') ++pos_;
      } else if (static_cast<uint8_t>(c) >= 0x80) {
        uint32_t cp;
        size_t len = DecodeUtf8(text_, pos_, cp);
        if (len == 0) return Error(pos_, "invalid UTF-8");
        if (!IsUnicodeSpace(cp)) return absl::OkStatus();  // Next() reports it
        pos_ += len;
      } else {
        return absl::OkStatus();
      }
    }
    return absl::OkStatus();
  }

  absl::StatusOr<Token> Next() {
    const size_t start = pos_;
    const char c = text_[pos_];
    const char next = pos_ + 1 < text_.size() ? text_[pos_ + 1] : '\0';
    switch (c) {
      case '[': return Single(TokenKind::kLBracket);
      case ']': return Single(TokenKind::kRBracket);
      case '(': return Single(TokenKind::kLParen);
      case ')': return Single(TokenKind::kRParen);
      case ':': return Single(TokenKind::kColon);
      case ',': return Single(TokenKind::kComma);
      case '*': return Single(TokenKind::kStar);
      case '\'': return Quoted(TokenKind::kString, start, start);
      case '=':
        pos_ += next == '=' ? 2 : 1;
        return Make(TokenKind::kEq, start);
      case '!':
        if (next != '=') return Error(start, "expected '!=' (a lone '!' is not an operator)");
        pos_ += 2;
        return Make(TokenKind::kNe, start);
      case '<':
        pos_ += (next == '=' || next == '>') ? 2 : 1;
        return Make(next == '=' ? TokenKind::kLe : next == '>' ? TokenKind::kNe : TokenKind::kLt,
                    start);
      case '>':
        pos_ += next == '=' ? 2 : 1;
        return Make(next == '=' ? TokenKind::kGe : TokenKind::kGt, start);
      case '.':
        if (IsDigit(next)) return Number(start);
        return Single(TokenKind::kDot);
      default:
        break;
    }
    if (IsDigit(c) || c == '+' || c == '-') return Number(start);
    if ((c == 'h' || c == 'b' || c == 't') && next == '\'') {
      TokenKind kind = c == 'h' ? TokenKind::kHex : c == 'b' ? TokenKind::kBinary
                                                              : TokenKind::kTimestamp;
      ++pos_;
      return Quoted(kind, start, pos_);
    }
    if (IsWordStart(c)) {
      while (pos_ < text_.size() && IsWordChar(text_[pos_])) ++pos_;
      return Make(TokenKind::kWord, start);
    }
    if (static_cast<uint8_t>(c) >= 0x80) {
      uint32_t cp;
      if (DecodeUtf8(text_, pos_, cp) == 0) return Error(start, "invalid UTF-8");
      return Error(start, StrCat("unexpected character U+", fmt::format("{:04X}", cp)));
    }
    if (static_cast<uint8_t>(c) < 0x20 || c == 0x7F) {
      return Error(start, StrCat("unexpected control character 0x",
                                 fmt::format("{:02X}", static_cast<uint8_t>(c))));
    }
    return Error(start, StrCat("unexpected character '", std::string_view(&c, 1), "'"));
  }

  Token Single(TokenKind kind) {
    ++pos_;
    return Make(kind, pos_ - 1);
  }

  // A quoted literal whose opening quote is at `quote`; strings allow \' and \\ escapes,
  // the prefixed literals (h'', b'', t'') allow no backslash at all.
  absl::StatusOr<Token> Quoted(TokenKind kind, size_t start, size_t quote) {
    pos_ = quote + 1;
    while (pos_ < text_.size()) {
      const char c = text_[pos_];
      if (c == '\'') {
        ++pos_;
        Token token = Make(kind, start);
        std::string_view body = text_.substr(quote + 1, pos_ - quote - 2);
        if (!IsValidUtf8(body)) return Error(quote + 1, "invalid UTF-8 inside a literal");
        return token;
      }
      if (c == '\\') {
        if (kind != TokenKind::kString) {
          return Error(pos_, "backslash inside an h'', b'' or t'' literal");
        }
        const char e = pos_ + 1 < text_.size() ? text_[pos_ + 1] : '\0';
        if (e != '\'' && e != '\\') {
          return Error(pos_, "invalid escape in string: only \\' and \\\\ are allowed");
        }
        pos_ += 2;
        continue;
      }
      ++pos_;
    }
    return Error(start, "unterminated literal: no closing quote");
  }

  // [+-]? digits with an optional fraction, or [+-]? '.' digits.
  absl::StatusOr<Token> Number(size_t start) {
    if (text_[pos_] == '+' || text_[pos_] == '-') ++pos_;
    const size_t digits = pos_;
    while (pos_ < text_.size() && IsDigit(text_[pos_])) ++pos_;
    const size_t int_len = pos_ - digits;
    if (pos_ < text_.size() && text_[pos_] == '.' && pos_ + 1 < text_.size() &&
        IsDigit(text_[pos_ + 1])) {
      ++pos_;
      while (pos_ < text_.size() && IsDigit(text_[pos_])) ++pos_;
      return Make(TokenKind::kFloat, start);
    }
    if (int_len == 0) return Error(start, "expected a digit after the sign");
    if (int_len > 1 && text_[digits] == '0') {
      return Error(start, "leading zeros are not allowed in an integer");
    }
    return Make(TokenKind::kInt, start);
  }

  std::string_view text_;
  size_t pos_ = 0;
};

}  // namespace

std::string_view TokenKindName(TokenKind kind) {
  switch (kind) {
    case TokenKind::kEnd: return "the end of the pattern";
    case TokenKind::kWord: return "a name";
    case TokenKind::kString: return "a string";
    case TokenKind::kInt: return "an integer";
    case TokenKind::kFloat: return "a float";
    case TokenKind::kHex: return "a hex literal";
    case TokenKind::kBinary: return "a binary literal";
    case TokenKind::kTimestamp: return "a timestamp literal";
    case TokenKind::kLBracket: return "'['";
    case TokenKind::kRBracket: return "']'";
    case TokenKind::kLParen: return "'('";
    case TokenKind::kRParen: return "')'";
    case TokenKind::kColon: return "':'";
    case TokenKind::kDot: return "'.'";
    case TokenKind::kComma: return "','";
    case TokenKind::kStar: return "'*'";
    case TokenKind::kEq: return "'='";
    case TokenKind::kNe: return "'!='";
    case TokenKind::kLt: return "'<'";
    case TokenKind::kLe: return "'<='";
    case TokenKind::kGt: return "'>'";
    case TokenKind::kGe: return "'>='";
  }
  return "a token";
}

absl::StatusOr<std::vector<Token>> Tokenize(std::string_view text) { return Lexer(text).Run(); }

std::string UnescapeString(std::string_view token_text) {
  std::string out;
  std::string_view body = token_text.substr(1, token_text.size() - 2);
  out.reserve(body.size());
  for (size_t i = 0; i < body.size(); ++i) {
    if (body[i] == '\\' && i + 1 < body.size()) ++i;
    out += body[i];
  }
  return out;
}

}  // namespace kizuna::pattern
