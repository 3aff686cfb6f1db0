// Kizuna.
#include "kizuna/store/postgres/pg_text.h"

#include <algorithm>
#include <cstdint>

#include "kizuna/base/strings.h"

namespace kizuna::store::pg_internal {
namespace {

using std::string_view_literals::operator""sv;

// PostgreSQL's limits: bytes of one lexeme, and the largest position.
constexpr size_t kMaxLexemeBytes = 2047;
constexpr int kMaxPosition = 16383;

// The code point at `text[at]`, advancing `at`; -1 (and one byte) for invalid UTF-8.
int32_t NextCodePoint(std::string_view text, size_t& at) {
  const auto byte = [&](size_t i) { return static_cast<uint8_t>(text[i]); };
  uint8_t b = byte(at);
  if (b < 0x80) {
    ++at;
    return b;
  }
  int length = b >= 0xf0 && b < 0xf5 ? 4 : b >= 0xe0 ? 3 : b >= 0xc2 && b < 0xe0 ? 2 : 0;
  if (length == 0 || at + length > text.size()) {
    ++at;
    return -1;
  }
  int32_t cp = b & (0x7f >> length);
  for (int i = 1; i < length; ++i) {
    uint8_t c = byte(at + i);
    if ((c & 0xc0) != 0x80) {
      ++at;
      return -1;
    }
    cp = cp << 6 | (c & 0x3f);
  }
  const int32_t min[] = {0, 0, 0x80, 0x800, 0x10000};
  if (cp < min[length] || cp > 0x10ffff || (cp >= 0xd800 && cp < 0xe000)) {
    ++at;
    return -1;
  }
  at += length;
  return cp;
}

void AppendUtf8(int32_t cp, std::string& out) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xc0 | cp >> 6);
    out += static_cast<char>(0x80 | (cp & 0x3f));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xe0 | cp >> 12);
    out += static_cast<char>(0x80 | (cp >> 6 & 0x3f));
    out += static_cast<char>(0x80 | (cp & 0x3f));
  } else {
    out += static_cast<char>(0xf0 | cp >> 18);
    out += static_cast<char>(0x80 | (cp >> 12 & 0x3f));
    out += static_cast<char>(0x80 | (cp >> 6 & 0x3f));
    out += static_cast<char>(0x80 | (cp & 0x3f));
  }
}

