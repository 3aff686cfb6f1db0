// Kizuna. Tokens of the STIX patterning language (STIX 2.1 §9.2, §9.3).
#pragma once

// The lexer turns pattern text into these; the parser reads them. A token keeps its byte
// offset and its text as a view into the pattern, so errors can point at it. Keywords are
// not separate kinds: they lex as words and the parser recognises them where the grammar
// expects them, which lets `file:'AND'` style keys and odd type names through unchanged.
// Thread-safety: plain values.

#include <cstdint>
#include <string_view>

namespace kizuna::pattern {

enum class TokenKind : uint8_t {
  kEnd,          // end of input
  kWord,         // identifier or keyword: [A-Za-z_][A-Za-z0-9_-]*
  kString,       // 'text' with \' and \\ escapes
  kInt,          // [+-]?(0|[1-9][0-9]*)
  kFloat,        // [+-]?[0-9]*\.[0-9]+
  kHex,          // h'..'
  kBinary,       // b'..'
  kTimestamp,    // t'..'
  kLBracket,     // [
  kRBracket,     // ]
  kLParen,       // (
  kRParen,       // )
  kColon,        // :
  kDot,          // .
  kComma,        // ,
  kStar,         // *
  kEq,           // = or ==
  kNe,           // != or <>
  kLt,           // <
  kLe,           // <=
  kGt,           // >
  kGe,           // >=
};

struct Token {
  TokenKind kind = TokenKind::kEnd;
  uint32_t offset = 0;     // byte offset of the first character in the pattern
  std::string_view text;   // the token exactly as written (quotes and prefixes included)
};

// Returns a short human name for `kind`, e.g. "']'" or "a string".
std::string_view TokenKindName(TokenKind kind);

}  // namespace kizuna::pattern