// Whether `cp` separates words (unicode61: everything but letters, numbers and private use).
bool IsSeparator(int32_t cp) {
  if (cp < 0x80)
    return !((cp >= '0' && cp <= '9') || (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z'));
  if (cp < 0xc0) {
    // Latin-1 punctuation and symbols; ª ² ³ µ ¹ º ¼ ½ ¾ are letters and numbers.
    return !(cp == 0xaa || cp == 0xb2 || cp == 0xb3 || cp == 0xb5 || cp == 0xb9 || cp == 0xba ||
             (cp >= 0xbc && cp <= 0xbe));
  }
  if (cp == 0xd7 || cp == 0xf7) return true;  // × ÷
  return (cp >= 0x2000 && cp <= 0x206f) ||    // general punctuation, spaces
         (cp >= 0x20a0 && cp <= 0x20cf) ||    // currency symbols
         (cp >= 0x2100 && cp <= 0x214f && cp != 0x2102 && cp != 0x2107 &&
          !(cp >= 0x210a && cp <= 0x2113) && cp != 0x2115 && !(cp >= 0x2119 && cp <= 0x211d) &&
          cp != 0x2124 && cp != 0x2126 && cp != 0x2128 && !(cp >= 0x212a && cp <= 0x212d) &&
          !(cp >= 0x212f && cp <= 0x2139)) ||  // letterlike symbols
         (cp >= 0x2190 && cp <= 0x245f) ||     // arrows, mathematical and technical symbols
         (cp >= 0x2500 && cp <= 0x27bf) ||     // box drawing, shapes, dingbats
         (cp >= 0x27c0 && cp <= 0x2bff) ||     // more arrows and mathematical symbols
         (cp >= 0x2e00 && cp <= 0x2e7f) ||     // supplemental punctuation
         (cp >= 0x3000 && cp <= 0x3004) ||
         (cp >= 0x3008 && cp <= 0x3020) || cp == 0x3030 ||
         (cp >= 0xfe30 && cp <= 0xfe4f) ||  // CJK compatibility forms
         (cp >= 0xfe50 && cp <= 0xfe6f) ||  // small form variants
         (cp >= 0xff00 && cp <= 0xff0f) || (cp >= 0xff1a && cp <= 0xff20) ||
         (cp >= 0xff3b && cp <= 0xff40) || (cp >= 0xff5b && cp <= 0xff65) || cp == 0xfeff ||
         (cp >= 0x1f000 && cp <= 0x1faff);  // emoji and other pictographs
}

// Latin-1 letters 0xc0-0xff folded: the ASCII letter, or 0 to keep the (lower-cased) letter.
constexpr std::string_view kLatin1 =
    "aaaaaa\0ceeeeiiii\0nooooo\0ouuuuy\0\0aaaaaa\0ceeeeiiii\0nooooo\0ouuuuy\0y"sv;
static_assert(kLatin1.size() == 64);
// Latin Extended-A 0x100-0x17f folded the same way.
constexpr std::string_view kLatinA =
    "aaaaaaccccccccdd"
    "ddeeeeeeeeeegggg"
    "gggghhhhiiiiiiii"
    "i\0\0\0jjkk\0lllllll"
    "lllnnnnnn\0\0\0oooo"
    "oo\0\0rrrrrrssssss"
    "ssttttttuuuuuuuu"
    "uuuuwwyyyzzzzzz\0"sv;
static_assert(kLatinA.size() == 128);

// `cp` folded as unicode61 with remove_diacritics 2 folds it (for the blocks it knows); 0 for a
// combining mark, which is dropped.
int32_t Fold(int32_t cp) {
  if (cp < 0x80) return cp >= 'A' && cp <= 'Z' ? cp + 32 : cp;
  if (cp >= 0x300 && cp <= 0x36f) return 0;
  if (cp >= 0xc0 && cp <= 0xff) {
    char ascii = kLatin1[cp - 0xc0];
    if (ascii != 0) return ascii;
    return cp <= 0xde && cp != 0xdf ? cp + 0x20 : cp;  // Æ Ð Þ to lower case; ß and the rest kept
  }
  if (cp >= 0x100 && cp <= 0x17f) {
    char ascii = kLatinA[cp - 0x100];
    if (ascii != 0) return ascii;
    if (cp == 0x132 || cp == 0x14a || cp == 0x152) return cp + 1;  // Ĳ Ŋ Œ
    return cp;
  }
  if (cp >= 0x391 && cp <= 0x3a9 && cp != 0x3a2) return cp + 0x20;  // Greek
  if (cp >= 0x410 && cp <= 0x42f) return cp + 0x20;                 // Cyrillic
  if (cp >= 0x400 && cp <= 0x40f) return cp + 0x50;
  return cp;
}

// Appends `lexeme` quoted for tsvector and tsquery input.
void AppendLexeme(std::string_view lexeme, std::string& out) {
  out += '\'';
  for (char c : lexeme) {
    if (c == '\'' || c == '\\') out += c == '\'' ? '\'' : '\\';
    out += c;
  }
  out += '\'';
}

// The tokens of an FTS5 query.
enum class Tok {
  kEnd,
  kString,
  kLeft,
  kRight,
  kLeftBrace,
  kRightBrace,
  kColon,
  kPlus,
  kStar,
  kMinus,
  kCaret,
  kComma,
  kAnd,
  kOr,
  kNot
};

struct Token {
  Tok tok = Tok::kEnd;
  std::string text;  // a string's text (quotes removed), or the token as written
  bool bare = false;
};

bool IsBareword(char c) {
  auto u = static_cast<unsigned char>(c);
  return u >= 0x80 || (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
         c == '_' || c == 0x1a;
}

// Column sets: bit 1 names (weight A), bit 2 text (weight B).
constexpr int kNames = 1, kText = 2, kAllColumns = 3;

// A recursive-descent parser of FTS5's query syntax that writes tsquery text. A subexpression
// is nullopt when it matches nothing.
class QueryParser {
 public:
  explicit QueryParser(std::string_view query) : query_(query) {}

  absl::StatusOr<std::optional<std::string>> Parse() {
    Next();
    std::optional<std::string> out = ParseOr(kAllColumns);
    if (error_.empty() && token_.tok != Tok::kEnd) Fail();
    if (!error_.empty())
      return absl::InvalidArgumentError(StrCat("full-text query '", query_, "': ", error_));
    return out;
  }

 private:
  using Expr = std::optional<std::string>;

  int depth_ = 0;

  void Fail() {
    if (error_.empty()) error_ = StrCat("fts5: syntax error near \"", token_.text, "\"");
  }

  void Next() {
    token_ = Token();
    while (at_ < query_.size() &&
           (query_[at_] == ' ' || (query_[at_] >= '\t' && query_[at_] <= '\r')))
      ++at_;
    if (at_ >= query_.size()) return;
    const char c = query_[at_];
    const std::string_view single = "(){}:+*-^,";
    const Tok singles[] = {Tok::kLeft, Tok::kRight, Tok::kLeftBrace, Tok::kRightBrace, Tok::kColon,
                           Tok::kPlus, Tok::kStar,  Tok::kMinus,     Tok::kCaret,      Tok::kComma};
    if (size_t k = single.find(c); k != std::string_view::npos) {
      token_.tok = singles[k];
      token_.text = std::string(1, c);
      ++at_;
      return;
    }
    if (c == '"') {
      std::string text;
      for (size_t i = at_ + 1;; ++i) {
        if (i >= query_.size()) {
          if (error_.empty()) error_ = "fts5: unterminated string";
          at_ = query_.size();
          return;
        }
        if (query_[i] == '"') {
          if (i + 1 < query_.size() && query_[i + 1] == '"') {
            text += '"';
            ++i;
            continue;
          }
          at_ = i + 1;
          break;
        }
        text += query_[i];
      }
      token_.tok = Tok::kString;
      token_.text = std::move(text);
      return;
    }
    if (!IsBareword(c)) {
      if (error_.empty())
        error_ = StrCat("fts5: syntax error near \"", std::string_view(&query_[at_], 1), "\"");
      at_ = query_.size();
      return;
    }
    size_t end = at_;
    while (end < query_.size() && IsBareword(query_[end])) ++end;
    token_.text = std::string(query_.substr(at_, end - at_));
    token_.bare = true;
    at_ = end;
    token_.tok = token_.text == "AND"   ? Tok::kAnd
                 : token_.text == "OR"  ? Tok::kOr
                 : token_.text == "NOT" ? Tok::kNot
                                        : Tok::kString;
  }

  // The next character after spaces, without consuming it.
  char Peek() const {
    size_t i = at_;
    while (i < query_.size() && (query_[i] == ' ' || (query_[i] >= '\t' && query_[i] <= '\r'))) ++i;
    return i < query_.size() ? query_[i] : '\0';
  }

  bool StartsPrimary() const {
    return token_.tok == Tok::kString || token_.tok == Tok::kLeft ||
           token_.tok == Tok::kLeftBrace || token_.tok == Tok::kMinus || token_.tok == Tok::kCaret;
  }

  static Expr And(Expr a, Expr b) {
    if (!a || !b) return std::nullopt;
    return StrCat("(", *a, " & ", *b, ")");
  }

  // Parentheses nest at most this deep: each level is a frame of this recursive parser.
  static constexpr int kMaxDepth = 64;

  Expr ParseOr(int columns) {
    if (++depth_ > kMaxDepth) {
      if (error_.empty()) error_ = StrCat("fts5: parentheses nested deeper than ", kMaxDepth);
      --depth_;
      return std::nullopt;
    }
    Expr out = ParseAnd(columns);
    while (error_.empty() && token_.tok == Tok::kOr) {
      Next();
      Expr right = ParseAnd(columns);
      if (!out) {
        out = std::move(right);
      } else if (right) {
        out = StrCat("(", *out, " | ", *right, ")");
      }
    }
    --depth_;
    return out;
  }

  Expr ParseAnd(int columns) {
    Expr out = ParseNot(columns);
    while (error_.empty()) {
      if (token_.tok == Tok::kAnd) {
        Next();
      } else if (!StartsPrimary()) {
        break;
      }
      out = And(std::move(out), ParseNot(columns));
    }
    return out;
  }

  Expr ParseNot(int columns) {
    Expr out = ParsePrimary(columns);
    while (error_.empty() && token_.tok == Tok::kNot) {
      Next();
      Expr right = ParsePrimary(columns);
      if (out && right) out = StrCat("(", *out, " & !", *right, ")");
    }
    return out;
  }

  // A column name: names or text (FTS5's message for another).
  int Column(const std::string& name) {
    if (name == "names") return kNames;
    if (name == "text") return kText;
    if (error_.empty()) error_ = StrCat("fts5: no such column: ", name);
    return 0;
  }

  // colset ':' (phrases | '(' expr ')'), the column set starting at the current token.
  Expr ParseColumnFilter(int columns) {
    bool negated = false;
    if (token_.tok == Tok::kMinus) {
      negated = true;
      Next();
    }
    int set = 0;
    if (token_.tok == Tok::kLeftBrace) {
      Next();
      while (error_.empty() && token_.tok == Tok::kString) {
        set |= Column(token_.text);
        Next();
      }
      if (token_.tok != Tok::kRightBrace || set == 0) {
        Fail();
        return std::nullopt;
      }
      Next();
    } else if (token_.tok == Tok::kString) {
      set = Column(token_.text);
      Next();
    } else {
      Fail();
      return std::nullopt;
    }
    if (token_.tok != Tok::kColon) {
      Fail();
      return std::nullopt;
    }
    Next();
    if (negated) set = kAllColumns & ~set;
    columns &= set;
    if (token_.tok == Tok::kLeft) {
      Next();
      Expr inner = ParseOr(columns);
      if (token_.tok != Tok::kRight) {
        Fail();
        return std::nullopt;
      }
      Next();
      return columns == 0 ? std::nullopt : inner;
    }
    Expr phrase = ParsePhrase(columns);
    return columns == 0 ? std::nullopt : phrase;
  }

  Expr ParsePrimary(int columns) {
    if (!error_.empty()) return std::nullopt;
    switch (token_.tok) {
      case Tok::kLeft: {
        Next();
        Expr inner = ParseOr(columns);
        if (token_.tok != Tok::kRight) {
          Fail();
          return std::nullopt;
        }
        Next();
        return inner;
      }
      case Tok::kLeftBrace:
      case Tok::kMinus:
        return ParseColumnFilter(columns);
      case Tok::kCaret:
        if (error_.empty())
          error_ = "'^' (first word of a column) is not supported by the PostgreSQL store";
        return std::nullopt;
      case Tok::kString:
        if (token_.bare && token_.text == "NEAR" && Peek() == '(') {
          if (error_.empty()) error_ = "NEAR groups are not supported by the PostgreSQL store";
          return std::nullopt;
        }
        if (Peek() == ':') return ParseColumnFilter(columns);
        return ParsePhrase(columns);
      default:
        Fail();
        return std::nullopt;
    }
  }

  // STRING ['*'] ('+' STRING ['*'])*: the words of every string, in order.
  Expr ParsePhrase(int columns) {
    std::string out;
    bool empty = false;
    size_t words = 0;
    const std::string_view weight = columns == kNames ? "A" : columns == kText ? "B" : "";
    for (;;) {
      if (token_.tok != Tok::kString) {
        Fail();
        return std::nullopt;
      }
      std::vector<std::string> tokens = TextWords(token_.text);
      Next();
      bool prefix = false;
      if (token_.tok == Tok::kStar) {
        prefix = true;
        Next();
      }
      if (tokens.empty()) empty = true;
      for (size_t i = 0; i < tokens.size(); ++i) {
        if (words++ > 0) out += " <-> ";
        AppendLexeme(tokens[i], out);
        const bool last_prefix = prefix && i + 1 == tokens.size();
        if (last_prefix || !weight.empty()) StrAppend(out, ":", last_prefix ? "*" : "", weight);
      }
      if (token_.tok != Tok::kPlus) break;
      Next();
    }
    if (empty || words == 0) return std::nullopt;
    return words == 1 ? out : StrCat("(", out, ")");
  }

  std::string_view query_;
  size_t at_ = 0;
  Token token_;
  std::string error_;
};

}  // namespace

bool IsPgText(std::string_view s) {
  for (size_t at = 0; at < s.size();) {
    if (NextCodePoint(s, at) <= 0) return false;
  }
  return true;
}

std::vector<std::string> TextWords(std::string_view text) {
  std::vector<std::string> out;
  std::string word;
  const auto end_word = [&] {
    if (!word.empty() && word.size() <= kMaxLexemeBytes) out.push_back(std::move(word));
    word.clear();
  };
  for (size_t at = 0; at < text.size();) {
    int32_t cp = NextCodePoint(text, at);
    if (cp < 0 || IsSeparator(cp)) {
      end_word();
      continue;
    }
    int32_t folded = Fold(cp);
    if (folded != 0) AppendUtf8(folded, word);
  }
  end_word();
  return out;
}

std::string TsVectorText(std::string_view names, std::string_view text) {
  std::string out;
  int position = 0;
  for (auto [part, weight] : {std::pair{names, 'A'}, std::pair{text, 'B'}}) {
    for (const std::string& word : TextWords(part)) {
      if (!out.empty()) out += ' ';
      AppendLexeme(word, out);
      StrAppend(out, ":", std::min(++position, kMaxPosition), std::string_view(&weight, 1));
    }
    ++position;  // a gap: a phrase never crosses from the names into the text
  }
  return out;
}

absl::StatusOr<std::optional<std::string>> TsQueryText(std::string_view match) {
  return QueryParser(match).Parse();
}

}  // namespace kizuna::store::pg_internal
